"""The township takes one role off an account of its community, on the community page or through the API: the account
loses what the role gave at once (its sessions end, its API tokens answer 401), the removal is audited, the account's
last role is refused (deactivate it instead), and only those who may deactivate the account may do it.

No service gives an account a second role yet (an account is made with one), so `with_second_role` adds one here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import services as accounts
from app.auth.models import GroupRole, Role, RoleGrant, User
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.voting.models import Meeting
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.roll_flow.helpers import flashes
from tests.voting.helpers import gen_meeting


@dataclass
class World:
    community: Community
    official: User
    #: a teller who is also an observer of the community
    teller: User
    teller_grant: RoleGrant
    meeting: Meeting


def with_second_role(user: User, community: Community, role: Role = Role.OBSERVER) -> RoleGrant:
    """Give an account a second role in the community (no service does it yet)."""
    grant = RoleGrant(role=role, township_id=community.township_id, community_id=community.id)
    user.grants.append(grant)
    db.session.flush()
    return grant


@pytest.fixture
def world(app: Flask) -> World:
    township = gen_township()
    community = gen_community(township, "角色小区")
    official = gen_official(township, "role-official")
    teller = gen_member(community, "role-teller", role=Role.TELLER)
    teller_grant = teller.grants[0]
    with_second_role(teller, community)
    meeting = gen_meeting(community, official, announced=False)
    db.session.commit()
    return World(community, official, teller, teller_grant, meeting)


def remove_url(world: World, user: User | None = None, grant: RoleGrant | None = None) -> str:
    user, grant = user or world.teller, grant or world.teller_grant
    return f"/communities/{world.community.id}/accounts/{user.id}/roles/{grant.id}/remove"


def api_url(world: World, user: User | None = None, grant: RoleGrant | None = None) -> str:
    user, grant = user or world.teller, grant or world.teller_grant
    return f"/api/v1/communities/{world.community.id}/accounts/{user.id}/roles/{grant.id}"


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.create_api_token(user, 'script').secret}"}


def roles_of(user: User) -> list[str]:
    return list(db.session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id)))


def removals() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.role_remove").order_by(AuditEvent.seq)
        )
    )


def logged_in(app: Flask, username: str) -> FlaskClient:
    """A browser of its own, logged in as ``username``."""
    browser = app.test_client()
    assert AuthActions(browser).login(username).status_code == 302
    return browser


def test_the_township_removes_a_teller_role_on_the_page(app, client, auth, world):
    paper_page = f"/meetings/{world.meeting.id}/paper"
    teller_browser = logged_in(app, "role-teller")
    assert teller_browser.get(paper_page).status_code == 200
    teller_api = bearer(world.teller)
    db.session.commit()
    assert client.get(f"/api/v1/communities/{world.community.id}", headers=teller_api).status_code == 200

    client.get("/lang/en")
    auth.login("role-official")
    community_page = f"/communities/{world.community.id}"
    assert f'data-remove-role="{world.teller_grant.id}"' in client.get(community_page).get_data(as_text=True)
    response = auth.post(remove_url(world), {"confirm": "y"}, community_page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#accounts")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any("Role Teller removed from account role-teller" in message for message in flashes(page))

    db.session.expire_all()
    assert roles_of(world.teller) == ["observer"]
    assert world.teller.is_active  # the account stays, with its other role
    # the old session cookie gets the login page; the token answers 401
    stale = teller_browser.get(paper_page)
    assert stale.status_code == 302
    assert stale.headers["Location"].startswith("/login")
    assert client.get(f"/api/v1/communities/{world.community.id}", headers=teller_api).status_code == 401
    # logged in again, the account is an observer only: no teller's page, the community still readable
    again = logged_in(app, "role-teller")
    assert again.get(paper_page).status_code == 403
    assert again.get(community_page).status_code == 200

    (event,) = removals()
    assert event.object_id == str(world.teller.id)
    assert event.community_id == world.community.id
    assert event.township_id == world.community.township_id
    assert event.actor_label == "role-official"
    assert event.summary["role"] == "teller"
    assert event.summary["community"] == world.community.id
    assert event.summary["username"] == "role-teller"
    assert event.summary["tokens_revoked"] == 1
    assert event.summary["by"] == world.official.id
    assert not {"password", "password_hash", "token", "secret"} & set(event.summary)


def test_the_removal_needs_the_box_ticked(client, auth, world):
    auth.login("role-official")
    community_page = f"/communities/{world.community.id}"
    response = auth.post(remove_url(world), {}, community_page)
    assert response.status_code == 302
    db.session.expire_all()
    assert roles_of(world.teller) == ["teller", "observer"]
    assert removals() == []


def test_the_last_role_is_refused(app, client, auth, world):
    loner = gen_member(world.community, "only-teller", role=Role.TELLER)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        accounts.remove_grant(loner.grants[0], world.official.id)
    assert (refused.value.code, refused.value.status) == ("last_role", 409)
    db.session.rollback()

    client.get("/lang/en")
    auth.login("role-official")
    community_page = f"/communities/{world.community.id}"
    page = client.get(community_page).get_data(as_text=True)
    assert f'data-remove-role="{loner.grants[0].id}"' not in page  # no form for an only role: deactivate instead
    response = auth.post(remove_url(world, loner, loner.grants[0]), {"confirm": "y"}, community_page)
    assert response.status_code == 302
    messages = flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert any("only role" in message for message in messages)

    api = bearer(world.official)
    db.session.commit()
    response = client.delete(api_url(world, loner, loner.grants[0]), headers=api)
    assert response.status_code == 409
    assert response.json["code"] == "last_role"
    db.session.expire_all()
    assert roles_of(loner) == ["teller"]
    assert removals() == []


def test_a_role_of_another_community_or_account_is_not_found(app, client, auth, world):
    """As for deactivation, a role that is not the account's in this community is not found (404), even in a community
    of the same township; an official of another township does not see the community at all (404)."""
    neighbour = gen_community(world.community.township, "邻居小区")
    other_teller = gen_member(neighbour, "neighbour-teller", role=Role.TELLER)
    with_second_role(other_teller, neighbour)
    observer = gen_member(world.community, "role-observer", role=Role.OBSERVER)
    with_second_role(observer, world.community, Role.TELLER)
    gen_official(gen_township(), "far-official")
    db.session.commit()
    auth.login("role-official")
    community_page = f"/communities/{world.community.id}"
    wrong = [
        remove_url(world, other_teller, other_teller.grants[0]),  # another community's account and role
        remove_url(world, world.teller, observer.grants[0]),  # another account's role
    ]
    for url in wrong:
        assert auth.post(url, {"confirm": "y"}, community_page).status_code == 404, url
    api = bearer(world.official)
    db.session.commit()
    assert client.delete(api_url(world, other_teller, other_teller.grants[0]), headers=api).status_code == 404
    assert client.delete(api_url(world, world.teller, observer.grants[0]), headers=api).status_code == 404

    auth.logout()
    auth.login("far-official")
    assert auth.post(remove_url(world), {"confirm": "y"}).status_code == 404
    db.session.expire_all()
    assert roles_of(other_teller) == ["teller", "observer"]
    assert roles_of(observer) == ["observer", "teller"]
    assert roles_of(world.teller) == ["teller", "observer"]
    assert removals() == []


@pytest.mark.parametrize(
    ("username", "role", "group_role"),
    [
        ("group-leader", Role.GROUP_MEMBER, GroupRole.LEADER),
        ("group-owner", Role.GROUP_MEMBER, GroupRole.OWNER_REPRESENTATIVE),
        ("other-teller", Role.TELLER, None),
        ("community-observer", Role.OBSERVER, None),
        ("township-observer", None, None),
    ],
)
def test_only_the_township_may_remove_roles(app, client, world, username, role, group_role):
    """The community's own accounts (its group and its leader, its tellers, its observers) and the township's
    observers see the community but may not remove a role (403), on the page or through the API."""
    if role is None:
        actor = gen_official(world.community.township, username, role=Role.OBSERVER)
    else:
        actor = gen_member(world.community, username, role=role, group_role=group_role)
    api = bearer(actor)
    db.session.commit()
    browser = logged_in(app, username)
    community_page = f"/communities/{world.community.id}"
    assert 'data-remove-role="' not in browser.get(community_page).get_data(as_text=True)
    response = AuthActions(browser).post(remove_url(world), {"confirm": "y"}, community_page)
    assert response.status_code == 403
    response = client.delete(api_url(world), headers=api)
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"
    db.session.expire_all()
    assert roles_of(world.teller) == ["teller", "observer"]
    assert removals() == []


def test_the_township_removes_a_role_through_the_api(app, client, world):
    teller_api = bearer(world.teller)
    api = bearer(world.official)
    db.session.commit()
    response = client.delete(api_url(world), headers=api)
    assert response.status_code == 200
    body: dict[str, Any] = response.json
    assert body["id"] == world.teller.id
    assert [(grant["role"], grant["community_id"]) for grant in body["grants"]] == [("observer", world.community.id)]
    assert all(isinstance(grant["id"], int) for grant in body["grants"])
    assert client.get(f"/api/v1/communities/{world.community.id}", headers=teller_api).status_code == 401
    # the role is gone: asked again, it is not found
    assert client.delete(api_url(world), headers=api).status_code == 404
    (event,) = removals()
    assert event.summary["role"] == "teller"
    assert event.summary["tokens_revoked"] == 1


def test_the_api_documents_the_operation(client):
    document = client.get("/api/v1/openapi.json").json
    path = "/api/v1/communities/{community_id}/accounts/{user_id}/roles/{grant_id}"
    assert "delete" in document["paths"][path]
    assert "id" in document["components"]["schemas"]["Grant"]["properties"]
