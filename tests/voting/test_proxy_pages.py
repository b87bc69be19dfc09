"""The convener's proxy pages (issue 6 item 6; DOMAIN §8): who may see and record proxies, the written authorisation
recorded from the form (refusals shown with what was typed), the proxy's link shown once, revoking; names and phones
masked, the owner's directions never shown again."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.extensions import db
from app.voting import ballots, credentials, proxies
from app.voting.models import Credential, MeetingVoter
from app.voting.proxy_models import Proxy
from tests.conftest import AuthActions
from tests.factories import confirmed, gen_community, gen_member, gen_official, gen_township
from tests.roll_flow.helpers import flashes, text_of
from tests.voting.helpers import OpenMeeting, gen_open_meeting

PHONE = "13900001111"
UNIT = "1幢1单元101"


@dataclass
class World:
    community: Community
    official: User
    member: User
    teller: User
    observer: User
    township_observer: User
    stranger: User
    opened: OpenMeeting


@pytest.fixture
def world(app: Any) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    world = World(
        community=community,
        official=official,
        member=gen_member(community, group_role=GroupRole.LEADER),
        teller=gen_member(community, role=Role.TELLER),
        observer=gen_member(community, role=Role.OBSERVER),
        township_observer=gen_official(township, role=Role.OBSERVER),
        stranger=gen_member(gen_community(township, "别的小区")),
        opened=gen_open_meeting(community, official),
    )
    db.session.flush()
    return world


@pytest.fixture
def english(client: FlaskClient) -> None:
    client.get("/lang/en")


def login_as(client: FlaskClient, auth: AuthActions, user: User) -> None:
    if client.get("/login").status_code == 302:
        auth.post("/logout")
    auth.login(user.username)


def principal(world: World) -> MeetingVoter:
    [voter] = [v for v in world.opened.voters if UNIT in v.units_label.split("、")]
    return voter


def form_data(world: World, **overrides: Any) -> dict[str, Any]:
    """The record form as a browser sends it: both motions covered, a direction on the first, the scan attached."""
    motion1, motion2, _election = world.opened.meeting.matters
    data: dict[str, Any] = {
        "unit": UNIT,
        "proxy_name": "王建军",
        "proxy_phone": PHONE,
        "matters": [str(motion1.id), str(motion2.id)],
        f"direction-{motion1.id}": "yes",
        "scan": (io.BytesIO(b"%PDF-1.4 authorisation"), "authorisation.pdf"),
        "declared_not_property_staff": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def gen_proxy(world: World, voter: MeetingVoter | None = None, phone: str = PHONE, scan: bytes | None = None) -> Proxy:
    """A confirmed proxy for the voter (the form's principal unless told), with the owner's own scan unless one is
    given (each owner signs their own: a scan twice is refused)."""
    voter = voter or principal(world)
    return confirmed(
        proxies.record_proxy(
            world.opened.meeting,
            voter,
            proxy_name="王建军",
            proxy_phone=phone,
            matter_ids=[world.opened.motion.id],
            directions={str(world.opened.motion.id): "no"},
            scan=f"scan of voter {voter.id}".encode() if scan is None else scan,
            declared_not_property_staff=True,
            user_id=world.member.id,
        )
    )


def urls(world: World, proxy: Proxy) -> tuple[list[str], list[str]]:
    meeting_id = world.opened.meeting.id
    return (
        [f"/meetings/{meeting_id}/proxies"],
        [f"/meetings/{meeting_id}/proxies", f"/proxies/{proxy.id}/credential", f"/proxies/{proxy.id}/revoke"],
    )


def proxy_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proxy)) or 0


# --- who may see and change what -------------------------------------------------------------------------------------


def test_outside_the_community_nothing_is_found(client: FlaskClient, auth: AuthActions, world: World) -> None:
    proxy = gen_proxy(world)
    gets, posts = urls(world, proxy)
    auth.login(world.stranger.username)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert auth.post(url, {**form_data(world), "reason": "x"}).status_code == 404, url
    assert client.get(f"/proxies/{proxy.id + 1000}/credential").status_code in (404, 405)
    assert proxy_count() == 1
    assert proxy.status == "active"


def test_tellers_and_observers_may_not_see_or_record_proxies(client, auth: AuthActions, world: World) -> None:
    proxy = gen_proxy(world)
    gets, posts = urls(world, proxy)
    for user in (world.teller, world.observer, world.township_observer):
        login_as(client, auth, user)
        for url in gets:
            assert client.get(url).status_code == 403, (user.username, url)
        for url in posts:
            assert auth.post(url, {**form_data(world), "reason": "x"}).status_code == 403, (user.username, url)
    db.session.expire_all()
    assert proxy_count() == 1
    assert db.session.get_one(Proxy, proxy.id).status == "active"
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


def test_the_convener_and_the_township_see_the_proxies(client, auth: AuthActions, world: World, english) -> None:
    gen_proxy(world)
    for user in (world.member, world.official):
        login_as(client, auth, user)
        response = client.get(f"/meetings/{world.opened.meeting.id}/proxies")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Record a written authorisation" in page
        assert "王*军" in page
        assert "139****1111" in page
        assert PHONE not in page
        assert "王建军" not in page


# --- recording -------------------------------------------------------------------------------------------------------


def test_recording_a_written_authorisation(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    auth.login(world.member.username)
    url = f"/meetings/{world.opened.meeting.id}/proxies"
    response = auth.post(url, form_data(world))
    assert response.status_code == 302
    proxy = db.session.scalars(select(Proxy)).one()
    motion1, motion2, _ = world.opened.meeting.matters
    assert proxy.principal.id == principal(world).id
    assert (proxy.proxy_name, proxy.matter_ids, proxy.directions) == (
        "王建军",
        sorted([motion1.id, motion2.id]),
        {str(motion1.id): "yes"},
    )
    assert proxy.recorded_by_id == world.member.id
    page = client.get(url).get_data(as_text=True)
    assert "The proxy is recorded." in " ".join(flashes(page))
    row = text_of(page.split(f'data-proxy="{proxy.id}"', 1)[1].split("</li>", 1)[0])
    assert "In force" in row
    assert "With the owner's directions on 1 of them" in row
    assert "Vote for" not in row  # the direction itself is never shown again
    assert "represents 1 of at most 3 owners" in row


def test_an_election_direction_from_the_form(client: FlaskClient, auth: AuthActions, world: World) -> None:
    auth.login(world.member.username)
    election = world.opened.election
    picked = [str(c.id) for c in election.candidates[:2]]
    data = form_data(
        world, matters=[str(election.id)], **{f"direction-{election.id}": "listed", f"candidates-{election.id}": picked}
    )
    data.pop(f"direction-{world.opened.motion.id}")
    assert auth.post(f"/meetings/{world.opened.meeting.id}/proxies", data).status_code == 302
    proxy = db.session.scalars(select(Proxy)).one()
    assert proxy.directions == {str(election.id): sorted(int(p) for p in picked)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"declared_not_property_staff": None}, "Staff of the property company may not act as proxies"),
        ({"unit": "9幢9单元909"}, "No voter of this meeting owns that unit"),
        ({"proxy_phone": "0575-87001234"}, "mainland mobile number"),
        ({"matters": []}, "Tick the matters the authorisation covers"),
        ({"scan": None}, "Attach the scan of the signed written authorisation"),
    ],
)
def test_a_refused_authorisation_is_shown_again(
    client, auth: AuthActions, world: World, english, change, message
) -> None:
    auth.login(world.member.username)
    response = auth.post(f"/meetings/{world.opened.meeting.id}/proxies", form_data(world, **change))
    assert response.status_code in (409, 422)
    page = response.get_data(as_text=True)
    assert message in text_of(page)
    assert 'value="王建军"' in page  # what was typed is kept
    assert proxy_count() == 0


def test_a_direction_on_a_matter_not_covered_is_refused(client, auth: AuthActions, world: World, english) -> None:
    auth.login(world.member.username)
    motion1, motion2, _ = world.opened.meeting.matters
    data = form_data(world, matters=[str(motion1.id)], **{f"direction-{motion2.id}": "no"})
    response = auth.post(f"/meetings/{world.opened.meeting.id}/proxies", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "does not cover" in text_of(page)
    assert re.search(rf'value="{motion1.id}" checked', page)  # the ticks are kept
    assert proxy_count() == 0


def test_the_fourth_owner_for_one_proxy_is_refused(client, auth: AuthActions, world: World, english) -> None:
    for voter in [v for v in world.opened.voters if v.id != principal(world).id and not v.is_developer][:3]:
        gen_proxy(world, voter)
    auth.login(world.member.username)
    response = auth.post(f"/meetings/{world.opened.meeting.id}/proxies", form_data(world))
    assert response.status_code == 409
    assert "represents 3 owners already" in text_of(response.get_data(as_text=True))
    assert proxy_count() == 3


def test_a_scan_recorded_for_another_owner_is_refused_at_its_field(
    client: FlaskClient, auth: AuthActions, world: World, english
) -> None:
    """Issue 19: the same uploaded document for two owners' proxies. The second is refused next to the scan, with
    why and what to attach; what was typed is kept; nothing is stored. The form says the rule beforehand."""
    other = next(v for v in world.opened.voters if v.id != principal(world).id and not v.is_developer)
    gen_proxy(world, other, phone="13700002222", scan=b"%PDF-1.4 authorisation")
    auth.login(world.member.username)
    url = f"/meetings/{world.opened.meeting.id}/proxies"
    assert "a scan already recorded for another owner's proxy is refused" in text_of(
        client.get(url).get_data(as_text=True)
    )
    response = auth.post(url, form_data(world))  # the form's scan: the same bytes
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    scan_field = text_of(page.split('id="scan-error"', 1)[1].split("</div>", 1)[0])
    assert "for another owner's proxy: the same document cannot authorise two proxies" in scan_field
    assert "Attach the scan of this owner's own signed authorisation." in scan_field
    assert 'value="王建军"' in page
    assert proxy_count() == 1
    other_file = form_data(world, scan=(io.BytesIO(b"%PDF-1.4 another authorisation"), "authorisation.pdf"))
    assert auth.post(url, other_file).status_code == 302
    assert proxy_count() == 2


# --- the proxy's link, revoking --------------------------------------------------------------------------------------


def test_the_proxys_link_is_shown_once(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    proxy = gen_proxy(world)
    auth.login(world.member.username)
    response = auth.post(f"/proxies/{proxy.id}/credential", form_page=f"/meetings/{world.opened.meeting.id}/proxies")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = re.search(r"<code class=\"secret\" data-link>([^<]+)</code>", page)
    code = re.search(r"<code class=\"secret\" data-code>([^<]+)</code>", page)
    assert link
    assert code
    assert "/v?t=" in link.group(1)
    token = link.group(1).split("t=", 1)[1]
    credential = credentials.find(token=token)
    assert credential is not None
    assert (credential.proxy_id, credential.meeting_voter_id) == (proxy.id, principal(world).id)
    assert credentials.find(code=code.group(1)) is credential
    assert "139****1111" in page
    assert PHONE not in page
    listing = client.get(f"/meetings/{world.opened.meeting.id}/proxies").get_data(as_text=True)
    assert token not in listing
    assert "link issued" in listing


def test_revoking_a_proxy_from_its_page(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    proxy = gen_proxy(world)
    url = f"/meetings/{world.opened.meeting.id}/proxies"
    auth.login(world.member.username)
    assert auth.post(f"/proxies/{proxy.id}/revoke", {"reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Proxy, proxy.id).status == "active"
    assert auth.post(f"/proxies/{proxy.id}/revoke", {"reason": "业主书面撤回委托"}).status_code == 302
    db.session.expire_all()
    revoked = db.session.get_one(Proxy, proxy.id)
    assert (revoked.status, revoked.revoke_reason, revoked.revoked_by_id) == (
        "revoked",
        "业主书面撤回委托",
        world.member.id,
    )
    row = text_of(client.get(url).get_data(as_text=True).split(f'data-proxy="{proxy.id}"', 1)[1].split("</li>", 1)[0])
    assert "Proxy revoked: 业主书面撤回委托" in row


def test_the_owner_voting_first_shows_the_proxy_revoked(client: FlaskClient, auth: AuthActions, world: World, english):
    proxy = gen_proxy(world)
    ballots.cast(principal(world), {str(world.opened.motion.id): "yes"}, "phone")
    url = f"/meetings/{world.opened.meeting.id}/proxies"
    auth.login(world.member.username)
    row = text_of(client.get(url).get_data(as_text=True).split(f'data-proxy="{proxy.id}"', 1)[1].split("</li>", 1)[0])
    assert "revoked: the owner voted themselves" in row
    assert "Issue the proxy's link" not in row
    # issuing a link now revokes the proxy for good (and keeps that, although the request is refused)
    assert auth.post(f"/proxies/{proxy.id}/credential", form_page=url).status_code == 302
    assert "The owner has voted themselves, which revoked this proxy." in flashes(
        client.get(url).get_data(as_text=True)
    )
    db.session.expire_all()
    stored = db.session.get_one(Proxy, proxy.id)
    assert (stored.status, stored.revoke_reason) == ("revoked", proxies.OWNER_VOTED)
    assert db.session.scalar(select(func.count()).select_from(Credential).where(Credential.proxy_id.is_not(None))) == 0
