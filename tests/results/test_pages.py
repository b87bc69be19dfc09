"""The result pages through HTTP: count, publish, public page, package, verification, owner's check, certification,
and the upload page refusing what is not a package (issue 7 items 5–8)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.results import closing, count_runs, encrypted, views
from app.results.models import Result
from app.roll.services import today
from app.voting.ballots import receipt_code
from app.voting.models import Ballot
from tests.conftest import AuthActions
from tests.results.helpers_lifecycle import Voted, choices, end_window, gen_voted


@pytest.fixture
def closed(app: Any, client: FlaskClient) -> Voted:
    client.get("/lang/en")
    voted = gen_voted()
    end_window(voted.meeting)
    closing.close(voted.meeting)
    db.session.commit()
    return voted


def result_of(voted: Voted) -> Result:
    db.session.expire_all()  # the requests changed it in their own sessions
    return db.session.query(Result).filter_by(meeting_id=voted.meeting.id).one()


def switch(client: FlaskClient, auth: AuthActions, username: str) -> None:
    if client.get("/login").status_code == 302:
        auth.post("/logout")
    auth.login(username)


def test_the_whole_way_from_count_to_certificate(
    client: FlaskClient, auth: AuthActions, closed: Voted, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch(client, auth, closed.official.username)
    page = f"/meetings/{closed.meeting.id}/result"
    assert "Count and sign the result" in client.get(page).get_data(as_text=True)
    assert auth.post(f"/meetings/{closed.meeting.id}/count", form_page=page).status_code == 302
    result = result_of(closed)
    digest = result.package_sha256
    auth.post("/logout")
    assert client.get(f"/r/{digest}").status_code == 404  # counted, not published: not public
    switch(client, auth, closed.official.username)
    assert auth.post(f"/results/{result.id}/publish", form_page=page).status_code == 302
    auth.post("/logout")

    public = client.get(f"/r/{digest}").get_data(as_text=True)
    assert "Preliminary result, published for objections" in public
    assert digest in public
    package = client.get(f"/r/{digest}/package.json")
    assert json.loads(package.data)["format"] == "gongjue.result-package/2"
    checks = client.get(f"/r/{digest}/verify").get_data(as_text=True)
    assert 'data-ok="true"' in checks
    assert 'data-ok="false"' not in checks

    ballot = db.session.query(Ballot).filter_by(meeting_id=closed.meeting.id).first()
    assert ballot is not None
    found = client.get(f"/r/{digest}/check?receipt={receipt_code(ballot.receipt_sha256).lower()}")
    assert found.status_code == 200
    text = found.get_data(as_text=True)
    assert 'data-ballot-verified="true"' in text
    assert 'data-roll-verified="true"' in text
    assert client.get(f"/r/{digest}/check?receipt=AAAA-BBBB-CC").status_code == 404

    after = (result_of(closed).objections_until or today()) + timedelta(days=1)
    monkeypatch.setattr(views, "today", lambda: after)
    # the official who counted and published is not offered the decision (four eyes; issue 19 item 7)
    switch(client, auth, closed.official.username)
    own = client.get(page).get_data(as_text=True)
    assert 'data-decision="four_eyes"' in own
    assert f"/results/{result.id}/certify" not in own
    switch(client, auth, closed.other_official.username)
    assert f'action="/results/{result.id}/certify"' in client.get(page).get_data(as_text=True)
    assert auth.post(f"/results/{result.id}/certify", form_page=page).status_code == 302
    assert result_of(closed).status == "certified"
    auth.post("/logout")
    certificate = client.get(f"/r/{digest}/certificate.pdf")
    certificate.close()
    assert certificate.status_code == 200
    assert certificate.mimetype == "application/pdf"
    verified = client.get(f"/r/{digest}/verify").get_data(as_text=True)
    assert 'data-check="signature township' in verified
    assert 'data-ok="false"' not in verified


def test_the_upload_page_verifies_a_package_and_names_a_changed_digit(
    client: FlaskClient, auth: AuthActions, closed: Voted
) -> None:
    switch(client, auth, closed.official.username)
    page = f"/meetings/{closed.meeting.id}/result"
    auth.post(f"/meetings/{closed.meeting.id}/count", form_page=page)
    text = result_of(closed).package
    auth.post("/logout")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/verify").get_data(as_text=True))
    assert token is not None

    def upload(data: bytes) -> Any:
        return client.post(
            "/verify",
            data={"csrf_token": token.group(1), "package": (io.BytesIO(data), "p.json")},
            content_type="multipart/form-data",
        )

    assert 'data-ok="true"' in upload(text.encode()).get_data(as_text=True)
    changed = re.sub(r'"heads":(\d)', lambda m: f'"heads":{(int(m.group(1)) + 1) % 10}', text, count=1)
    failed = upload(changed.encode()).get_data(as_text=True)
    assert 'id="checks" data-ok="false"' in failed
    assert 'data-check="roll root" data-ok="false"' in failed
    for not_a_package in (b"[" * 100_000, b'{"format": 1, "format": 2}'):  # nested too deep; a key twice
        assert upload(not_a_package).status_code == 422
    refused = upload(b"not json")
    assert refused.status_code == 422
    assert "not JSON" in refused.get_data(as_text=True)


def test_only_the_convener_counts_and_nothing_changes_otherwise(
    client: FlaskClient, auth: AuthActions, closed: Voted
) -> None:
    from app.auth.models import Role
    from tests.factories import gen_member

    teller = gen_member(closed.community, role=Role.TELLER)
    db.session.commit()
    switch(client, auth, teller.username)
    response = auth.post(f"/meetings/{closed.meeting.id}/count", form_page="/account/tokens")
    assert response.status_code == 403
    assert db.session.query(Result).count() == 0


def test_the_owners_receipt_page_leads_to_their_check_once_the_result_is_published(app: Any) -> None:
    from app.results import certification
    from tests.voting.test_ballot_pages import verified

    voted = gen_voted(share=0.0)
    browser = verified(app, voted.opened)
    from app.voting import ballots

    ballot = ballots.cast(browser.voter, choices(voted.opened), "phone").ballot
    end_window(voted.meeting)
    closing.close(voted.meeting)
    result = count_runs.count(voted.meeting, voted.official.id)
    db.session.commit()
    assert "check that your ballot was counted" not in browser.get("/v/receipt").get_data(as_text=True)
    assert browser.get("/v/my-ballot.json").status_code == 302  # not before publication
    certification.publish(result, today())
    db.session.commit()
    page = browser.get("/v/receipt").get_data(as_text=True)
    link = f"/r/{result.package_sha256}/check?receipt={ballot.receipt_sha256}"
    assert link in page
    assert 'data-ballot-verified="true"' in browser.get(link).get_data(as_text=True)

    # issue 17 item 4: the owner's own check file, from their link, proves the published ciphertexts are theirs
    assert "data-my-ballot" in page
    download = browser.get("/v/my-ballot.json")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert "attachment" in download.headers["Content-Disposition"]
    mine = download.get_json()
    assert (mine["format"], mine["receipt"]) == (encrypted.MY_BALLOT_FORMAT, ballot.receipt_sha256)
    package = json.loads(result.package)
    assert encrypted.my_ballot_matches(package, mine) == (True, "")
    rules = str(voted.meeting.matters[0].id)
    assert mine["questions"][rules]["yes"]["mark"] == 1  # the owner voted yes on every motion
    forged = json.loads(json.dumps(mine))
    forged["questions"][rules]["yes"]["mark"], forged["questions"][rules]["no"]["mark"] = 0, 1
    assert encrypted.my_ballot_matches(package, forged)[0] is False

    # without the second factor in this session there is no file
    stranger = app.test_client()
    assert stranger.get("/v/my-ballot.json").status_code == 302


def test_gongjue_verify_checks_an_owners_ballot_file(tmp_path: Any) -> None:
    """`gongjue verify PACKAGE --my-ballot FILE`, offline."""
    from click.testing import CliRunner

    from app.results.cli import verify_command
    from tests.results.test_encrypted_count import MATTERS, SEED, encrypted_body, make_ballots, make_voters

    voters = make_voters(12)
    plain = make_ballots(voters)
    body = encrypted_body(voters, plain)
    mine = encrypted.my_ballot(plain[0].receipt, plain[0].choices, list(MATTERS), SEED, body["meeting"]["id"])
    package_file, ballot_file = tmp_path / "package.json", tmp_path / "my-ballot.json"
    package_file.write_text(json.dumps(body), encoding="utf-8")
    ballot_file.write_text(json.dumps(mine), encoding="utf-8")
    outcome = CliRunner().invoke(verify_command, [str(package_file), "--my-ballot", str(ballot_file)])
    assert "✓ 我的选票" in outcome.output
    other = encrypted.my_ballot(plain[0].receipt, plain[1].choices, list(MATTERS), SEED, body["meeting"]["id"])
    ballot_file.write_text(json.dumps(other), encoding="utf-8")
    outcome = CliRunner().invoke(verify_command, [str(package_file), "--my-ballot", str(ballot_file)])
    assert "✗ 我的选票" in outcome.output
    assert outcome.exit_code == 1


def test_a_package_re_signed_with_keys_the_platform_never_published_fails_on_the_platforms_pages(
    client: FlaskClient, auth: AuthActions, closed: Voted
) -> None:
    """Anyone can sign a changed package with keys of their own; the platform's verification names it."""
    from tests.results.builders import make_package

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/verify").get_data(as_text=True))
    assert token is not None
    forged = json.dumps(make_package()).encode()
    page = client.post(
        "/verify",
        data={"csrf_token": token.group(1), "package": (io.BytesIO(forged), "p.json")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="checks" data-ok="false"' in page
    assert 'data-check="keys published" data-ok="false"' in page
    assert 'data-check="tally" data-ok="true"' in page  # everything else holds: only the keys give it away
    assert "签名公钥不是为该签名方公布的公钥" in page or "signed with keys not published" in page


def test_a_tied_election_says_what_its_run_off_decides_and_that_it_has_not_failed(
    client: FlaskClient, closed: Voted
) -> None:
    """DOMAIN §5 on the public page: the tie, what the run-off decides, and the committee pending it."""
    from app.results.package import package_hash
    from crypto.canonical import canonical_json
    from tests.results.test_pdf import TIE_ELECTION, VOTES, make_body

    body = make_body({owner: (m1, m2, TIE_ELECTION[owner]) for owner, (m1, m2, _) in VOTES.items()})
    result = Result(
        meeting_id=closed.meeting.id,
        status="published",
        package=canonical_json(body).decode(),
        package_sha256=package_hash(body),
        published_on=today(),
        objections_until=today() + timedelta(days=7),
        outcome={},
    )
    db.session.add(result)
    db.session.commit()
    page = client.get(f"/r/{result.package_sha256}").get_data(as_text=True)
    assert "the election has not failed" in page
    assert "Tied at rank 5: 杨帆、陈静. A run-off among them decides a member seat." in page
