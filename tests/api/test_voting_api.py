"""Voting through /api/v1 with bearer tokens (issue 6 item 10): the convener configures and opens a meeting, issues a
credential shown once, makes letters and downloads them once; two tellers enter a paper ballot that then counts; the
turnout's numbers against the 2/3 line (Civil Code Art 278 ¶2); scope (another township's official gets 404), rights
(403), and secrecy: no response says how anyone voted (DOMAIN §8)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth import services as accounts
from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.extensions import db
from app.roll.models import RollVersion
from app.rules.turnout import Participation
from app.voting import ballots, credentials, letter_batches, letters, paper
from app.voting.letter_batches import LetterBatch
from app.voting.models import Ballot, Credential, Matter, Meeting, MeetingVoter
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import freeze_today, gen_preparation, load_roll
from tests.voting.helpers import OpenMeeting, gen_meeting, gen_open_meeting

needs_font = pytest.mark.skipif(
    not letters.font_available(),
    reason="the letters need Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)",
)


class Api:
    def __init__(self, client: Any, secret: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{url}", headers=self.headers, **kwargs)

    def post(self, url: str, json: Any = None) -> Any:
        return self.client.post(f"/api/v1{url}", json={} if json is None else json, headers=self.headers)

    def put(self, url: str, json: Any) -> Any:
        return self.client.put(f"/api/v1{url}", json=json, headers=self.headers)

    def delete(self, url: str) -> Any:
        return self.client.delete(f"/api/v1{url}", headers=self.headers)

    def call(self, method: str, url: str, body: Any = None) -> Any:
        if method == "GET":
            return self.get(url)
        if method == "DELETE":
            return self.delete(url)
        return getattr(self, method.lower())(url, body if body is not None else {})


def api_of(client: Any, user: User) -> Api:
    secret = accounts.create_api_token(user, "表决接口").secret
    db.session.commit()
    return Api(client, secret)


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code, body
    assert body["message"]
    return body


@dataclass
class World:
    community: Community
    official: User
    convener: Api
    tellers: tuple[Api, Api]
    teller_users: tuple[User, User]
    observer: Api
    township_observer: Api
    stranger: Api


@pytest.fixture
def world(app: Flask, client: Any) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    teller_users = (gen_member(community, role=Role.TELLER), gen_member(community, role=Role.TELLER))
    made = World(
        community=community,
        official=official,
        convener=api_of(client, gen_member(community, group_role=GroupRole.LEADER)),
        tellers=(api_of(client, teller_users[0]), api_of(client, teller_users[1])),
        teller_users=teller_users,
        observer=api_of(client, gen_member(community, role=Role.OBSERVER)),
        township_observer=api_of(client, gen_official(township, role=Role.OBSERVER)),
        stranger=api_of(client, gen_official(gen_township())),
    )
    db.session.commit()
    return made


def draft(world: World) -> Meeting:
    """A draft meeting on a published roll (its notice run, so opening can freeze it)."""
    load_roll(world.community, world.official)
    meeting = gen_meeting(world.community, world.official)
    db.session.commit()
    return meeting


def opened(world: World) -> OpenMeeting:
    made = gen_open_meeting(world.community, world.official)
    db.session.commit()
    return made


def reloaded(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get_one(Meeting, meeting.id)


def window_now() -> dict[str, Any]:
    """A window open now, typed in Beijing time without an offset (as a convener would)."""
    now = utcnow().astimezone(SHANGHAI).replace(second=0, microsecond=0, tzinfo=None)
    return {
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "channels": "phone,paper",
        "second_factor": "id_last6",
        "allow_change": False,
    }


def every_operation(meeting: Meeting, voter: MeetingVoter, batch: LetterBatch) -> list[tuple[str, str, Any]]:
    """Each operation of the voting API, aimed at real objects, with a valid body."""
    m = meeting.id
    return [
        ("GET", f"/communities/{meeting.community_id}/meetings", None),
        ("POST", f"/communities/{meeting.community_id}/meetings", {}),
        ("GET", f"/meetings/{m}", None),
        ("PUT", f"/meetings/{m}/configuration", window_now()),
        ("POST", f"/meetings/{m}/matters", {"category": 4, "title": "选聘物业服务企业"}),
        ("DELETE", f"/matters/{meeting.matters[0].id}", None),
        ("POST", f"/meetings/{m}/announcement", {"starts_on": "2026-12-01"}),
        ("POST", f"/meetings/{m}/opening", {}),
        ("GET", f"/meetings/{m}/voters", None),
        ("POST", f"/meeting-voters/{voter.id}/credential", {}),
        ("POST", f"/meetings/{m}/letter-batches", {"building": None}),
        ("GET", f"/letter-batches/{batch.id}", None),
        ("GET", f"/letter-batches/{batch.id}/pdf", None),
        ("POST", f"/letter-batches/{batch.id}/cancel", {}),
        ("POST", f"/meetings/{m}/paper-entries", {"code": paper.paper_code(voter), "choices": {}}),
        ("GET", f"/meetings/{m}/paper-queue", None),
        ("GET", f"/meetings/{m}/turnout", None),
    ]


def test_every_operation_is_listed(world: World, batch_of: tuple[OpenMeeting, LetterBatch]) -> None:
    """`every_operation` (which the scope and rights tests walk) covers every documented voting operation."""
    made, batch = batch_of
    document = world.convener.client.get("/api/v1/openapi.json").get_json()
    documented = {
        f"{method.upper()} {re.sub(r'[{][a-z_]+[}]', '{id}', path.removeprefix('/api/v1'))}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and "api_voting" in operation["tags"]
    }
    listed = {shape(method, url) for method, url, _ in every_operation(made.meeting, made.voters[0], batch)}
    assert documented == listed
    assert len(listed) == 17


# --- configuring and opening ------------------------------------------------------------------------------------------


def test_the_convener_configures_and_opens_a_meeting(world: World) -> None:
    meeting = draft(world)
    convener = world.convener
    listing = convener.get(f"/communities/{world.community.id}/meetings").get_json()
    assert [(m["id"], m["status"], m["state"]) for m in listing] == [(meeting.id, "draft", "not_open")]

    config = {**window_now(), "opens_at": "2026-12-01T08:00:00", "closes_at": "2026-12-07T12:30:00Z"}
    response = convener.put(f"/meetings/{meeting.id}/configuration", {**config, "channels": "phone"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # typed without an offset: Beijing time; every moment is shown in Beijing time
    assert (body["opens_at"], body["closes_at"]) == ("2026-12-01T08:00:00+08:00", "2026-12-07T20:30:00+08:00")
    assert reloaded(meeting).opens_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert (body["channels"], body["second_factor"], body["allow_change"]) == ("phone", "id_last6", False)

    reversed_window = {**config, "opens_at": "2026-12-07T08:00:00+08:00", "closes_at": "2026-12-01T08:00:00+08:00"}
    body = refused(convener.put(f"/meetings/{meeting.id}/configuration", reversed_window), 422, "window_reversed")
    assert body["details"] == {"field": "closes_at"}
    for year in ("1999", "2100"):
        outside = {**config, "opens_at": f"{year}-12-01T08:00:00+08:00"}
        refused(convener.put(f"/meetings/{meeting.id}/configuration", outside), 422, "http_422")
    assert reloaded(meeting).channels == "phone"

    added = convener.post(f"/meetings/{meeting.id}/matters", {"category": 6, "title": "续筹专项维修资金"})
    assert added.status_code == 201, added.get_json()
    matter = added.get_json()
    assert (matter["category"], matter["threshold"], matter["position"], matter["text"]) == (
        6,
        "three_quarters",
        4,
        "",
    )
    assert matter["category_label"]
    assert matter["threshold_label"]
    refused(convener.post(f"/meetings/{meeting.id}/matters", {"category": 10, "title": "x"}), 422, "http_422")
    removed = convener.delete(f"/matters/{matter['id']}")
    assert removed.status_code == 200
    assert [m["category"] for m in removed.get_json()["matters"]] == [1, 2, 3]

    assert convener.put(f"/meetings/{meeting.id}/configuration", window_now()).status_code == 200
    response = convener.post(f"/meetings/{meeting.id}/opening")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    voters = db.session.scalar(
        select(func.count()).select_from(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)
    )
    assert (body["status"], body["state"], body["voter_count"]) == ("open", "open", voters)
    assert body["opened_at"].endswith("+08:00")
    version = db.session.get_one(RollVersion, body["roll_version_id"])
    assert version.frozen_at is not None

    # the meeting as anyone who sees the community reads it: matters, thresholds, the election and its candidates
    body = world.observer.get(f"/meetings/{meeting.id}").get_json()
    motion, _covenant, election = body["matters"]
    assert (motion["kind"], motion["category"], motion["threshold"]) == ("motion", 1, "more_than_half")
    assert (election["kind"], election["seats"], election["max_alternates"]) == ("election", 5, 2)
    assert [c["name"] for c in election["candidates"]] == [c.name for c in reloaded(meeting).matters[2].candidates]

    # nothing changes after opening
    refused(convener.put(f"/meetings/{meeting.id}/configuration", window_now()), 409, "meeting_opened")
    refused(convener.post(f"/meetings/{meeting.id}/matters", {"category": 4, "title": "选聘"}), 409, "meeting_opened")
    refused(convener.delete(f"/matters/{motion['id']}"), 409, "meeting_opened")
    refused(convener.post(f"/meetings/{meeting.id}/opening"), 409, "meeting_opened")
    assert db.session.scalar(select(func.count()).select_from(Matter).where(Matter.meeting_id == meeting.id)) == 3


def test_the_first_meeting_is_created_from_the_preparation(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.voting.test_meetings_services import TODAY, plan_meeting

    freeze_today(monkeypatch, TODAY)
    url = f"/communities/{world.community.id}/meetings"
    refused(world.convener.post(url), 404, "no_preparation")
    preparation = gen_preparation(world.community, world.official)
    db.session.commit()
    refused(world.convener.post(url), 409, "meeting_not_planned")
    plan_meeting(preparation, world.official, gen_official(world.community.township))
    db.session.commit()
    refused(world.observer.post(url), 403, "forbidden")
    response = world.convener.post(url)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["group_id"], body["status"]) == (preparation.group.id, "draft")
    assert [(m["category"], m["threshold"]) for m in body["matters"]] == [
        (1, "more_than_half"),
        (2, "more_than_half"),
        (3, "more_than_half"),
    ]
    assert len(body["matters"][2]["candidates"]) == 3
    assert body["opens_at"].endswith("T08:00:00+08:00")
    refused(world.convener.post(url), 409, "meeting_exists")


# --- credentials ------------------------------------------------------------------------------------------------------


def secret_in_audit(secret: str) -> bool:
    return any(
        secret in json.dumps(event.summary, ensure_ascii=False) or secret in (event.object_id or "")
        for event in db.session.scalars(select(AuditEvent))
    )


def test_a_credential_is_shown_once_and_found_by_its_link(world: World) -> None:
    made = opened(world)
    voter = made.voters[3]
    old = credentials.issue(voter, None)
    db.session.commit()
    response = world.convener.post(f"/meeting-voters/{voter.id}/credential")
    assert response.status_code == 201, response.get_json()
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_json()
    link = urlsplit(body["link"])
    assert link.path == "/v"  # the token is in the query string, never in the path
    [token] = parse_qs(link.query)["t"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body["code"])
    db.session.expire_all()
    found = credentials.find(token=token)
    assert found is not None
    assert (found.id, found.meeting_voter_id) == (body["credential_id"], voter.id)
    assert credentials.find(code=body["code"]) == found
    assert credentials.find(token=old.token) is None  # the older letter stops working

    # the response was the only place: not the voters' list, not the audit log, not the database
    listing = world.convener.get(f"/meetings/{made.meeting.id}/voters").get_data(as_text=True)
    for secret in (token, body["code"], body["code"].replace("-", "")):
        assert secret not in listing
        assert not secret_in_audit(secret)
    stored = db.session.get_one(Credential, found.id)
    assert token not in (stored.token_sha256, stored.code_sha256)
    row = next(v for v in json.loads(listing)["voters"] if v["id"] == voter.id)
    assert row["link_issued_at"].endswith("+08:00")


def test_a_draft_meeting_has_no_voters_yet(world: World) -> None:
    meeting = draft(world)
    voters = world.convener.get(f"/meetings/{meeting.id}/voters").get_json()
    assert voters == {"page": 1, "has_next": False, "voters": []}


def test_the_voters_are_masked_filtered_and_paged(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.voting import turnout

    made = opened(world)
    url = f"/meetings/{made.meeting.id}/voters"
    body = world.convener.get(url, query_string={"building": "2幢"}).get_json()
    assert {v["id"] for v in body["voters"]} == {v.id for v in made.voters if v.building == "2幢"}
    text = json.dumps(body, ensure_ascii=False)
    assert all(v.holder_name not in text for v in made.voters if len(v.holder_name) > 1)
    monkeypatch.setattr(turnout, "PAGE_SIZE", 10)
    second = world.convener.get(url, query_string={"page": 2}).get_json()
    assert [v["id"] for v in second["voters"]] == [v.id for v in made.voters[10:20]]
    assert (second["page"], second["has_next"]) == (2, True)
    refused(world.convener.get(url, query_string={"page": 0}), 422, "http_422")
    refused(world.convener.get(url, query_string={"building": "x" * 33}), 422, "http_422")


# --- letters ----------------------------------------------------------------------------------------------------------


@needs_font
def test_a_letter_batch_is_made_and_downloaded_once(world: World) -> None:
    made = opened(world)
    building, count = letter_batches.buildings_of(made.meeting)[0]
    response = world.convener.post(f"/meetings/{made.meeting.id}/letter-batches", {"building": building})
    assert response.status_code == 202, response.get_json()
    batch = response.get_json()
    assert (batch["building"], batch["status"], batch["progress"], batch["voter_count"]) == (
        building,
        "done",
        100,
        count,
    )  # the task ran eagerly
    assert batch["is_available"] is True
    assert world.convener.get(f"/letter-batches/{batch['id']}").get_json()["is_available"] is True

    response = world.convener.get(f"/letter-batches/{batch['id']}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == count
    refused(world.convener.get(f"/letter-batches/{batch['id']}/pdf"), 410, "letters_gone")
    after = world.convener.get(f"/letter-batches/{batch['id']}").get_json()
    assert after["is_available"] is False
    assert after["downloaded_at"].endswith("+08:00")
    db.session.expire_all()
    assert db.session.get_one(LetterBatch, batch["id"]).pdf_cipher is None


def test_letters_are_refused_for_a_draft_and_an_unknown_building(world: World) -> None:
    meeting = draft(world)
    refused(world.convener.post(f"/meetings/{meeting.id}/letter-batches", {}), 409, "meeting_not_open")
    made = opened(world)
    refused(world.convener.post(f"/meetings/{made.meeting.id}/letter-batches", {"building": "99幢"}), 409, "no_voters")
    refused(world.convener.post(f"/meetings/{made.meeting.id}/letter-batches", {"building": ""}), 422, "http_422")


@needs_font
def test_a_reprint_through_the_api_needs_replace(world: World) -> None:
    """Issue 19 item 5: as on the page, a batch for voters holding letters in force is refused (409 letters_in_hand)
    unless `replace` confirms that those letters stop working once the new ones are ready."""
    made = opened(world)
    building = letter_batches.buildings_of(made.meeting)[0][0]
    holder = next(v for v in made.voters if v.building == building)
    old = credentials.issue(holder, None)
    db.session.commit()
    url = f"/meetings/{made.meeting.id}/letter-batches"
    body = refused(world.convener.post(url, {"building": building}), 409, "letters_in_hand")
    assert body["details"] == {"field": "replace"}
    refused(world.convener.post(url, {"building": None, "replace": False}), 409, "letters_in_hand")
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0
    assert credentials.find(token=old.token) is not None  # refused: the letter in hand still works

    response = world.convener.post(url, {"building": building, "replace": True})
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "done"
    assert credentials.find(token=old.token) is None


def test_the_drop_off_place_is_set_with_the_window_and_shown(world: World) -> None:
    meeting = draft(world)
    place = {"contact_phone": "0575-87003333", "paper_place": "1幢物业服务中心"}
    response = world.convener.put(f"/meetings/{meeting.id}/configuration", {**window_now(), **place})
    assert response.status_code == 200, response.get_json()
    shown = world.convener.get(f"/meetings/{meeting.id}").get_json()
    assert (shown["contact_phone"], shown["paper_place"]) == (place["contact_phone"], place["paper_place"])
    too_long = {**window_now(), "paper_place": "很" * 81}
    refused(world.convener.put(f"/meetings/{meeting.id}/configuration", too_long), 422, "http_422")


def test_without_the_chinese_font_letters_are_503(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    made = opened(world)
    monkeypatch.setattr(letters, "font_available", lambda: False)
    body = refused(world.convener.post(f"/meetings/{made.meeting.id}/letter-batches", {}), 503, "font_missing")
    assert "fonts-noto-cjk" in body["message"]
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0


# --- paper ballots ----------------------------------------------------------------------------------------------------


def marks(made: OpenMeeting, answer: str = "yes", picked: int = 3) -> dict[str, Any]:
    return {
        str(made.motion.id): answer,
        str(made.meeting.matters[1].id): None,
        str(made.election.id): [c.id for c in made.election.candidates[:picked]],
    }


def ballot_of(voter: MeetingVoter) -> Ballot | None:
    db.session.expire_all()
    return db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).first()


def test_two_tellers_enter_a_paper_ballot_that_then_counts(world: World) -> None:
    made = opened(world)
    voter = made.voters[4]
    url = f"/meetings/{made.meeting.id}/paper-entries"
    entry = {"code": paper.paper_code(voter), "choices": marks(made)}
    first = world.tellers[0].post(url, entry)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["status"], first.get_json()["voter_id"]) == ("pending", voter.id)
    assert "choices" not in first.get_json()  # the marks are not repeated
    assert ballot_of(voter) is None  # one entry never counts
    refused(world.tellers[0].post(url, entry), 409, "same_teller")

    second = world.tellers[1].post(url, {**entry, "code": entry["code"].lower()})
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["status"] == "matched"
    ballot = ballot_of(voter)
    assert ballot is not None
    assert ballot.channel == "paper"
    turnout = world.convener.get(f"/meetings/{made.meeting.id}/turnout").get_json()
    assert turnout["overall"]["voted_heads"] == 1
    voters = world.convener.get(f"/meetings/{made.meeting.id}/voters").get_json()["voters"]
    assert [v["id"] for v in voters if v["has_voted"]] == [voter.id]


def test_disagreeing_entries_wait_in_the_queue(world: World) -> None:
    made = opened(world)
    voter = made.voters[5]
    url = f"/meetings/{made.meeting.id}/paper-entries"
    code = paper.paper_code(voter)
    world.tellers[0].post(url, {"code": code, "choices": marks(made, "yes")})
    second = world.tellers[1].post(url, {"code": code, "choices": marks(made, "no")})
    assert second.get_json()["status"] == "mismatch"
    assert ballot_of(voter) is None
    [queued] = world.tellers[0].get(f"/meetings/{made.meeting.id}/paper-queue").get_json()
    assert (queued["voter_id"], queued["paper_code"], queued["building"]) == (voter.id, code, voter.building)
    assert [e["choices"][str(made.motion.id)] for e in queued["entries"]] == ["yes", "no"]
    assert {e["teller_id"] for e in queued["entries"]} == {u.id for u in world.teller_users}
    # a third entry that agrees with one of them settles it
    third = world.convener.post(url, {"code": code, "choices": marks(made, "no")})
    assert third.get_json()["status"] == "matched"
    assert world.tellers[0].get(f"/meetings/{made.meeting.id}/paper-queue").get_json() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "²-ABCD", "choices": {}}, "http_422"),  # a digit that int() refuses
        ({"code": "1-" + "A" * 30, "choices": {}}, "http_422"),
        ({"code": "99999999-ABCD", "choices": {}}, "invalid_paper_code"),
        ({"code": "OK", "choices": {str(n): None for n in range(101)}}, "http_422"),  # too many matters
        ({"code": "OK", "choices": {"1": [[1]]}}, "http_422"),
        ({"code": "OK", "choices": {"1": "maybe"}}, "http_422"),
        ({"code": "OK", "choices": {"1": [2**31]}}, "http_422"),
        ({"code": "OK", "choices": {"x": "yes"}}, "http_422"),
        ({"code": "OK", "choices": {"MOTION": "maybe"}}, "http_422"),
        ({"code": "OK", "choices": {"ELECTION": ["1"]}}, "http_422"),
        ({"code": "OK", "choices": {"MOTION": [1]}}, "invalid_choice"),
        ({"code": "OK", "choices": {"ELECTION": "yes"}}, "invalid_choice"),
    ],
)
def test_a_malformed_entry_is_refused(world: World, body: dict[str, Any], code: str) -> None:
    made = opened(world)
    raw = json.dumps(body).replace('"OK"', json.dumps(paper.paper_code(made.voters[0])))
    raw = raw.replace('"MOTION"', f'"{made.motion.id}"').replace('"ELECTION"', f'"{made.election.id}"')
    response = world.tellers[0].post(f"/meetings/{made.meeting.id}/paper-entries", json.loads(raw))
    refused(response, 422, code)
    assert ballot_of(made.voters[0]) is None


# --- turnout ----------------------------------------------------------------------------------------------------------


def participation(voters: list[MeetingVoter], voted: set[int]) -> Participation:
    return Participation(
        voted_heads=sum(1 for v in voters if v.id in voted),
        total_heads=len(voters),
        voted_area_centi=sum(v.area_centi for v in voters if v.id in voted),
        total_area_centi=sum(v.area_centi for v in voters),
    )


def cents(area: str) -> int:
    whole, _, part = area.partition(".")
    return int(whole) * 100 + int(part)


def test_the_turnout_counts_heads_and_area_against_the_two_thirds_line(world: World) -> None:
    made = opened(world)
    cast = made.voters[::3]
    for voter in cast:
        ballots.cast(voter, marks(made), "phone")
    db.session.commit()
    voted = {v.id for v in cast}
    expected = participation(made.voters, voted)
    for caller in (world.convener, world.township_observer):
        body = caller.get(f"/meetings/{made.meeting.id}/turnout").get_json()
        overall = body["overall"]
        assert (overall["voted_heads"], overall["total_heads"]) == (len(cast), len(made.voters))
        assert overall["heads_line"] == -(-2 * len(made.voters) // 3)
        assert overall["heads_needed"] == expected.heads_needed > 0
        assert cents(overall["voted_area"]) == expected.voted_area_centi
        assert cents(overall["total_area"]) == expected.total_area_centi
        assert cents(overall["area_needed"]) == expected.area_needed_centi
        assert overall["meets_quorum"] is False
        buildings = {row["building"]: row for row in body["buildings"]}
        assert set(buildings) == {v.building for v in made.voters}
        for name, row in buildings.items():
            mine = participation([v for v in made.voters if v.building == name], voted)
            assert (row["voted_heads"], row["total_heads"], cents(row["voted_area"])) == (
                mine.voted_heads,
                mine.total_heads,
                mine.voted_area_centi,
            )
    refused(world.observer.get(f"/meetings/{made.meeting.id}/turnout"), 403, "forbidden")
    refused(world.tellers[0].get(f"/meetings/{made.meeting.id}/turnout"), 403, "forbidden")


def test_the_line_is_met_when_two_thirds_have_voted(world: World) -> None:
    made = opened(world)
    for voter in made.voters:
        ballots.cast(voter, marks(made), "phone")
    db.session.commit()
    overall = world.convener.get(f"/meetings/{made.meeting.id}/turnout").get_json()["overall"]
    assert (overall["heads_needed"], overall["area_needed"], overall["meets_quorum"]) == (0, "0.00", True)
    assert (overall["heads_percent"], overall["area_percent"]) == ("100.0", "100.0")


# --- secrecy: who voted, never how ------------------------------------------------------------------------------------


def test_no_response_says_how_anyone_voted(world: World) -> None:
    made = opened(world)
    voter = made.voters[2]
    candidates = [c.id for c in made.election.candidates]
    cast = ballots.cast(
        voter,
        {str(made.motion.id): "abstain", str(made.meeting.matters[1].id): "no", str(made.election.id): candidates[3:5]},
        "phone",
    )
    db.session.commit()
    meeting_id = made.meeting.id
    responses = {
        url: world.convener.get(url).get_data(as_text=True)
        for url in (
            f"/meetings/{meeting_id}",
            f"/meetings/{meeting_id}/voters",
            f"/meetings/{meeting_id}/turnout",
            f"/meetings/{meeting_id}/paper-queue",
            f"/communities/{world.community.id}/meetings",
        )
    }
    responses["credential"] = world.convener.post(f"/meeting-voters/{voter.id}/credential").get_data(as_text=True)
    for url, text in responses.items():
        for secret in ('"abstain"', '"no"', cast.ballot.receipt_code, cast.ballot.receipt_sha256, cast.ballot.nonce):
            assert secret not in text, (url, secret)
        assert "choices" not in text, url
    voters = json.loads(responses[f"/meetings/{meeting_id}/voters"])["voters"]
    assert next(v for v in voters if v["id"] == voter.id)["has_voted"] is True  # who voted may be shown

    # the document: no response schema carries a ballot's choices, only the tellers' queue of paper entries
    document = world.convener.client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    with_choices = {name for name, schema in schemas.items() if "choices" in schema.get("properties", {})}
    assert with_choices == {"PaperEntryIn", "QueuedEntry"}
    assert not any("/ballot" in path or "/cast" in path for path in document["paths"])  # no casting for others


# --- scope and rights -------------------------------------------------------------------------------------------------


@pytest.fixture
def batch_of(world: World) -> tuple[OpenMeeting, LetterBatch]:
    made = opened(world)
    batch = letter_batches.start_batch(made.meeting, made.voters[0].building, "http://localhost", world.official.id)
    db.session.commit()
    return made, batch


def test_another_townships_official_finds_nothing(world: World, batch_of: tuple[OpenMeeting, LetterBatch]) -> None:
    made, batch = batch_of
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for method, url, body in every_operation(made.meeting, made.voters[1], batch):
        response = world.stranger.call(method, url, body)
        assert response.status_code == 404, (method, url, response.get_json())
    # and a draft meeting's matter
    meeting = gen_meeting(world.community, world.official, announced=False)
    db.session.commit()
    assert world.stranger.delete(f"/matters/{meeting.matters[0].id}").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


CHANGES = {
    "POST /communities/{id}/meetings",
    "PUT /meetings/{id}/configuration",
    "POST /meetings/{id}/matters",
    "DELETE /matters/{id}",
    "POST /meetings/{id}/announcement",
    "POST /meetings/{id}/opening",
    "GET /meetings/{id}/voters",
    "POST /meeting-voters/{id}/credential",
    "POST /meetings/{id}/letter-batches",
    "GET /letter-batches/{id}",
    "GET /letter-batches/{id}/pdf",
    "POST /letter-batches/{id}/cancel",
}
PAPER = {"POST /meetings/{id}/paper-entries", "GET /meetings/{id}/paper-queue"}
TURNOUT = {"GET /meetings/{id}/turnout"}


def shape(method: str, url: str) -> str:
    return f"{method} {re.sub(r'/[0-9]+', '/{id}', url)}"


def test_an_observer_reads_but_changes_nothing(world: World, batch_of: tuple[OpenMeeting, LetterBatch]) -> None:
    """A community observer reads the meetings; everything else is 403, checked before the body is read (an invalid
    body still gets 403)."""
    made, batch = batch_of
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for method, url, body in every_operation(made.meeting, made.voters[1], batch):
        response = world.observer.call(method, url, body)
        if shape(method, url) in CHANGES | PAPER | TURNOUT:
            refused(response, 403, "forbidden")
            if method != "GET":
                refused(
                    world.observer.call(method, url, {"category": "x", "building": 7, "code": None}), 403, "forbidden"
                )
        else:
            assert response.status_code == 200, (method, url)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_tellers_enter_paper_only(world: World, batch_of: tuple[OpenMeeting, LetterBatch]) -> None:
    made, batch = batch_of
    for method, url, body in every_operation(made.meeting, made.voters[1], batch):
        if shape(method, url) in CHANGES | TURNOUT:
            refused(world.tellers[0].call(method, url, body), 403, "forbidden")


def test_the_township_observer_follows_the_turnout_only(
    world: World, batch_of: tuple[OpenMeeting, LetterBatch]
) -> None:
    made, batch = batch_of
    for method, url, body in every_operation(made.meeting, made.voters[1], batch):
        response = world.township_observer.call(method, url, body)
        if shape(method, url) in CHANGES | PAPER:
            refused(response, 403, "forbidden")
        else:
            assert response.status_code == 200, (method, url)


def test_an_unknown_id_is_not_found(world: World) -> None:
    for url, code in (
        ("/meetings/999999", "meeting_not_found"),
        ("/letter-batches/999999", "letter_batch_not_found"),
        ("/meetings/999999/turnout", "meeting_not_found"),
    ):
        refused(world.convener.get(url), 404, code)
    refused(world.convener.delete("/matters/999999"), 404, "matter_not_found")
    refused(world.convener.post("/meeting-voters/999999/credential"), 404, "voter_not_found")
