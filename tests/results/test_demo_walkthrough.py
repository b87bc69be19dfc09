"""Issue 7's "done when", on the demo through the pages: 荷花苑 is closed, its paper ballot left out with a reason,
counted and published, objected to and answered; 柳岸花园's objection is answered and the township certifies it; the
certificate's QR code leads to the verification page; `gongjue verify` passes on the downloaded package and fails
on a copy with one changed digit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cli import main as gongjue
from app.communities.models import Community
from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.results.models import Result
from app.voting.models import Meeting
from tests.conftest import AuthActions


def meeting_of(name: str) -> Meeting:
    community = db.session.scalars(select(Community).where(Community.name == name)).one()
    return db.session.scalars(select(Meeting).where(Meeting.community_id == community.id)).one()


def result_of(meeting: Meeting) -> Result:
    db.session.expire_all()
    return db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).one()


def flashed_ok(response: Any) -> None:
    assert response.status_code == 302, response.status_code


def login(client: FlaskClient, auth: AuthActions, username: str) -> None:
    if client.get("/login").status_code == 302:
        auth.post("/logout")
    assert auth.login(username, DEMO_PASSWORD).status_code == 302


def test_close_settle_count_publish_object_answer_on_the_demo(app: Any, client: FlaskClient, auth: AuthActions) -> None:
    load_demo()
    client.get("/lang/en")
    login(client, auth, "jiyang1")
    meeting = meeting_of("荷花苑")
    page = f"/meetings/{meeting.id}/result"
    assert "close now" in client.get(page).get_data(as_text=True)
    flashed_ok(auth.post(f"/meetings/{meeting.id}/close", form_page=page))
    waiting = client.get(page).get_data(as_text=True)
    voter_id = re.search(r'name="voter_id" value="(\d+)"', waiting)
    assert voter_id is not None
    flashed_ok(auth.post(f"/meetings/{meeting.id}/count", form_page=page))
    assert db.session.query(Result).filter_by(meeting_id=meeting.id).count() == 0  # refused: paper not settled
    reason = {"voter_id": voter_id.group(1), "reason": "第二名计票人无法到场核对，该票不予计入"}
    flashed_ok(auth.post(f"/meetings/{meeting.id}/paper-exclusions", reason, form_page=page))
    flashed_ok(auth.post(f"/meetings/{meeting.id}/count", form_page=page))
    result = result_of(meeting)
    assert result.outcome["governance"] == "committee"
    flashed_ok(auth.post(f"/results/{result.id}/publish", form_page=page))
    objection_form = {"objector": "业主 1幢101", "text": "请公开计票过程。"}
    flashed_ok(auth.post(f"/results/{result.id}/objections", objection_form, page))
    objection = result_of(meeting).objections[0]
    flashed_ok(auth.post(f"/result-objections/{objection.id}/answer", {"answer": "计票过程见结果包。"}, page))
    assert result_of(meeting).objections[0].answer == "计票过程见结果包。"
    assert result_of(meeting).status == "published"


def test_answer_certify_and_verify_on_the_demo(
    app: Any, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    load_demo()
    client.get("/lang/en")
    meeting = meeting_of("柳岸花园")
    result = result_of(meeting)
    assert result.status == "published"
    assert result.outcome["governance"] == "established"  # rules and covenant passed, no committee formed
    login(client, auth, "jiyang1")
    page = f"/meetings/{meeting.id}/result"
    flashed_ok(auth.post(f"/results/{result.id}/certify", form_page=page))
    assert result_of(meeting).status == "published"  # refused: the objection has no answer yet
    objection = result.objections[0]
    flashed_ok(auth.post(f"/result-objections/{objection.id}/answer", {"answer": "纸质表决票已于开票前送达。"}, page))
    login(client, auth, "jiyang2")
    flashed_ok(auth.post(f"/results/{result.id}/certify", form_page=page))
    result = result_of(meeting)
    assert result.status == "certified"
    assert db.session.get(Community, meeting.community_id).governance == "established"  # type: ignore[union-attr]

    auth.post("/logout")
    digest = result.package_sha256
    verified = client.get(f"/r/{digest}/verify").get_data(as_text=True)
    assert 'id="checks" data-ok="true"' in verified
    assert 'data-check="signature township' in verified
    package = client.get(f"/r/{digest}/package.json").get_data(as_text=True)
    good, bad = tmp_path / "package.json", tmp_path / "changed.json"
    good.write_text(package, encoding="utf-8")
    document = json.loads(package)
    digit = re.search(r'"area":"(\d)', package)
    assert digit is not None
    changed = package[: digit.start(1)] + str((int(digit.group(1)) + 1) % 10) + package[digit.end(1) :]
    bad.write_text(changed, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(gongjue, ["verify", "--township", str(good)]).exit_code == 0
    failed = runner.invoke(gongjue, ["verify", str(bad)])
    assert failed.exit_code == 1
    assert "roll root" in failed.output
    assert document["format"] == "gongjue.result-package/2"
