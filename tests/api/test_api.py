"""The JSON API under /api/v1: its document, token authentication, scopes, validation and auditing."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.audit import services as audit
from app.audit.models import AuditChainCheck, AuditEvent
from app.auth import services as accounts
from app.auth.models import ApiToken, User
from app.communities.models import Community, Township
from app.extensions import db
from tests.factories import gen_admin, gen_community, gen_member, gen_official, gen_township

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_of(user: User, name: str = "测试令牌") -> str:
    return accounts.create_api_token(user, name).secret


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def assert_unauthenticated(response: Any) -> None:
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["code"] == "unauthenticated"


# --- the OpenAPI document -----------------------------------------------------------------------------------


def test_openapi_document_is_public_and_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/me",
        "/api/v1/tokens/{token_id}",
        "/api/v1/townships",
        "/api/v1/townships/{township_id}/communities",
        "/api/v1/communities/{community_id}/accounts",
        "/api/v1/audit/events",
        "/api/v1/audit/verifications",
        "/api/v1/audit/verifications/latest",
    ):
        assert path in document["paths"], path
    assert "post" in document["paths"]["/api/v1/townships"]
    schemes = document["components"]["securitySchemes"]
    assert {k: schemes["bearer"][k] for k in ("type", "scheme")} == {"type": "http", "scheme": "bearer"}
    assert {k: schemes["owner"][k] for k in ("type", "scheme")} == {"type": "http", "scheme": "bearer"}
    assert {"bearer": []} in document["security"]
    # the owners' operations take an owner's token, their sign-in none (issue 20)
    assert document["paths"]["/api/v1/owner/me"]["get"]["security"] == [{"owner": []}]
    assert document["paths"]["/api/v1/owner/sign-in/code"]["post"]["security"] == []
    # the password of a new account is write-only: it is accepted but never part of a response
    schemas = document["components"]["schemas"]
    assert "password" in schemas["NewAccount"]["properties"]
    assert "password" not in schemas["User"]["properties"]


# --- authentication -----------------------------------------------------------------------------------------


def test_no_token_is_refused_with_json(client):
    assert_unauthenticated(client.get("/api/v1/me"))
    assert_unauthenticated(client.post("/api/v1/townships", json={"name": "无令牌街道", "admin_code": "330681777"}))
    assert count(Township) == 0


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer gjt_",
        "Bearer gjt_thisTokenWasNeverIssuedToAnybody0000000000",
        "Basic dXNlcjpwYXNz",
        "gjt_withoutTheBearerWord",
    ],
)
def test_malformed_or_unknown_token_is_refused(client, header):
    gen_admin()
    assert_unauthenticated(client.get("/api/v1/me", headers={"Authorization": header}))


def test_a_valid_token_is_accepted(client):
    secret = token_of(gen_admin("api.admin"))
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    # one character off is a different, unknown token
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert_unauthenticated(client.get("/api/v1/me", headers=bearer(tampered)))


def test_revoked_token_is_refused(client):
    admin = gen_admin()
    issued = accounts.create_api_token(admin, "old")
    assert client.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 200
    accounts.revoke_api_token(admin, issued.token.id)
    db.session.flush()
    assert_unauthenticated(client.get("/api/v1/me", headers=bearer(issued.secret)))


def test_token_of_a_deactivated_user_is_refused(client):
    official = gen_official(gen_township())
    secret = token_of(official)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    official.is_active = False
    db.session.flush()
    assert_unauthenticated(client.get("/api/v1/me", headers=bearer(secret)))


def test_browser_session_cookie_does_not_authenticate_the_api(client, auth):
    gen_official(gen_township(), "web.only")
    assert auth.login("web.only").status_code == 302
    assert client.get("/").status_code == 200  # the session works for the pages …
    assert_unauthenticated(client.get("/api/v1/me"))  # … but not for the API
    assert_unauthenticated(client.get("/api/v1/townships"))


def test_me_returns_the_caller_and_grants(client):
    township = gen_township()
    official = gen_official(township, "me.official")
    response = client.get("/api/v1/me", headers=bearer(token_of(official)))
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "me.official"
    assert body["id"] == official.id
    assert body["is_active"] is True
    assert [(g["role"], g["township_id"], g["community_id"]) for g in body["grants"]] == [
        ("township_official", township.id, None)
    ]
    assert "password" not in body
    assert "password_hash" not in body
    assert "session_token" not in body


def test_me_of_a_group_member_shows_the_group_role(client):
    community = gen_community(gen_township())
    member = gen_member(community, "me.member")
    body = client.get("/api/v1/me", headers=bearer(token_of(member))).get_json()
    assert body["username"] == "me.member"
    [grant] = body["grants"]
    assert grant["role"] == "group_member"
    assert grant["community_id"] == community.id
    assert grant["group_role"] == "owner_representative"


def test_only_the_hash_of_a_token_is_stored_and_use_is_noted(client):
    issued = accounts.create_api_token(gen_admin(), "stored")
    row = db.session.execute(select(ApiToken.__table__).where(ApiToken.id == issued.token.id)).one()
    assert row.token_hash != issued.secret
    assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    for value in row:
        assert issued.secret not in str(value)
    assert row.last_used_at is None

    assert client.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, issued.token.id).last_used_at is not None


def test_token_list_never_shows_secrets(client):
    admin = gen_admin()
    secret = token_of(admin, "listed")
    response = client.get("/api/v1/tokens", headers=bearer(secret))
    assert response.status_code == 200
    [listed] = response.get_json()
    assert listed["name"] == "listed"
    assert listed["prefix"] == secret[:10]
    assert secret not in response.get_data(as_text=True)
    assert "token_hash" not in listed


# --- townships ----------------------------------------------------------------------------------------------


def test_admin_creates_a_township_and_it_is_audited(client):
    admin = gen_admin("township.maker")
    secret = token_of(admin)
    response = client.post(
        "/api/v1/townships", headers=bearer(secret), json={"name": "暨阳街道", "admin_code": "330681001"}
    )
    assert response.status_code == 201
    assert response.is_json
    body = response.get_json()
    assert body["name"] == "暨阳街道"
    assert body["admin_code"] == "330681001"
    township = db.session.get(Township, body["id"])
    assert township is not None
    assert township.admin_code == "330681001"

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "township.create", AuditEvent.object_id == str(township.id))
    ).one()
    assert event.actor_label == "township.maker"
    assert event.actor_user_id == admin.id
    assert event.actor_role == "admin"
    assert event.township_id == township.id
    assert event.summary == {"name": "暨阳街道", "admin_code": "330681001"}


def test_official_may_not_create_a_township(client):
    secret = token_of(gen_official(gen_township()))
    before = count(Township)
    response = client.post(
        "/api/v1/townships", headers=bearer(secret), json={"name": "越权街道", "admin_code": "330681888"}
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert count(Township) == before


def test_duplicate_admin_code_is_a_conflict(client):
    gen_township(admin_code="330681002")
    secret = token_of(gen_admin())
    before = count(Township)
    response = client.post(
        "/api/v1/townships", headers=bearer(secret), json={"name": "重复街道", "admin_code": "330681002"}
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "admin_code_taken"
    assert body["details"] == {"field": "admin_code"}
    assert count(Township) == before


@pytest.mark.parametrize(
    ("payload", "bad_field"),
    [
        ({"admin_code": "330681003"}, "name"),
        ({"name": "", "admin_code": "330681003"}, "name"),
        ({"name": "坏代码街道", "admin_code": "12ab"}, "admin_code"),
        ({"name": "坏代码街道", "admin_code": "3306810031"}, "admin_code"),
        ({"name": "无代码街道"}, "admin_code"),
    ],
)
def test_invalid_township_body_is_refused_and_nothing_is_created(client, payload, bad_field):
    secret = token_of(gen_admin())
    townships, events = count(Township), audit.event_count()
    response = client.post("/api/v1/townships", headers=bearer(secret), json=payload)
    assert response.status_code == 422
    assert response.is_json
    body = response.get_json()
    assert body["code"] == "http_422"
    assert bad_field in body["details"]["json"]
    assert count(Township) == townships
    assert audit.event_count() == events


# --- communities --------------------------------------------------------------------------------------------


def community_body(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "阳光花园",
        "address": "暨阳路1号",
        "developer_name": "阳光置业有限公司",
        "total_floor_area": "12345.67",
    }
    body.update(changes)
    return body


def test_official_creates_a_community_in_their_township(client):
    township = gen_township()
    official = gen_official(township, "community.maker")
    response = client.post(
        f"/api/v1/townships/{township.id}/communities",
        headers=bearer(token_of(official)),
        json=community_body(),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["total_floor_area"] == "12345.67"
    assert body["township_id"] == township.id
    assert body["name"] == "阳光花园"
    community = db.session.get(Community, body["id"])
    assert community.total_floor_area_centi == 1_234_567
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "community.create", AuditEvent.object_id == str(community.id))
    ).one()
    assert event.actor_label == "community.maker"
    assert event.actor_role == "township_official"
    assert event.summary["total_floor_area"] == "12345.67"

    listed = client.get(f"/api/v1/townships/{township.id}/communities", headers=bearer(token_of(official)))
    assert [c["id"] for c in listed.get_json()] == [community.id]


@pytest.mark.parametrize("area", ["1.234", "-5", "abc", "1e3", ""])
def test_invalid_area_is_refused_and_nothing_is_created(client, area):
    township = gen_township()
    secret = token_of(gen_official(township))
    before = count(Community)
    response = client.post(
        f"/api/v1/townships/{township.id}/communities",
        headers=bearer(secret),
        json=community_body(total_floor_area=area),
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid_area"
    assert body["details"] == {"field": "total_floor_area"}
    assert count(Community) == before


def test_official_cannot_create_a_community_in_another_township(client):
    own, other = gen_township(), gen_township()
    secret = token_of(gen_official(own))
    before = count(Community)
    response = client.post(f"/api/v1/townships/{other.id}/communities", headers=bearer(secret), json=community_body())
    assert response.status_code == 404
    assert response.get_json()["code"] == "township_not_found"
    assert count(Community) == before


# --- community accounts -------------------------------------------------------------------------------------


def account_body(**changes: Any) -> dict[str, Any]:
    body = {
        "username": "zu.zhang",
        "display_name": "筹备组组长",
        "password": "a long enough password",
        "role": "group_member",
        "group_role": "leader",
    }
    body.update(changes)
    return body


def test_official_creates_a_group_leader_who_can_then_log_in(client, auth):
    township = gen_township()
    community = gen_community(township)
    secret = token_of(gen_official(township))
    response = client.post(f"/api/v1/communities/{community.id}/accounts", headers=bearer(secret), json=account_body())
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "zu.zhang"
    assert "password" not in body
    [grant] = body["grants"]
    assert (grant["role"], grant["community_id"], grant["group_role"]) == (
        "group_member",
        community.id,
        "leader",
    )

    listed = client.get(f"/api/v1/communities/{community.id}/accounts", headers=bearer(secret)).get_json()
    assert "zu.zhang" in [user["username"] for user in listed]

    assert auth.login("zu.zhang", "a long enough password").status_code == 302
    assert client.get("/").status_code == 200


def test_group_member_without_group_role_is_refused(client):
    township = gen_township()
    community = gen_community(township)
    secret = token_of(gen_official(township))
    before = count(User)
    response = client.post(
        f"/api/v1/communities/{community.id}/accounts",
        headers=bearer(secret),
        json=account_body(group_role=None),
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_group_role"
    assert count(User) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "admin", "group_role": None},
        {"role": "chairman"},
        {"group_role": "boss"},
        {"password": "short"},
    ],
)
def test_invalid_account_body_is_refused(client, changes):
    township = gen_township()
    community = gen_community(township)
    secret = token_of(gen_official(township))
    before = count(User)
    response = client.post(
        f"/api/v1/communities/{community.id}/accounts", headers=bearer(secret), json=account_body(**changes)
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "http_422"
    assert next(iter(changes)) in body["details"]["json"]
    assert count(User) == before


def test_official_cannot_create_accounts_in_another_townships_community(client):
    other_community = gen_community(gen_township())
    secret = token_of(gen_official(gen_township()))
    before = count(User)
    response = client.post(
        f"/api/v1/communities/{other_community.id}/accounts", headers=bearer(secret), json=account_body()
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "community_not_found"
    assert count(User) == before


# --- the audit log ------------------------------------------------------------------------------------------


def test_official_sees_only_the_events_of_their_township(client):
    own = gen_township()
    official = gen_official(own)
    gen_member(gen_community(own))
    other = gen_township()
    gen_official(other)
    gen_member(gen_community(other))
    secret = token_of(official)

    response = client.get("/api/v1/audit/events?limit=500", headers=bearer(secret))
    assert response.status_code == 200
    shown = response.get_json()
    expected = db.session.scalars(
        select(AuditEvent.seq).where(AuditEvent.township_id == own.id).order_by(AuditEvent.seq.desc())
    ).all()
    assert [event["seq"] for event in shown] == expected
    assert len(expected) >= 4  # township, official, community and member of the own township
    assert {event["township_id"] for event in shown} == {own.id}
    other_seqs = set(db.session.scalars(select(AuditEvent.seq).where(AuditEvent.township_id == other.id)))
    assert other_seqs
    assert not other_seqs & {event["seq"] for event in shown}


def test_admin_sees_every_event(client):
    gen_member(gen_community(gen_township()))
    gen_official(gen_township())
    secret = token_of(gen_admin())
    shown = client.get("/api/v1/audit/events?limit=500", headers=bearer(secret)).get_json()
    assert [event["seq"] for event in shown] == list(
        db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    )
    first = shown[-1]
    stored = db.session.scalars(select(AuditEvent).where(AuditEvent.seq == first["seq"])).one()
    assert (first["hash"], first["previous_hash"], first["action"]) == (
        stored.hash,
        stored.previous_hash,
        stored.action,
    )


def test_audit_events_page_with_before_seq_and_limit(client):
    for _ in range(3):
        gen_official(gen_township())
    secret = token_of(gen_admin())
    all_seqs = list(db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())))
    assert len(all_seqs) >= 6

    first_page = client.get("/api/v1/audit/events?limit=2", headers=bearer(secret)).get_json()
    assert [event["seq"] for event in first_page] == all_seqs[:2]
    second_page = client.get(
        f"/api/v1/audit/events?limit=3&before_seq={first_page[-1]['seq']}", headers=bearer(secret)
    ).get_json()
    assert [event["seq"] for event in second_page] == all_seqs[2:5]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "before_seq=0", "limit=abc"])
def test_audit_events_reject_bad_paging(client, query):
    secret = token_of(gen_admin())
    response = client.get(f"/api/v1/audit/events?{query}", headers=bearer(secret))
    assert response.status_code == 422
    assert response.is_json


def test_admin_starts_a_verification_and_reads_its_outcome(client):
    gen_member(gen_community(gen_township()))
    admin = gen_admin("verifier")
    secret = token_of(admin)
    assert client.get("/api/v1/audit/verifications/latest", headers=bearer(secret)).status_code == 404

    response = client.post("/api/v1/audit/verifications", headers=bearer(secret))
    assert response.status_code == 202
    assert response.get_json()["task_id"]

    latest = client.get("/api/v1/audit/verifications/latest", headers=bearer(secret))
    assert latest.status_code == 200
    body = latest.get_json()
    assert body["is_ok"] is True
    assert body["links_checked"] == audit.event_count()
    assert body["first_broken_seq"] is None
    assert body["triggered_by"] == "verifier"
    requested = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.verify_requested")).one()
    assert requested.actor_label == "verifier"


def test_official_may_not_verify_the_chain(client):
    secret = token_of(gen_official(gen_township()))
    checks, events = count(AuditChainCheck), audit.event_count()
    response = client.post("/api/v1/audit/verifications", headers=bearer(secret))
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert client.get("/api/v1/audit/verifications/latest", headers=bearer(secret)).status_code == 403
    assert count(AuditChainCheck) == checks
    assert audit.event_count() == events


# --- revoking tokens ----------------------------------------------------------------------------------------


def test_delete_revokes_a_token(client):
    admin = gen_admin()
    issued = accounts.create_api_token(admin, "to revoke")
    response = client.delete(f"/api/v1/tokens/{issued.token.id}", headers=bearer(issued.secret))
    assert response.status_code == 200
    assert response.get_json()["revoked_at"] is not None
    assert_unauthenticated(client.get("/api/v1/me", headers=bearer(issued.secret)))
    db.session.expire_all()
    assert db.session.get(ApiToken, issued.token.id).revoked_at is not None
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_token.revoke", AuditEvent.object_id == str(issued.token.id))
    ).one()


def test_deleting_another_users_token_is_not_found(client):
    victim = accounts.create_api_token(gen_admin(), "victim")
    secret = token_of(gen_admin())
    response = client.delete(f"/api/v1/tokens/{victim.token.id}", headers=bearer(secret))
    assert response.status_code == 404
    assert response.get_json()["code"] == "token_not_found"
    assert client.get("/api/v1/me", headers=bearer(victim.secret)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, victim.token.id).revoked_at is None


# --- language -----------------------------------------------------------------------------------------------


def test_api_errors_from_the_domain_are_in_chinese(client):
    secret = token_of(gen_official(gen_township()))
    forbidden = client.post(
        "/api/v1/townships", headers=bearer(secret), json={"name": "某街道", "admin_code": "330681444"}
    )
    assert CHINESE.search(forbidden.get_json()["message"])
    invalid = client.post("/api/v1/townships", headers=bearer(token_of(gen_admin())), json={})
    assert CHINESE.search(invalid.get_json()["message"])


def test_unauthenticated_message_is_in_chinese(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert CHINESE.search(response.get_json()["message"])
