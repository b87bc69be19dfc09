"""The convener's and the township's meeting pages (issue 6 items 1, 2, 8 and 9; DOMAIN §8).

Who may see and change what; the window typed in Beijing time; nothing changes after voting opens, and opening
freezes the roll and fixes the voters; a new link is shown once and revokes the older ones; the voters and turnout
pages say who voted, never how; the turnout's numbers against the 2/3 line (Civil Code Art 278 ¶2) are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.db_types import utcnow
from app.extensions import db
from app.roll.models import RollUnit, RollVersion
from app.roll.services import today
from app.roll.weights import voter_roll
from app.rules.model import Settings
from app.voting import announcement, ballots, credentials, turnout
from app.voting.models import Credential, Matter, Meeting, MeetingVoter
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import freeze_today, gen_preparation, load_roll
from tests.roll_flow.helpers import flashes, text_of
from tests.voting.helpers import OpenMeeting, gen_meeting, gen_open_meeting, issue_for


@dataclass
class World:
    community: Community
    official: User
    member: User
    teller: User
    observer: User
    township_observer: User
    stranger: User


@pytest.fixture
def world(app) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    world = World(
        community=community,
        official=gen_official(township),
        member=gen_member(community, group_role=GroupRole.LEADER),
        teller=gen_member(community, role=Role.TELLER),
        observer=gen_member(community, role=Role.OBSERVER),
        township_observer=gen_official(township, role=Role.OBSERVER),
        stranger=gen_member(gen_community(township, "别的小区")),
    )
    db.session.flush()
    return world


@pytest.fixture
def english(client: FlaskClient) -> None:
    """Messages are checked in English (the Chinese catalog is merged separately)."""
    client.get("/lang/en")


def login_as(client: FlaskClient, auth: AuthActions, user: User) -> None:
    """Log out whoever is logged in, then log in as ``user``."""
    if client.get("/login").status_code == 302:  # someone is logged in
        auth.post("/logout")
    auth.login(user.username)


def draft(world: World) -> Meeting:
    """A draft meeting on a published roll (its notice run, so opening can freeze it)."""
    load_roll(world.community, world.official)
    return gen_meeting(world.community, world.official)


def opened(world: World) -> OpenMeeting:
    return gen_open_meeting(world.community, world.official)


def reloaded(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get_one(Meeting, meeting.id)


def matter_count(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count()).select_from(Matter).where(Matter.meeting_id == meeting.id)) or 0


def get_urls(meeting: Meeting) -> list[str]:
    return [
        f"/communities/{meeting.community_id}/meetings",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/voters",
        f"/meetings/{meeting.id}/outbox",
        f"/meetings/{meeting.id}/turnout",
    ]


def change_urls(meeting: Meeting, voter: MeetingVoter | None = None) -> list[str]:
    urls = [
        f"/communities/{meeting.community_id}/meetings",
        f"/meetings/{meeting.id}/configure",
        f"/meetings/{meeting.id}/matters",
        f"/matters/{meeting.matters[0].id}/remove",
        f"/meetings/{meeting.id}/open",
    ]
    return urls + ([f"/meeting-voters/{voter.id}/credential"] if voter else [])


CONFIGURE = {
    "opens_on": "2026-12-01",
    "opens_time": "08:00",
    "closes_on": "2026-12-07",
    "closes_time": "20:30",
    "channels": "phone",
    "second_factor": "sms",
    "allow_change": "y",
}
MOTION = {"category": "6", "title": "续筹专项维修资金", "text": "每平方米 20 元。"}


# --- who may see and change what -------------------------------------------------------------------------------------


def test_a_member_of_another_community_finds_nothing(client: FlaskClient, auth: AuthActions, world: World) -> None:
    meeting = opened(world)
    auth.login(world.stranger.username)
    for url in get_urls(meeting.meeting):
        assert client.get(url).status_code == 404, url
    for url in change_urls(meeting.meeting, meeting.voters[0]):
        assert auth.post(url, {**CONFIGURE, **MOTION, "confirm": "y"}).status_code == 404, url
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


def test_tellers_and_observers_see_the_meeting_but_change_nothing(client, auth: AuthActions, world: World) -> None:
    meeting = draft(world)
    before = (meeting.opens_at, meeting.channels, matter_count(meeting))
    for user in (world.teller, world.observer):
        login_as(client, auth, user)
        assert client.get(f"/communities/{world.community.id}/meetings").status_code == 200
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert meeting.matters[0].title in page
        assert f"/meetings/{meeting.id}/configure" not in page  # no forms for them
        for url in get_urls(meeting)[2:]:
            assert client.get(url).status_code == 403, url
        for url in change_urls(meeting):
            assert auth.post(url, {**CONFIGURE, **MOTION, "confirm": "y"}).status_code == 403, url
    meeting = reloaded(meeting)
    assert (meeting.opens_at, meeting.channels, matter_count(meeting)) == before
    assert meeting.status == "draft"


def test_a_teller_may_not_issue_links(client, auth: AuthActions, world: World) -> None:
    meeting = opened(world)
    auth.login(world.teller.username)
    assert auth.post(f"/meeting-voters/{meeting.voters[0].id}/credential").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


def test_the_township_follows_the_turnout(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    meeting = opened(world)
    auth.login(world.official.username)
    page = client.get(f"/meetings/{meeting.meeting.id}/turnout").get_data(as_text=True)
    assert "Voters who have not voted yet" in page  # the township leads the group: it canvasses too

    login_as(client, auth, world.township_observer)
    response = client.get(f"/meetings/{meeting.meeting.id}/turnout")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2/3" in page
    assert "Voters who have not voted yet" not in page  # names are for the convener
    assert client.get(f"/meetings/{meeting.meeting.id}/voters").status_code == 403
    assert auth.post(f"/meeting-voters/{meeting.voters[0].id}/credential").status_code == 403
    assert f"/meetings/{meeting.meeting.id}/turnout" in client.get(f"/meetings/{meeting.meeting.id}").get_data(
        as_text=True
    )


# --- configuring a draft meeting --------------------------------------------------------------------------------------


def test_the_window_is_typed_in_beijing_time(client: FlaskClient, auth: AuthActions, world: World) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    response = auth.post(f"/meetings/{meeting.id}/configure", CONFIGURE)
    assert response.status_code == 302
    meeting = reloaded(meeting)
    assert meeting.opens_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert meeting.closes_at == datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    assert (meeting.channels, meeting.second_factor, meeting.allow_change) == ("phone", "sms", True)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "2026-12-01 08:00" in page
    assert "2026-12-07 20:30" in page
    assert 'value="20:30"' in page  # the form shows the window as it was typed


def test_a_reversed_window_is_refused_and_nothing_changes(client, auth: AuthActions, world: World, english) -> None:
    meeting = draft(world)
    before = (meeting.opens_at, meeting.closes_at, meeting.channels, meeting.second_factor, meeting.allow_change)
    auth.login(world.member.username)
    data = {**CONFIGURE, "opens_on": "2026-12-07", "closes_on": "2026-12-01"}
    assert auth.post(f"/meetings/{meeting.id}/configure", data).status_code == 302
    assert "Voting must close after it opens." in flashes(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    meeting = reloaded(meeting)
    assert (
        meeting.opens_at,
        meeting.closes_at,
        meeting.channels,
        meeting.second_factor,
        meeting.allow_change,
    ) == before


def test_adding_and_removing_a_motion(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    assert auth.post(f"/meetings/{meeting.id}/matters", MOTION).status_code == 302
    added = reloaded(meeting).matters[-1]
    assert (added.kind, added.category, added.title, added.position) == ("motion", 6, "续筹专项维修资金", 4)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    block = page.split(f'data-matter="{added.id}"', 1)[1].split("</article>", 1)[0]
    assert "(6) Raising the maintenance fund" in block
    assert "at least three quarters" in text_of(block)
    rules = page.split(f'data-matter="{meeting.matters[0].id}"', 1)[1].split("</article>", 1)[0]
    assert "more than half" in text_of(rules)
    election = page.split(f'data-matter="{meeting.matters[2].id}"', 1)[1].split("</article>", 1)[0]
    assert "Members to elect: 5; alternates at most: 2" in text_of(election)
    assert all(c.name in election for c in meeting.matters[2].candidates)

    assert auth.post(f"/matters/{added.id}/remove").status_code == 302
    assert matter_count(meeting) == 3


def test_a_motion_without_a_category_of_art_278_is_refused(client, auth: AuthActions, world: World) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    auth.post(f"/meetings/{meeting.id}/matters", {**MOTION, "category": "10"})
    assert matter_count(meeting) == 3


# --- opening ---------------------------------------------------------------------------------------------------------


def test_opening_freezes_the_roll_and_fixes_one_voter_per_voter(client, auth: AuthActions, world, english) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    auth.post(f"/meetings/{meeting.id}/open", {})  # without the confirmation nothing happens
    assert reloaded(meeting).status == "draft"

    assert auth.post(f"/meetings/{meeting.id}/open", {"confirm": "y"}).status_code == 302
    meeting = reloaded(meeting)
    version = db.session.get_one(RollVersion, meeting.roll_version_id)
    assert meeting.status == "open"
    assert version.frozen_at is not None
    units = db.session.scalars(select(RollUnit).where(RollUnit.roll_version_id == version.id)).all()
    expected = voter_roll(units, Settings())
    voters = db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)).all()
    assert len(voters) == len(expected.voters) == expected.total_heads
    assert sorted(v.unit_key for v in voters) == sorted(v.voter_id for v in expected.voters)
    assert sum(v.area_centi for v in voters) == expected.total_area_centi
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"the {len(voters)} voters are fixed" in " ".join(flashes(page))


def test_after_opening_nothing_about_the_meeting_changes(client, auth: AuthActions, world: World, english) -> None:
    open_meeting = opened(world)
    meeting = open_meeting.meeting
    before = (meeting.opens_at, meeting.closes_at, meeting.channels, matter_count(meeting))
    auth.login(world.member.username)
    for url, data in (
        (f"/meetings/{meeting.id}/configure", CONFIGURE),
        (f"/meetings/{meeting.id}/matters", MOTION),
        (f"/matters/{meeting.matters[0].id}/remove", {}),
    ):
        assert auth.post(url, data).status_code == 302
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert "Voting has opened: the meeting's matters, candidates and roll are fixed." in flashes(page), url
    meeting = reloaded(meeting)
    assert (meeting.opens_at, meeting.closes_at, meeting.channels, matter_count(meeting)) == before
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/configure" not in page
    assert f"/meetings/{meeting.id}/open" not in page
    assert "Voting open" in page


# --- the first meeting from the preparation ---------------------------------------------------------------------------


def test_the_first_meeting_waits_for_the_preparation(client, auth: AuthActions, world: World, english) -> None:
    gen_preparation(world.community, world.official)
    auth.login(world.member.username)
    index = f"/communities/{world.community.id}/meetings"
    assert "Create the first meeting from the preparation" in client.get(index).get_data(as_text=True)
    assert auth.post(index).status_code == 302
    assert "Set the meeting's dates first." in flashes(client.get(index).get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_the_first_meeting_is_created_from_a_scheduled_preparation(
    client, auth: AuthActions, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.voting.test_meetings_services import TODAY, plan_meeting

    freeze_today(monkeypatch, TODAY)
    preparation = gen_preparation(world.community, world.official)
    plan_meeting(preparation, world.official, gen_official(world.community.township))
    auth.login(world.member.username)
    response = auth.post(f"/communities/{world.community.id}/meetings")
    meeting = db.session.scalars(select(Meeting).where(Meeting.community_id == world.community.id)).one()
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert [m.category for m in meeting.matters] == [1, 2, 3]
    index = client.get(f"/communities/{world.community.id}/meetings").get_data(as_text=True)
    assert meeting.title in index
    assert "Create the first meeting from the preparation" not in index


# --- the voters and their links ------------------------------------------------------------------------------------


def test_a_new_link_is_shown_once_and_revokes_the_older_one(client, auth: AuthActions, world: World) -> None:
    open_meeting = opened(world)
    voter = open_meeting.voters[3]
    old = issue_for(voter)
    auth.login(world.member.username)
    response = auth.post(f"/meeting-voters/{voter.id}/credential")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    token = re.search(r"v\?t=([A-Za-z0-9_-]+)", page)
    code = re.search(r"data-code>([A-Z0-9-]+)<", page)
    assert token
    assert code
    assert '<svg class="qr"' in page
    assert "style=" not in page
    new = credentials.find(token=token.group(1))
    assert new is not None
    assert new.meeting_voter_id == voter.id
    assert credentials.find(code=code.group(1)) == new
    db.session.refresh(old.credential)
    assert old.credential.revoked_at is not None
    assert credentials.find(token=old.token) is None

    listing = client.get(f"/meetings/{open_meeting.meeting.id}/voters").get_data(as_text=True)
    assert token.group(1) not in listing
    assert code.group(1) not in listing
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.community_id == world.community.id)):
        assert token.group(1) not in str(event.summary)
        assert code.group(1).replace("-", "") not in str(event.summary)


def decoded_qr(page: str) -> str:
    """Draw the page's QR path (one 1×1 square per dark module) as an image and decode it."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    match = re.search(r'<svg class="qr"[^>]*viewBox="0 0 (\d+) \d+".*?<path d="([^"]+)"', page, re.S)
    assert match
    size, scale = int(match.group(1)), 8
    image = Image.new("L", (size * scale, size * scale), 255)
    for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", match.group(2)):
        image.paste(0, (int(x) * scale, int(y) * scale, (int(x) + 1) * scale, (int(y) + 1) * scale))
    [found] = zxingcpp.read_barcodes(image)
    return str(found.text)


def test_the_qr_code_holds_the_link(client, auth: AuthActions, world: World) -> None:
    open_meeting = opened(world)
    auth.login(world.member.username)
    page = auth.post(f"/meeting-voters/{open_meeting.voters[0].id}/credential").get_data(as_text=True)
    link = re.search(r"data-link>([^<]+)<", page)
    assert link
    assert "/v?t=" in link.group(1)
    assert decoded_qr(page) == link.group(1)


def test_no_link_before_voting_opens(client, auth: AuthActions, world: World) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    page = client.get(f"/meetings/{meeting.id}/voters").get_data(as_text=True)
    assert "/credential" not in page


def test_the_voters_are_filtered_by_building_and_paged(
    client, auth: AuthActions, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_meeting = opened(world)
    meeting = open_meeting.meeting
    auth.login(world.member.username)
    page = client.get(f"/meetings/{meeting.id}/voters?building=2幢").get_data(as_text=True)
    shown = set(re.findall(r'<li data-voter="(\d+)"', page))
    assert shown == {str(v.id) for v in open_meeting.voters if v.building == "2幢"}
    assert all(v.holder_name not in page for v in open_meeting.voters if len(v.holder_name) > 1)  # masked

    monkeypatch.setattr(turnout, "PAGE_SIZE", 10)
    first = client.get(f"/meetings/{meeting.id}/voters").get_data(as_text=True)
    second = client.get(f"/meetings/{meeting.id}/voters?page=2").get_data(as_text=True)
    assert re.findall(r'<li data-voter="(\d+)"', first) == [str(v.id) for v in open_meeting.voters[:10]]
    assert re.findall(r'<li data-voter="(\d+)"', second) == [str(v.id) for v in open_meeting.voters[10:20]]
    assert "page=3" in second


def test_the_outbox_shows_the_console_messages(client: FlaskClient, auth: AuthActions, world: World, english) -> None:
    open_meeting = gen_open_meeting(world.community, world.official, second_factor="sms")
    voter = next(v for v in open_meeting.voters if v.phone_cipher is not None)
    credentials.send_code(issue_for(voter).credential)
    auth.login(world.member.username)
    page = client.get(f"/meetings/{open_meeting.meeting.id}/outbox").get_data(as_text=True)
    assert "messages are not really sent" in page
    assert "您的投票验证码是" in page
    assert re.search(r"1\d\d\*\*\*\*\d{4}", page)  # the number masked


# --- secrecy: who voted, never how ---------------------------------------------------------------------------------


def test_the_convener_sees_who_voted_never_how(client: FlaskClient, auth: AuthActions, world: World) -> None:
    open_meeting = opened(world)
    voter = open_meeting.voters[0]
    election = open_meeting.election
    choices = {
        str(open_meeting.motion.id): "yes",
        str(open_meeting.meeting.matters[1].id): "abstain",
        str(election.id): [election.candidates[0].id],
    }
    ballot = ballots.cast(voter, choices, "phone").ballot
    auth.login(world.member.username)
    meeting_id = open_meeting.meeting.id
    voters_page = client.get(f"/meetings/{meeting_id}/voters").get_data(as_text=True)
    turnout_page = client.get(f"/meetings/{meeting_id}/turnout").get_data(as_text=True)
    assert f'<li data-voter="{voter.id}" data-has-voted="true"' in voters_page
    for page in (voters_page, turnout_page, client.get(f"/meetings/{meeting_id}").get_data(as_text=True)):
        for secret in (ballot.receipt_sha256, ballot.receipt_code, ballot.nonce, "yes", "abstain", "赞成", "弃权"):
            assert secret not in page
    assert f'<li data-voter="{voter.id}">' not in turnout_page  # no longer among those who have not voted


# --- turnout, exactly ------------------------------------------------------------------------------------------------


def hand_made_meeting(world: World) -> tuple[Meeting, dict[str, MeetingVoter]]:
    """An open meeting of seven voters: 1幢 A 100.00, B 100.00, C 100.01 m²; 2幢 D 80.00, E 120.00, F 50.00 m²;
    10幢 G 99.99 m². Seven heads, 650.00 m² in all."""
    meeting = gen_meeting(world.community, world.official)
    meeting.status, meeting.opened_at = "open", utcnow()
    voters = {}
    for name, building, area in (
        ("A", "1幢", 10_000),
        ("B", "1幢", 10_000),
        ("C", "1幢", 10_001),
        ("D", "2幢", 8_000),
        ("E", "2幢", 12_000),
        ("F", "2幢", 5_000),
        ("G", "10幢", 9_999),
    ):
        voters[name] = MeetingVoter(
            meeting_id=meeting.id,
            voter_key=f"key-{name}",
            unit_key=f"{building}-{name}",
            units_label=f"{building}{name}室",
            building=building,
            area_centi=area,
            holder_name=f"业主{name}甲",
        )
    db.session.add_all(voters.values())
    db.session.flush()
    return meeting, voters


def vote(meeting: Meeting, voter: MeetingVoter) -> None:
    ballots.cast(voter, {str(m.id): ("yes" if m.kind == "motion" else []) for m in meeting.matters}, "phone")


def turnout_rows(page: str) -> dict[str, tuple[str, str]]:
    """(heads still needed, m² still needed) of each row of the turnout table."""
    rows = {}
    for label, row in re.findall(r'<tr data-building="([^"]+)">(.*?)</tr>', page, re.S):
        heads = re.search(r"data-heads-needed>(\d+)<", row)
        area = re.search(r"data-area-needed>([\d.]+)<", row)
        assert heads
        assert area
        rows[label] = (heads.group(1), area.group(1))
    return rows


def test_turnout_is_exact_to_the_hundredth_of_a_square_metre(client, auth: AuthActions, world: World, english) -> None:
    """A, B and E have voted. 1幢: 2 of 3 heads is exactly 2/3 (met), but 200.00 of 300.01 m² is not
    (3 · 20000 < 2 · 30001): 0.01 m² more. 2幢: 1 of 3 heads, 2 needed → 1 more; 120.00 of 250.00 m², ⌈500.00/3⌉ =
    166.67 → 46.67 more. 10幢: 1 head and 66.66 m² more (⌈199.98/3⌉ = 66.66). All: 3 of 7 heads, ⌈14/3⌉ = 5 → 2
    more; 320.00 of 650.00 m², ⌈1300.00/3⌉ = 433.34 → 113.34 more."""
    meeting, voters = hand_made_meeting(world)
    for name in ("A", "B", "E"):
        vote(meeting, voters[name])
    counted = turnout.meeting_turnout(meeting)
    assert [b.building for b in counted.buildings] == ["1幢", "2幢", "10幢"]
    first = counted.buildings[0].participation
    assert (first.voted_heads, first.total_heads, first.voted_area_centi, first.total_area_centi) == (
        2,
        3,
        20_000,
        30_001,
    )
    assert first.meets_heads
    assert not first.meets_area
    assert (counted.overall.voted_heads, counted.overall.voted_area_centi) == (3, 32_000)
    assert (counted.overall.total_heads, counted.overall.total_area_centi) == (7, 65_000)

    auth.login(world.official.username)
    page = client.get(f"/meetings/{meeting.id}/turnout").get_data(as_text=True)
    assert turnout_rows(page) == {
        "All voters": ("2", "113.34"),
        "1幢": ("0", "0.01"),
        "2幢": ("1", "46.67"),
        "10幢": ("1", "66.66"),
    }
    assert "Still needed to reach 2/3: 2 more owners and 113.34 m² more." in text_of(page)
    assert "✓ Owners 66.6% (2 / 3)" in page  # exactly 2/3, shown rounded down, with its ✓
    assert "Area 66.6% (200.00 m²)" in page  # short of 2/3: no ✓
    assert "✓ Area 66.6% (200.00 m²)" not in page
    not_voted = set(re.findall(r'<li data-voter="(\d+)">', page))
    assert not_voted == {str(voters[n].id) for n in "CDFG"}

    vote(meeting, voters["C"])
    vote(meeting, voters["D"])
    page = client.get(f"/meetings/{meeting.id}/turnout").get_data(as_text=True)
    assert turnout_rows(page)["All voters"] == ("0", "0.00")  # 5 of 7 heads; 500.01 m² ≥ 433.34 m²
    assert turnout_rows(page)["1幢"] == ("0", "0.00")
    assert 'data-meets-quorum="true"' in page


def test_turnout_before_opening_says_the_voters_are_not_fixed(client, auth: AuthActions, world: World) -> None:
    meeting = draft(world)
    auth.login(world.member.username)
    assert client.get(f"/meetings/{meeting.id}/turnout").status_code == 200


def test_the_chart_draws_the_two_thirds_line_without_style_attributes(client, auth: AuthActions, world: World) -> None:
    meeting, voters = hand_made_meeting(world)
    vote(meeting, voters["A"])
    auth.login(world.member.username)
    page = client.get(f"/meetings/{meeting.id}/turnout").get_data(as_text=True)
    assert page.count('class="quorum-line"') == 2 * 4  # across each bar: the whole meeting and three buildings
    assert page.count('x1="200"') == 2 * 4  # 2/3 of the 300-unit bar
    assert "style=" not in page
    assert "<script" not in page


def test_the_announcement_on_the_meeting_page_and_its_gate(client, auth: AuthActions, world, english) -> None:
    """The page says when the meeting was announced and from when voting can open; a change after the announcement is
    flagged before opening, and opening is refused with the rule until the meeting is announced again."""
    meeting = draft(world)
    auth.login(world.member.username)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'data-announced="{meeting.announced_on}"' in page
    assert "Changing the window, a matter or a candidate after the announcement needs a new announcement" in page

    motion = {"category": "9", "title": "增设电动车充电桩", "text": ""}
    assert auth.post(f"/meetings/{meeting.id}/matters", motion, f"/meetings/{meeting.id}").status_code == 302
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "The meeting was changed after its announcement" in page
    refused_page = auth.post(f"/meetings/{meeting.id}/open", {"confirm": "y"})
    assert refused_page.status_code == 302
    shown = client.get(refused_page.headers["Location"]).get_data(as_text=True)
    assert "announce it again" in shown
    assert reloaded(meeting).status == "draft"

    announced = auth.post(f"/meetings/{meeting.id}/announce", {"starts_on": today().isoformat(), "confirm": "y"})
    assert announced.status_code == 302
    assert reloaded(meeting).announced_on == today()
    assert not announcement.changed_since_announcement(reloaded(meeting))
    notice_page = client.get(f"/notices/{reloaded(meeting).announcement_notice_id}/manage").get_data(as_text=True)
    assert "Announcement of the assembly meeting" in notice_page
    assert "增设电动车充电桩" in notice_page  # the notice publishes the whole content, the new matter included
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "meeting.announce")).all()
    assert len(events) == 2  # the test's first announcement and this one
