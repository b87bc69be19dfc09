"""Results through /api/v1 with bearer tokens (issue 7 item 9): close, settle paper, count, read the result, download
the package, publish, objections, certify or refuse, verify; each operation's success and its refusals: scope (another
township's official gets 404), rights (403), and the services' refusals as JSON errors with their codes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.api import results as results_api
from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role
from app.communities.models import Community
from app.extensions import db
from app.results.models import Result
from app.results.verify import passed, verify_package
from app.roll.services import today
from app.voting import ballots, paper
from app.voting.models import Meeting, MeetingVoter
from app.voting.paper_models import PaperEntry
from tests.api.test_voting_api import Api, api_of, refused
from tests.factories import gen_member, gen_official, gen_township
from tests.results.helpers_lifecycle import Voted, choices, end_window, gen_voted, owner_voters


@dataclass
class World:
    voted: Voted
    official: Api
    other_official: Api
    convener: Api
    teller: Api
    observer: Api
    stranger: Api
    teller_ids: tuple[int, int]

    @property
    def meeting(self) -> Meeting:
        return self.voted.meeting


@pytest.fixture
def world(app: Flask, client: Any) -> World:
    """A meeting where 90% of the owners voted by phone; its township's two officials, the community's group leader
    (a convener), a teller and an observer, and an official of another township."""
    voted = gen_voted()
    tellers = (gen_member(voted.community, role=Role.TELLER), gen_member(voted.community, role=Role.TELLER))
    made = World(
        voted=voted,
        official=api_of(client, voted.official),
        other_official=api_of(client, voted.other_official),
        convener=api_of(client, gen_member(voted.community, group_role=GroupRole.LEADER)),
        teller=api_of(client, tellers[0]),
        observer=api_of(client, gen_member(voted.community, role=Role.OBSERVER)),
        stranger=api_of(client, gen_official(gen_township())),
        teller_ids=(tellers[0].id, tellers[1].id),
    )
    db.session.commit()
    return made


def closed(world: World) -> World:
    end_window(world.meeting)
    db.session.commit()
    assert world.convener.post(f"/meetings/{world.meeting.id}/close").status_code == 200
    return world


def counted(world: World, by: Api | None = None) -> dict[str, Any]:
    closed(world)
    api = by or world.official
    response = api.post(f"/meetings/{world.meeting.id}/count")
    assert response.status_code == 202, response.get_json()
    run = response.get_json()
    assert (run["status"], run["progress"], run["failure"]) == ("done", 100, None)  # eager: the worker ran inline
    assert api.get(f"/meetings/{world.meeting.id}/count").get_json() == run
    body: dict[str, Any] = api.get(f"/results/{run['result_id']}").get_json()
    return body


def published(world: World) -> dict[str, Any]:
    result = counted(world)
    response = world.convener.post(f"/results/{result['id']}/publish")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def after_notice(monkeypatch: pytest.MonkeyPatch, result: dict[str, Any]) -> None:
    """Make the API's ``today()`` the day after the result's notice ends."""
    day = date.fromisoformat(result["objections_until"]) + timedelta(days=1)
    monkeypatch.setattr(results_api, "today", lambda: day)


def send(api: Api, body: str | bytes, query: str = "") -> Any:
    """POST a package's own bytes to /verify, as a client sends a downloaded file."""
    return api.client.post(f"/api/v1/verify{query}", data=body, headers=api.headers)


def rows() -> tuple[int | None, int | None]:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEvent.seq))), db.session.scalar(select(func.count(Result.id)))


def stored(result_id: int) -> Result:
    db.session.expire_all()  # the requests changed it in their own sessions
    return db.session.get_one(Result, result_id)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def every_operation(meeting_id: int, result_id: int, objection_id: int) -> list[tuple[str, str, Any]]:
    """Each operation of the results API, aimed at real objects, with a valid body."""
    return [
        ("POST", f"/meetings/{meeting_id}/close", {}),
        ("GET", f"/meetings/{meeting_id}/unsettled-paper", None),
        ("POST", f"/meetings/{meeting_id}/paper-exclusions", {"voter_id": 1, "reason": "原件污损"}),
        ("POST", f"/meetings/{meeting_id}/count", {}),
        ("GET", f"/meetings/{meeting_id}/count", None),
        ("POST", f"/meetings/{meeting_id}/count/cancel", {}),
        ("GET", f"/meetings/{meeting_id}/result", None),
        ("GET", f"/results/{result_id}", None),
        ("GET", f"/results/{result_id}/package", None),
        ("POST", f"/results/{result_id}/publish", {}),
        ("POST", f"/results/{result_id}/objections", {"objector": "张三 1幢101", "text": "计票有误"}),
        ("POST", f"/result-objections/{objection_id}/answer", {"answer": "已核对"}),
        ("POST", f"/results/{result_id}/certify", {}),
        ("POST", f"/results/{result_id}/refuse", {"reason": "程序不当"}),
        ("POST", "/verify", {}),
    ]


def shape(method: str, url: str) -> str:
    return f"{method} {re.sub(r'/[0-9]+', '/{id}', url)}"


def test_every_operation_is_listed(world: World) -> None:
    document = world.official.client.get("/api/v1/openapi.json").get_json()
    documented = {
        f"{method.upper()} {re.sub(r'[{][a-z_]+[}]', '{id}', path.removeprefix('/api/v1'))}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and "api_results" in operation["tags"]
    }
    assert documented == {shape(method, url) for method, url, _ in every_operation(1, 2, 3)}


# --- closing ----------------------------------------------------------------------------------------------------


def test_the_convener_closes_early_only_once_everyone_has_voted(world: World) -> None:
    meeting_id = world.meeting.id
    refused(world.convener.post(f"/meetings/{meeting_id}/close"), 409, "voters_left")  # 10% have not voted
    owners = owner_voters(world.voted)
    for voter in owners[round(len(owners) * 0.9) :]:  # those gen_voted left out
        ballots.cast(voter, choices(world.voted.opened), "phone")
    developer = next(v for v in world.voted.opened.voters if v.is_developer)
    ballots.cast(developer, choices(world.voted.opened, "no"), "phone")
    db.session.commit()
    response = world.convener.post(f"/meetings/{meeting_id}/close")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["status"], body["closed_now"]) == (meeting_id, "closed", True)
    assert body["closed_at"].endswith("+08:00")
    again = world.convener.post(f"/meetings/{meeting_id}/close").get_json()
    assert (again["status"], again["closed_now"], again["closed_at"]) == ("closed", False, body["closed_at"])
    assert actions().count("meeting.close") == 1


def test_after_the_window_the_convener_closes_and_others_cannot(world: World) -> None:
    end_window(world.meeting)
    db.session.commit()
    url = f"/meetings/{world.meeting.id}/close"
    refused(world.teller.post(url), 403, "forbidden")
    refused(world.observer.post(url), 403, "forbidden")
    refused(world.stranger.post(url), 404, "meeting_not_found")
    refused(world.convener.post("/meetings/2147483647/close"), 404, "meeting_not_found")
    assert world.official.post(url).get_json()["closed_now"] is True


def test_a_draft_meeting_cannot_be_closed(world: World) -> None:
    from tests.voting.helpers import gen_meeting

    draft = gen_meeting(world.voted.community, world.voted.official)
    db.session.commit()
    refused(world.convener.post(f"/meetings/{draft.id}/close"), 409, "meeting_not_open")


# --- paper ballots still to settle ---------------------------------------------------------------------------------


def test_unsettled_paper_is_listed_without_marks_and_left_out_with_a_reason(world: World) -> None:
    late = owner_voters(world.voted)[-1]
    paper.record_entry(world.meeting, paper.paper_code(late), world.teller_ids[0], choices(world.voted.opened, "no"))
    closed(world)
    meeting_id = world.meeting.id

    listing = world.convener.get(f"/meetings/{meeting_id}/unsettled-paper")
    assert listing.status_code == 200
    (item,) = listing.get_json()
    assert (item["voter_id"], item["paper_code"], item["status"]) == (late.id, paper.paper_code(late), "pending")
    assert item["holder"] != late.holder_name
    assert "*" in item["holder"]
    assert [entry["teller_id"] for entry in item["entries"]] == [world.teller_ids[0]]
    assert '"no"' not in listing.get_data(as_text=True)
    assert "choices" not in listing.get_data(as_text=True)
    refused(world.teller.get(f"/meetings/{meeting_id}/unsettled-paper"), 403, "forbidden")
    refused(world.stranger.get(f"/meetings/{meeting_id}/unsettled-paper"), 404, "meeting_not_found")

    refused(world.official.post(f"/meetings/{meeting_id}/count"), 409, "paper_unsettled")
    url = f"/meetings/{meeting_id}/paper-exclusions"
    refused(world.teller.post(url, {"voter_id": late.id, "reason": "原件污损"}), 403, "forbidden")
    body = refused(world.convener.post(url, {"voter_id": late.id, "reason": "   "}), 422, "invalid_reason")
    assert body["details"] == {"field": "reason"}
    refused(world.convener.post(url, {"voter_id": late.id}), 422, "http_422")
    reason = "第二名计票人无法核对，选票原件污损"
    excluded = world.convener.post(url, {"voter_id": late.id, "reason": reason})
    assert excluded.status_code == 200, excluded.get_json()
    assert excluded.get_json() == {"voter_id": late.id, "entries": 1, "unsettled": 0}
    refused(world.convener.post(url, {"voter_id": late.id, "reason": reason}), 404, "nothing_to_exclude")
    assert world.convener.get(f"/meetings/{meeting_id}/unsettled-paper").get_json() == []
    assert db.session.scalar(select(PaperEntry.status).where(PaperEntry.meeting_voter_id == late.id)) == "excluded"

    result = {"id": world.official.post(f"/meetings/{meeting_id}/count").get_json()["result_id"]}
    package = json.loads(world.official.get(f"/results/{result['id']}/package").data)
    assert package["excluded"] == [{"entries": 1, "reason": reason}]
    refused(world.convener.post(url, {"voter_id": late.id, "reason": reason}), 409, "meeting_not_closed")
    assert "paper.exclude" in actions()


# --- counting and reading the result ---------------------------------------------------------------------------


def test_counting_needs_a_closed_meeting_and_the_convener(world: World) -> None:
    url = f"/meetings/{world.meeting.id}/count"
    refused(world.convener.post(url), 409, "meeting_not_closed")
    refused(world.official.get(f"/meetings/{world.meeting.id}/result"), 404, "result_not_found")
    refused(world.official.get(url), 404, "count_not_started")
    end_window(world.meeting)
    db.session.commit()
    refused(world.teller.post(url), 403, "forbidden")
    refused(world.stranger.post(url), 404, "meeting_not_found")
    assert db.session.scalar(select(func.count(Result.id))) == 0


def test_the_convener_counts_and_whoever_sees_the_community_reads_the_result(world: World) -> None:
    result = counted(world, by=world.convener)
    assert (result["meeting_id"], result["community_id"], result["status"]) == (
        world.meeting.id,
        world.voted.community.id,
        "counted",
    )
    row = stored(result["id"])
    assert result["package_sha256"] == row.package_sha256
    assert result["counted_at"].endswith("+08:00")
    assert (result["published_on"], result["objections_until"], result["decided_at"]) == (None, None, None)
    assert sorted(signer["role"] for signer in result["signers"]) == ["convener", "platform"]
    assert result["outcome"] == row.outcome
    assert result["tally"] == json.loads(row.package)["tally"]
    rules, _covenant, election = world.meeting.matters
    assert result["labels"]["matters"][str(rules.id)] == rules.title
    assert result["tally"]["matters"][str(rules.id)]["passed"] is True
    assert str(election.candidates[0].id) in result["labels"]["candidates"]
    assert result["objections"] == []
    assert "result.count" in actions()

    refused(world.official.post(f"/meetings/{world.meeting.id}/count"), 409, "already_counted")
    for reader in (world.observer, world.teller, world.official, world.convener):
        assert reader.get(f"/meetings/{world.meeting.id}/result").get_json() == result
        assert reader.get(f"/results/{result['id']}").get_json() == result
    refused(world.stranger.get(f"/meetings/{world.meeting.id}/result"), 404, "meeting_not_found")
    refused(world.stranger.get(f"/results/{result['id']}"), 404, "result_not_found")
    refused(world.stranger.get(f"/results/{result['id']}/package"), 404, "result_not_found")


def test_the_package_download_is_the_stored_text_and_verifies(world: World) -> None:
    result = counted(world)
    download = world.observer.get(f"/results/{result['id']}/package")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.get_data(as_text=True) == stored(result["id"]).package
    assert passed(verify_package(json.loads(download.data)))

    verified = send(world.observer, download.data)
    assert verified.status_code == 200
    body = verified.get_json()
    assert body["ok"] is True
    assert body["package_sha256"] == result["package_sha256"]
    assert all(check["ok"] and check["detail"] == "" for check in body["checks"])
    assert {check["name"] for check in body["checks"]} >= {"format", "roll root", "ledger root", "tally"}
    assert sorted(s["role"] for s in body["signers"]) == ["convener", "platform"]
    township = send(world.observer, download.data, "?township=true").get_json()
    assert township["ok"] is False
    missing = next(check for check in township["checks"] if check["name"] == "signatures present")
    assert "township" in missing["detail"]


def test_verify_names_the_failed_check_of_a_tampered_package_and_stores_nothing(world: World) -> None:
    result = counted(world)
    text = stored(result["id"]).package
    rows_before = rows()
    changed = re.sub(r'"heads":(\d)', lambda m: f'"heads":{(int(m.group(1)) + 1) % 10}', text, count=1)
    body = send(world.stranger, changed).get_json()
    assert body["ok"] is False
    failed = [check["name"] for check in body["checks"] if not check["ok"]]
    assert "roll root" in failed
    roll_root = next(check for check in body["checks"] if check["name"] == "roll root")
    assert roll_root["detail"] == "the roll's voters do not give its root"
    assert roll_root["name_zh"]

    shapeless = world.stranger.post("/verify", [1, 2]).get_json()
    assert shapeless["ok"] is False
    assert [check["name"] for check in shapeless["checks"]] == ["structure"]
    assert shapeless["package_sha256"] is None
    deep = send(world.stranger, "[" * 5000 + "]" * 5000)
    refused(deep, 422, "not_json")
    refused(send(world.stranger, b"not json"), 422, "not_json")
    twice = send(world.stranger, '{"format":1,"format":2}')
    refused(twice, 422, "not_json")
    anonymous = world.stranger.client.post("/api/v1/verify", data=text)
    refused(anonymous, 401, "unauthenticated")
    assert rows() == rows_before


# --- publication, objections, certification ------------------------------------------------------------------


def test_publish_objections_answers_and_certification(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    result = counted(world)  # counted by the township official: the other one must certify
    result_id = result["id"]
    refused(
        world.convener.post(f"/results/{result_id}/objections", {"objector": "张三", "text": "有误"}),
        409,
        "not_published",
    )
    refused(world.teller.post(f"/results/{result_id}/publish"), 403, "forbidden")
    refused(world.stranger.post(f"/results/{result_id}/publish"), 404, "result_not_found")
    response = world.convener.post(f"/results/{result_id}/publish")
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert (result["status"], result["published_on"]) == ("published", today().isoformat())
    assert result["objections_until"] > result["published_on"]
    refused(world.convener.post(f"/results/{result_id}/publish"), 409, "not_counted")

    url = f"/results/{result_id}/objections"
    refused(world.teller.post(url, {"objector": "张三丰 1幢101", "text": "计票有误"}), 403, "forbidden")
    refused(world.convener.post(url, {"objector": "张三丰 1幢101"}), 422, "http_422")
    recorded = world.convener.post(url, {"objector": "张三丰 1幢101", "text": "1幢的面积有误"})
    assert recorded.status_code == 201, recorded.get_json()
    objection = recorded.get_json()
    assert (objection["result_id"], objection["objector"], objection["answer"]) == (result_id, "张三丰 1幢101", None)
    assert objection["received_on"] == today().isoformat()
    seen_by_observer = world.observer.get(f"/results/{result_id}").get_json()["objections"]
    assert seen_by_observer[0]["objector"] != "张三丰 1幢101"
    assert seen_by_observer[0]["objector"].startswith("张*")
    assert world.convener.get(f"/results/{result_id}").get_json()["objections"][0]["objector"] == "张三丰 1幢101"

    certify = f"/results/{result_id}/certify"
    refused(world.other_official.post(certify), 409, "notice_running")
    refused(world.convener.post(certify), 403, "forbidden")  # the group leader convenes but does not certify
    refused(world.stranger.post(certify), 404, "result_not_found")
    after_notice(monkeypatch, result)
    refused(world.convener.post(url, {"objector": "李四", "text": "晚了"}), 409, "notice_over")
    refused(world.other_official.post(certify), 409, "objections_open")

    answer = f"/result-objections/{objection['id']}/answer"
    refused(world.teller.post(answer, {"answer": "已核对"}), 403, "forbidden")
    refused(world.stranger.post(answer, {"answer": "已核对"}), 404, "objection_not_found")
    refused(world.convener.post(answer, {"answer": ""}), 422, "http_422")
    answered = world.convener.post(answer, {"answer": "经核对，面积无误。"})
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["answer"] == "经核对，面积无误。"
    assert answered.get_json()["answered_at"].endswith("+08:00")
    refused(world.convener.post(answer, {"answer": "再答"}), 409, "already_answered")

    refused(world.official.post(certify), 403, "four_eyes")  # the official who counted it
    certified = world.other_official.post(certify)
    assert certified.status_code == 200, certified.get_json()
    body = certified.get_json()
    assert body["status"] == "certified"
    assert body["decided_at"].endswith("+08:00")
    assert sorted(s["role"] for s in body["signers"]) == ["convener", "platform", "township"]
    assert body["objections"][0]["answer"] == "经核对，面积无误。"
    assert body["package_sha256"] == result["package_sha256"]  # the township signs the body hash; the body is unchanged
    refused(world.other_official.post(certify), 409, "not_published")

    package = world.official.get(f"/results/{result_id}/package")
    assert package.get_data(as_text=True) == stored(result_id).package
    assert passed(verify_package(json.loads(package.data), require_township=True))
    verified = send(world.official, package.data, "?township=true")
    assert verified.get_json()["ok"] is True
    db.session.expire_all()
    community = db.session.get_one(Community, world.voted.community.id)
    assert community.governance == body["outcome"]["governance"] != "preparing"
    assert {"result.publish", "result.objection", "result.answer", "result.certify"} <= set(actions())


def test_the_township_refuses_with_reasons_after_the_notice(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    result = published(world)
    url = f"/results/{result['id']}/refuse"
    reasons = {"reason": "投票期间公告未按规定张贴。"}
    refused(world.other_official.post(url, reasons), 409, "notice_running")
    after_notice(monkeypatch, result)
    refused(world.convener.post(url, reasons), 403, "forbidden")
    refused(world.teller.post(url, reasons), 403, "forbidden")
    refused(world.stranger.post(url, reasons), 404, "result_not_found")
    refused(world.other_official.post(url, {"reason": ""}), 422, "http_422")
    refused(world.other_official.post(url, {"reason": "  \n "}), 422, "invalid_reason")
    refused(world.official.post(url, reasons), 403, "four_eyes")
    response = world.other_official.post(url, reasons)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["refusal_reason"]) == ("refused", reasons["reason"])
    assert sorted(s["role"] for s in body["signers"]) == ["convener", "platform"]
    db.session.expire_all()
    assert db.session.get_one(Community, world.voted.community.id).governance == "preparing"
    assert "result.refuse" in actions()


def test_no_response_says_how_a_named_voter_voted(world: World) -> None:
    """The result and the unsettled paper carry no choice next to a voter's name or id (DOMAIN §8)."""
    result = counted(world)
    body = world.official.get(f"/results/{result['id']}").get_data(as_text=True)
    voter = db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == world.meeting.id)).first()
    assert voter is not None
    assert voter.holder_name not in body
    assert voter.voter_key not in body
    assert "ledger" not in json.loads(body)
