"""The voters' letters (issue 6 item 3): an A4 page in Chinese per voter whose QR code decodes to the voter's own link
(a new credential; the voter's earlier letter stops working), made in batches per building or for the whole community
as one PDF by a Celery task with a progress bar, kept encrypted until its one download (or 24 hours), for the
community's preparers only, and never a token or code in the audit log."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.preparation.models import GroupMember, PreparatoryGroup
from app.privacy import mask_name
from app.voting import credentials, letter_batches, letters
from app.voting.letter_batches import LetterBatch
from app.voting.models import Credential, Meeting, MeetingVoter
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import refused
from tests.voting.helpers import OpenMeeting, gen_meeting, gen_open_meeting, issue_for

BASE_URL = "https://gongjue.example.cn"
CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")

needs_font = pytest.mark.skipif(
    not letters.font_available(),
    reason="the letters need Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)",
)


@dataclass
class World:
    community: Community
    opened: OpenMeeting
    official: User
    member: User
    observer: User
    stranger: User

    @property
    def meeting(self) -> Meeting:
        return self.opened.meeting


@pytest.fixture
def world(app: Flask) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    opened = gen_open_meeting(community, official)
    member = gen_member(community, group_role=GroupRole.LEADER)
    observer = gen_member(community, role=Role.OBSERVER)
    stranger = gen_member(gen_community(township, "别的小区"))
    db.session.flush()
    return World(community, opened, official, member, observer, stranger)


def with_leader(meeting: Meeting) -> None:
    """A preparatory group convening the meeting, led by 陈建国 (contact 0575-87001234)."""
    group = PreparatoryGroup(
        community_id=meeting.community_id, request_kind="developer_report", requested_on=date(2026, 8, 3)
    )
    group.members = [
        GroupMember(position=1, name="何秀珍", role="residents_committee", contact="0575-87005678"),
        GroupMember(position=2, name="陈建国", role="township", is_leader=True, contact="0575-87001234"),
    ]
    db.session.add(group)
    db.session.flush()
    meeting.group_id = group.id
    db.session.flush()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode()


def decoded_qr_codes(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """The texts of the QR codes on a page, rasterised at 150 dpi (a good phone photo of a printed page)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", "-png", "-f", str(page), "-l", str(page), str(path), str(prefix)],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob(f"page{page}*.png")
    return [result.text for result in zxingcpp.read_barcodes(Image.open(image))]


@dataclass(frozen=True)
class Secret:
    credential_id: int
    voter_id: int
    token: str
    code: str


class Issued:
    """Every credential issued while it listens (the secrets exist only in the letters otherwise)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.all: list[Secret] = []
        original = credentials.issue

        def issue(
            voter: MeetingVoter, user_id: int | None, made: tuple[str, str] | None = None
        ) -> credentials.IssuedCredential:
            issued = original(voter, user_id, made)
            self.all.append(Secret(issued.credential.id, voter.id, issued.token, issued.code))
            return issued

        monkeypatch.setattr(credentials, "issue", issue)


def one_letter(meeting: Meeting, voter: MeetingVoter, user_id: int | None) -> bytes:
    """One voter's letter with a new credential, as a batch writes each (app.voting.letter_batches)."""
    sheets = letters.LetterSheets(letters.letter_context(meeting, BASE_URL))
    issued = credentials.issue(voter, user_id)
    sheets.add(voter, issued.token, issued.code)
    return sheets.output()


class Printed:
    """The voters whose letters are printed, in the order of the PDF's pages."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.voter_ids: list[int] = []
        original = letters.LetterSheets.add

        def add(sheets: letters.LetterSheets, voter: MeetingVoter, token: str, code: str) -> None:
            self.voter_ids.append(voter.id)
            original(sheets, voter, token, code)

        monkeypatch.setattr(letters.LetterSheets, "add", add)


def credential_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.issue").order_by(AuditEvent.seq))
    )


# --- one letter -------------------------------------------------------------------------------------------------


@needs_font
def test_a_letters_qr_code_opens_the_voters_new_credential(world: World, tmp_path: Path) -> None:
    """The decoded link is `{base}/v?t=<token>`; the token finds the new credential of that voter, and the letter the
    voter held before no longer works."""
    if not shutil.which("pdftoppm"):
        pytest.skip("decoding the QR code needs pdftoppm (poppler-utils)")
    voter = world.opened.voters[3]
    earlier = issue_for(voter)
    pdf = one_letter(world.meeting, voter, world.official.id)
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == 1

    (link,) = decoded_qr_codes(pdf, tmp_path)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
    assert parts.path == "/v"
    (token,) = parse_qs(parts.query)["t"]
    found = credentials.find(token=token)
    assert found is not None
    assert found.meeting_voter_id == voter.id
    assert found.issued_by_id == world.official.id

    db.session.refresh(earlier.credential)
    assert earlier.credential.revoked_at is not None
    assert credentials.find(token=earlier.token) is None
    assert credentials.find(code=earlier.code) is None


@needs_font
def test_a_letter_says_who_what_when_and_how(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Community, meeting, matters, window (Asia/Shanghai), the short URL and the typed code (which finds the same
    credential as the QR code), the masked holder and units, the leader's contact, and that it cancels older letters;
    never the holder's full name."""
    if not shutil.which("pdftotext"):
        pytest.skip("reading the letter needs pdftotext (poppler-utils)")
    with_leader(world.meeting)
    voter = next(v for v in world.opened.voters if len(v.holder_name) >= 3)
    issued = Issued(monkeypatch).all
    pdf = one_letter(world.meeting, voter, None)
    text = pdf_text(pdf, tmp_path)
    flat = "".join(text.split())
    assert "业主大会投票通知书" in flat
    assert "和美家园" in flat
    assert "和美家园首次业主大会会议" in flat
    for matter in world.meeting.matters:
        assert matter.title in flat
    opens = world.meeting.opens_at.astimezone(SHANGHAI)
    assert f"{opens.year}年{opens.month}月{opens.day}日{opens:%H:%M}" in flat
    assert "北京时间" in flat
    assert f"{BASE_URL}/v/code" in flat
    (code,) = CODE.findall(text)
    assert code == credentials.format_code(issued[0].code)
    found = credentials.find(code=code)
    assert found is not None
    assert found.id == issued[0].credential_id
    assert mask_name(voter.holder_name) in flat
    assert voter.holder_name not in flat
    assert "".join(voter.units_label.split()) in flat
    assert "陈建国" in flat
    assert "0575-87001234" in flat
    assert "此前发放给您的通知书" in flat
    assert "作废" in flat
    assert "身份证号码后六位" in flat


def test_without_a_group_the_letter_points_to_the_preparatory_group(world: World) -> None:
    assert "筹备组" in letters.help_text(world.meeting)


def test_the_qr_code_is_large_enough_to_scan_from_paper() -> None:
    """At least 40 mm wide; error correction M keeps a 128-bit link in a small version (large modules)."""
    matrix = letters.qr_matrix(letters.voting_link(BASE_URL, "A" * 22))
    assert letters.QR_SIDE_MM >= 40
    assert len(matrix) <= 37  # version 5 at most: modules of 1.35 mm or more
    assert letters.QR_SIDE_MM / len(matrix) >= 1.3


def test_buildings_sort_naturally() -> None:
    assert sorted(["10", "2", "1", "车位"], key=letters.natural_key) == ["1", "2", "10", "车位"]


# --- batches ----------------------------------------------------------------------------------------------------


def latest_batch(meeting: Meeting) -> LetterBatch:
    db.session.expire_all()
    batch = db.session.scalars(
        select(LetterBatch).where(LetterBatch.meeting_id == meeting.id).order_by(LetterBatch.id.desc())
    ).first()
    assert batch is not None
    return batch


def start(auth: AuthActions, meeting: Meeting, building: str = "") -> Any:
    index = f"/meetings/{meeting.id}/letters"
    return auth.post(index, {"building": building}, form_page=index)


def in_audit(secret: str) -> bool:
    return any(
        secret in json.dumps(e.summary, ensure_ascii=False) or secret in (e.object_id or "")
        for e in db.session.scalars(select(AuditEvent))
    )


@needs_font
def test_the_whole_community_is_one_pdf_with_a_page_per_voter(
    world: World, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All buildings in order, one letter each; every voter gets a new credential; the token and code of none of them
    reach the audit log or the stored batch in clear."""
    issued, printed = Issued(monkeypatch), Printed(monkeypatch)
    auth.login(world.member.username)
    response = start(auth, world.meeting)
    batch = latest_batch(world.meeting)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/letter-batches/{batch.id}")
    assert batch.building is None
    assert batch.status == "done"
    assert batch.progress == 100
    assert batch.voter_count == len(world.opened.voters)
    assert batch.base_url == "http://localhost"
    in_letter_order = letter_batches.voter_ids_of(world.meeting, None)
    assert sorted(i.voter_id for i in issued.all) == sorted(in_letter_order)
    # issue 16 item 1: the credentials (their ids, times and audit events) are issued in a random order, so the
    # k-th event of a batch is not the k-th unit (30 voters: the chance of the letter order by luck is 1/30!) …
    assert [i.voter_id for i in issued.all] != in_letter_order
    assert [int(e.summary["voter"]) for e in credential_events()] == [i.voter_id for i in issued.all]
    # … while the letters are printed building by building, unit by unit
    assert printed.voter_ids == in_letter_order
    buildings = [db.session.get_one(MeetingVoter, voter_id).building for voter_id in printed.voter_ids]
    assert buildings == sorted(buildings, key=letters.natural_key)
    assert len(set(buildings)) >= 2

    stored = batch.pdf_cipher
    assert stored is not None
    page = client.get(f"/letter-batches/{batch.id}").get_data(as_text=True)
    assert f"/letter-batches/{batch.id}/download" in page
    pdf = client.get(f"/letter-batches/{batch.id}/download").get_data()
    assert pdf_pages(pdf) == len(world.opened.voters)
    for secret in [s for i in issued.all for s in (i.token, i.code, credentials.format_code(i.code))]:
        assert not in_audit(secret)
        assert secret.encode() not in stored
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "letter_batch").order_by(AuditEvent.seq)
        )
    ]
    assert actions[-3:] == ["letters.start", "letters.done", "letters.download"]


@needs_font
def test_a_building_batch_has_that_buildings_voters_only(world: World, auth: AuthActions) -> None:
    building, count = letter_batches.buildings_of(world.meeting)[0]
    auth.login(world.official.username)
    start(auth, world.meeting, building)
    batch = latest_batch(world.meeting)
    assert (batch.building, batch.voter_count, batch.status) == (building, count, "done")
    assert pdf_pages(letter_batches.unseal(batch.pdf_cipher or b"")) == count


def test_a_draft_meeting_gets_no_letters(world: World, client: FlaskClient, auth: AuthActions) -> None:
    draft = gen_meeting(gen_community(world.community.township, "草稿小区"), world.official)
    with pytest.raises(DomainError) as caught:
        letter_batches.start_batch(draft, None, BASE_URL, None)
    assert caught.value.code == "meeting_not_open"
    assert caught.value.status == 409

    auth.login(world.official.username)
    response = start(auth, draft)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0
    page = client.get(f"/meetings/{draft.id}/letters").get_data(as_text=True)
    assert 'name="building"' not in page


def test_a_closed_window_gets_no_letters(world: World) -> None:
    world.meeting.closes_at = utcnow() - timedelta(minutes=1)
    error = refused(letter_batches.start_batch, world.meeting, None, BASE_URL, None)
    assert error.code == "meeting_not_open"


def test_an_unknown_building_is_refused(world: World) -> None:
    error = refused(letter_batches.start_batch, world.meeting, "99", BASE_URL, None)
    assert error.code == "no_voters"


def test_no_second_batch_for_the_same_voters_while_one_runs(world: World) -> None:
    """Its letters would revoke the first batch's as they are printed; another building may run alongside."""
    (first, _), (second, _) = letter_batches.buildings_of(world.meeting)[:2]
    letter_batches.start_batch(world.meeting, first, BASE_URL, None)
    assert refused(letter_batches.start_batch, world.meeting, first, BASE_URL, None).code == "letters_running"
    assert refused(letter_batches.start_batch, world.meeting, None, BASE_URL, None).code == "letters_running"
    letter_batches.start_batch(world.meeting, second, BASE_URL, None)


@needs_font
def test_the_progress_json_follows_the_batch(
    world: World, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    building, count = letter_batches.buildings_of(world.meeting)[0]
    batch = letter_batches.start_batch(world.meeting, building, BASE_URL, world.member.id)
    auth.login(world.member.username)
    status = client.get(f"/letter-batches/{batch.id}/status")
    assert status.status_code == 200
    assert status.get_json() == {"status": "pending", "progress": 0, "voters": count}
    page = client.get(f"/letter-batches/{batch.id}").get_data(as_text=True)
    assert f'data-progress-url="/letter-batches/{batch.id}/status"' in page
    assert "progress.js" in page

    seen: list[int] = []
    original = letter_batches._set_progress

    def watch(b: LetterBatch, state: str, progress: int) -> None:
        seen.append(progress)
        original(b, state, progress)

    monkeypatch.setattr(letter_batches, "_set_progress", watch)
    letter_batches.run_batch(batch.id)
    monkeypatch.undo()
    assert seen == sorted(seen)
    assert len(seen) > 5
    assert client.get(f"/letter-batches/{batch.id}/status").get_json() == {
        "status": "done",
        "progress": 100,
        "voters": count,
    }
    assert letter_batches.run_batch(batch.id) is not None  # a redelivered task changes nothing
    assert db.session.scalar(select(func.count()).select_from(Credential)) == count


@needs_font
def test_the_download_deletes_the_stored_pdf(world: World, client: FlaskClient, auth: AuthActions) -> None:
    building = letter_batches.buildings_of(world.meeting)[0][0]
    batch = letter_batches.start_batch(world.meeting, building, BASE_URL, world.member.id)
    letter_batches.run_batch(batch.id)
    auth.login(world.member.username)
    response = client.get(f"/letter-batches/{batch.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data().startswith(b"%PDF")
    db.session.expire_all()
    batch = db.session.get_one(LetterBatch, batch.id)
    assert batch.pdf_cipher is None
    assert batch.downloaded_by_id == world.member.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letters.download")).one()
    assert event.actor_user_id == world.member.id
    assert event.community_id == world.community.id

    again = client.get(f"/letter-batches/{batch.id}/download")
    assert again.status_code == 302
    page = client.get(f"/letter-batches/{batch.id}").get_data(as_text=True)
    assert "/download" not in page
    assert world.member.display_name in page


@needs_font
def test_letters_nobody_downloads_are_deleted_after_24_hours(world: World) -> None:
    building = letter_batches.buildings_of(world.meeting)[0][0]
    batch = letter_batches.run_batch(letter_batches.start_batch(world.meeting, building, BASE_URL, None).id)
    assert batch is not None
    assert letter_batches.purge_expired(utcnow() + timedelta(hours=23)) == 0
    assert letter_batches.is_available(batch)
    assert letter_batches.purge_expired(utcnow() + timedelta(hours=24, minutes=1)) == 1
    db.session.expire_all()
    batch = db.session.get_one(LetterBatch, batch.id)
    assert batch.pdf_cipher is None
    assert batch.deleted_at is not None
    assert not letter_batches.is_available(batch)
    assert refused(letter_batches.take_pdf, batch, None).code == "letters_gone"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letters.expired")).one()


def test_the_stored_pdf_is_encrypted(app: Flask) -> None:
    pdf = b"%PDF-1.4 https://gongjue.example.cn/v?t=SECRET-TOKEN"
    sealed = letter_batches.seal(pdf)
    assert b"SECRET-TOKEN" not in sealed
    assert letter_batches.unseal(sealed) == pdf


def test_without_the_chinese_font_starting_letters_says_so(
    world: World, auth: AuthActions, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.roll import notice_pdf

    monkeypatch.setattr(notice_pdf, "CJK_FONT", tmp_path / "missing.ttc")
    auth.login(world.official.username)
    response = start(auth, world.meeting)
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_a_batch_that_crashes_is_failed(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.roll import notice_pdf
    from app.voting import tasks

    batch_id = letter_batches.start_batch(world.meeting, None, BASE_URL, None).id
    monkeypatch.setattr(notice_pdf, "CJK_FONT", tmp_path / "missing.ttc")
    with pytest.raises(letters.MissingFont):
        tasks.make_letters.run(batch_id=batch_id)
    assert db.session.get_one(LetterBatch, batch_id).status == "failed"
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0


# --- who may -----------------------------------------------------------------------------------------------------


def urls(world: World, batch: LetterBatch) -> list[tuple[str, str]]:
    return [
        ("get", f"/meetings/{world.meeting.id}/letters"),
        ("post", f"/meetings/{world.meeting.id}/letters"),
        ("get", f"/letter-batches/{batch.id}"),
        ("get", f"/letter-batches/{batch.id}/status"),
        ("get", f"/letter-batches/{batch.id}/download"),
    ]


@pytest.mark.parametrize(("who", "expected"), [("observer", 403), ("stranger", 404)])
def test_only_the_communitys_preparers_see_letters(
    world: World, client: FlaskClient, auth: AuthActions, who: str, expected: int
) -> None:
    batch = letter_batches.start_batch(world.meeting, None, BASE_URL, world.official.id)
    auth.login(getattr(world, who).username)
    for method, url in urls(world, batch):
        response = auth.post(url, {"building": ""}) if method == "post" else client.get(url)
        assert response.status_code == expected, (who, url)
    assert latest_batch(world.meeting).status == "pending"


def test_the_index_lists_buildings_and_batches_for_the_group(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    batch = letter_batches.start_batch(world.meeting, None, BASE_URL, world.official.id)
    auth.login(world.member.username)
    page = client.get(f"/meetings/{world.meeting.id}/letters")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for building, _count in letter_batches.buildings_of(world.meeting):
        assert f'name="building" value="{building}"' in html
    assert f"/letter-batches/{batch.id}" in html
    assert world.official.display_name in html
    assert "<script>" not in html


def test_the_letters_page_lists_the_voters_who_cannot_confirm_on_a_phone(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    """Issue 15 item 5: before printing, the group sees who needs a paper ballot or a proxy (here the developer)."""
    auth.login(world.member.username)
    page = client.get(f"/meetings/{world.meeting.id}/letters").get_data(as_text=True)
    assert 'id="without-second-factor"' in page
    developer = next(v for v in world.opened.voters if v.is_developer)
    assert developer.units_label[:20] in page
