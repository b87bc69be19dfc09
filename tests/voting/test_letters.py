"""The voters' letters (issue 6 item 3): an A4 page in Chinese per voter whose QR code decodes to the voter's own link
(a new credential; the voter's earlier letter stops working), made in batches per building or for the whole community
as one PDF by a Celery task with a progress bar, kept encrypted until its one download (or 24 hours), for the
community's preparers only, and never a token or code in the audit log."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.preparation.models import GroupMember, PreparatoryGroup
from app.privacy import mask_name
from app.voting import credentials, letter_batches, letters, meetings
from app.voting.letter_batches import LetterBatch
from app.voting.models import Credential, Matter, Meeting, MeetingVoter
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.governance.pipeline import body_account
from tests.governance.test_supervision_helpers import gen_body
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


def font_sizes(pdf: bytes) -> set[float]:
    """Every type size the PDF's pages set (the `Tf` operators of its content streams, inflated)."""
    sizes: set[float] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue  # an embedded font or image, not a page's content
        sizes |= {float(size) for size in re.findall(rb"/F\d+ ([\d.]+) Tf", content)}
    return sizes


def flat_text(pdf: bytes, tmp_path: Path) -> str:
    return "".join(pdf_text(pdf, tmp_path).split())


@needs_font
def test_a_letter_says_who_sends_it_why_to_vote_how_to_scan_and_where_paper_goes(world: World, tmp_path: Path) -> None:
    """Issue 19 item 5: the issuing body (the preparatory group, guided by its township) at the top and at the foot
    with the date of issue and the seal's marked space; the two 2/3 lines of participation and the approval in both
    dimensions in plain words (DOMAIN §4); WeChat 扫一扫 or the camera; where and by when paper is handed in; the
    help phone."""
    if not shutil.which("pdftotext"):
        pytest.skip("reading the letter needs pdftotext (poppler-utils)")
    with_leader(world.meeting)
    world.meeting.contact_phone = "0575-87009999"
    world.meeting.paper_place = "1幢底层物业服务中心（每天8:00—17:00）"
    db.session.flush()
    sheets = letters.LetterSheets(letters.letter_context(world.meeting, BASE_URL, issued_on=date(2026, 12, 8)))
    token, code = credentials.new_secrets()
    sheets.add(world.opened.voters[0], token, code)
    flat = flat_text(sheets.output(), tmp_path)
    township = world.community.township.name
    assert "召集人：和美家园业主大会筹备组" in flat
    assert f"指导单位：{township}" in flat
    assert flat.count("和美家园业主大会筹备组") >= 2  # at the top and where it signs
    assert f"（{township}指导）2026年12月8日" in flat  # the signature: body, township, date of issue
    assert "盖章处" in flat
    assert "人数要占全体业主的三分之二以上" in flat
    assert "房屋面积也要占全小区总面积的三分之二以上" in flat
    assert "参加投票业主的人数过半数、面积也过半数同意" in flat
    assert "投弃权票也算参加投票" in flat
    assert "四分之三" not in flat  # no matter of Art 278 ¶1 items 6–8 in this meeting
    assert "微信" in flat
    assert "“扫一扫”" in flat
    assert "相机" in flat
    closes = world.meeting.closes_at.astimezone(SHANGHAI)
    assert f"请在{closes.year}年{closes.month}月{closes.day}日{closes:%H:%M}前交到：1幢底层物业服务中心" in flat
    assert "咨询电话：0575-87009999（筹备组组长陈建国）" in flat  # the meeting's phone before the leader's contact
    assert "0575-87001234" not in flat


@needs_font
def test_the_letters_type_is_at_least_14_points_and_each_letter_keeps_to_its_page(world: World, tmp_path: Path) -> None:
    """Every size the PDF sets is 14 pt or more, the body 14 pt; with far more than a page can hold (13 long matters,
    a long title, units and drop-off place, the SMS check, a long address) each letter is one page whose text ends
    above the seal's space, the matters shortened to a count."""
    meeting = world.meeting
    meeting.second_factor = "sms"
    meeting.title = "标题很长" * 30
    meeting.paper_place = "地点" * 40
    for position in range(len(meeting.matters) + 1, 14):
        meeting.matters.append(
            Matter(position=position, kind="motion", category=6 + position % 3, title="筹集和使用维修资金的方案" * 4)
        )
    db.session.flush()
    voters = world.opened.voters[:3]
    for voter in voters:
        voter.units_label = "1幢1单元101室、" * 30
    sheets = letters.LetterSheets(letters.letter_context(meeting, BASE_URL + "/a/rather/long/prefix"))
    for voter in voters:
        sheets.add(voter, *credentials.new_secrets())
    pdf = sheets.output()
    assert pdf_pages(pdf) == len(voters)
    sizes = font_sizes(pdf)
    assert min(sizes) >= letters.BODY_PT == 14
    assert 14 in sizes
    assert sheets.text_bottom <= letters.SEAL_TOP_MM
    assert sheets.lowest <= letters.PAGE_HEIGHT_MM - letters.MARGIN_MM
    flat = flat_text(pdf, tmp_path)
    assert "共13项，详见投票页面" in flat
    assert "其中10项（筹集维修资金、改建重建、改变共有部分用途等）须人数和面积都达到四分之三以上同意" in flat


def test_why_names_the_matters_that_need_three_quarters() -> None:
    assert "第 2、4 项须人数和面积都达到四分之三以上同意" in letters.why_text([2, 4])
    assert "四分之三" not in letters.why_text([])


def test_lines_break_between_chinese_characters_but_never_inside_a_number_or_before_a_comma() -> None:
    def width(text: str) -> float:
        return sum(1 if ord(ch) < 128 else 2 for ch in text)

    lines = letters.wrap("请致电0575-87001234，或在2026年12月7日 20:00前交回（筹备组）。", 20, width)
    assert "".join(lines) == "请致电0575-87001234，或在2026年12月7日 20:00前交回（筹备组）。"
    assert any("0575-87001234" in line for line in lines)
    assert any("2026年12月7日 20:00" in line for line in lines)
    assert not any(line[0] in letters.CLOSING for line in lines)
    assert not any(line[-1] in letters.OPENING for line in lines)


def test_without_a_drop_off_place_the_letter_says_whom_to_ask_and_at_which_phone(world: World) -> None:
    with_leader(world.meeting)
    convener = letters.convener_of(world.meeting)
    paper = letters.paper_text(world.meeting, convener, letters.help_phone(world.meeting, convener))
    assert "交回筹备组。领取和交回的地点，请向筹备组询问（电话 0575-87001234）。" in paper
    world.meeting.channels = "phone"
    assert letters.letter_context(world.meeting, BASE_URL).paper == ""


def test_a_meeting_convened_by_the_committee_is_signed_by_the_committee(world: World) -> None:
    """A later meeting (DOMAIN §7 item 10): the letter names the convening body, not a preparatory group."""
    world.meeting.body_id = gen_body(world.community).id
    db.session.flush()
    context = letters.letter_context(world.meeting, BASE_URL)
    assert context.issuer == "和美家园业主委员会"
    assert "筹备组" not in context.paper + context.help
    assert "向业主委员会领取纸质表决票" in context.paper


@needs_font
def test_a_batch_prints_the_day_it_is_made(world: World, tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("reading the letter needs pdftotext (poppler-utils)")
    building = letter_batches.buildings_of(world.meeting)[0][0]
    batch = letter_batches.run_batch(letter_batches.start_batch(world.meeting, building, BASE_URL, None).id)
    assert batch is not None
    made = (batch.finished_at or utcnow()).astimezone(SHANGHAI)
    assert f"{made.year}年{made.month}月{made.day}日" in flat_text(
        letter_batches.unseal(batch.pdf_cipher or b""), tmp_path
    )


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


# --- a reprint asks first (issue 19 item 5) -----------------------------------------------------------------------


def holding_building(world: World) -> tuple[str, list[MeetingVoter]]:
    """A building two of whose voters hold a letter in force (one revoked earlier by a reissue)."""
    building = letter_batches.buildings_of(world.meeting)[0][0]
    voters = [v for v in world.opened.voters if v.building == building][:2]
    issue_for(voters[0])
    for voter in voters:
        issue_for(voter)
    return building, voters


def test_a_reprint_is_refused_without_the_confirmation(world: World) -> None:
    """The service refuses, whoever asks: nothing is made, nothing revoked; a building without letters in hand, or the
    confirmation, starts as before (and the audit says how many letters it will cancel)."""
    building, voters = holding_building(world)
    assert letter_batches.holders_of(world.meeting, building) == 2
    assert letter_batches.holders_of(world.meeting, None) == 2
    error = refused(letter_batches.start_batch, world.meeting, building, BASE_URL, None)
    assert (error.code, error.status, error.field) == ("letters_in_hand", 409, "replace")
    assert "2 of these voters already have letters" in str(error)
    assert refused(letter_batches.start_batch, world.meeting, None, BASE_URL, None).code == "letters_in_hand"
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0
    assert letter_batches.holders_of(world.meeting, building) == len(voters)  # nothing revoked

    other = next(b for b, _count in letter_batches.buildings_of(world.meeting) if b != building)
    letter_batches.start_batch(world.meeting, other, BASE_URL, None)  # nobody there holds a letter
    batch = letter_batches.start_batch(world.meeting, building, BASE_URL, None, replace=True)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "letters.start", AuditEvent.object_id == str(batch.id))
    ).one()
    assert event.summary["replacing"] == 2


def test_a_proxys_link_and_a_revoked_letter_are_not_letters_in_hand(world: World) -> None:
    building, voters = holding_building(world)
    for credential in db.session.scalars(select(Credential).where(Credential.meeting_voter_id == voters[1].id)):
        credential.revoked_at = utcnow()
    db.session.flush()
    assert letter_batches.holders_by_building(world.meeting) == {building: 1}


@needs_font
def test_the_page_asks_before_a_reprint_and_says_the_old_letters_stop_working(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    building, voters = holding_building(world)
    auth.login(world.member.username)
    index = client.get(f"/meetings/{world.meeting.id}/letters").get_data(as_text=True)
    again_url = f"/meetings/{world.meeting.id}/letters/again?building={quote(building)}"
    assert f'href="{again_url}"' in index
    assert f'name="building" value="{building}"' not in index  # no one-click form for that building
    assert f"/meetings/{world.meeting.id}/letters/again?building=" in index  # the whole community asks too

    # an unconfirmed POST (a stale page, a hand-made request) is refused and sent to the question
    response = start(auth, world.meeting, building)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/letters/again?building={quote(building)}")
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0

    page = client.get(again_url).get_data(as_text=True)
    assert 'id="confirm-reprint"' in page
    assert 'name="replace"' in page
    assert "新通知书制作完成后，这些业主手中的通知书即作废" in page
    assert "2" in re.search(r"<h2[^>]*>(.*?)</h2>", page, re.S).group(1)  # type: ignore[union-attr]

    response = auth.post(
        f"/meetings/{world.meeting.id}/letters", {"building": building, "replace": "y"}, form_page=again_url
    )
    batch = latest_batch(world.meeting)
    assert response.headers["Location"].endswith(f"/letter-batches/{batch.id}")
    assert batch.status == "done"
    held = db.session.scalars(
        select(Credential).where(Credential.meeting_voter_id == voters[0].id, Credential.revoked_at.is_(None))
    ).all()
    assert len(held) == 1
    assert held[0].issued_at >= batch.created_at  # the new letter's; the one in hand is revoked


def test_the_question_page_of_an_unknown_building_is_not_found(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login(world.member.username)
    assert client.get(f"/meetings/{world.meeting.id}/letters/again?building=99").status_code == 404
    page = client.get(f"/meetings/{world.meeting.id}/letters/again?building=").get_data(as_text=True)
    assert 'name="replace"' not in page  # nobody holds a letter: nothing to confirm


# --- who makes letters: the convener ------------------------------------------------------------------------------


@needs_font
def test_the_preparatory_groups_members_make_letters_not_only_the_township(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    """The group's leader and an owner representative both make letters (app.governance.acting.can_run); the
    township that leads the group does too."""
    representative = gen_member(world.community, group_role=GroupRole.OWNER_REPRESENTATIVE)
    buildings = [b for b, _count in letter_batches.buildings_of(world.meeting)]
    for user, building in zip((world.member, representative, world.official), buildings, strict=False):
        auth.login(user.username)
        assert client.get(f"/meetings/{world.meeting.id}/letters").status_code == 200
        assert start(auth, world.meeting, building).status_code == 302
        batch = latest_batch(world.meeting)
        assert (batch.building, batch.created_by_id, batch.status) == (building, user.id, "done")
        auth.logout()


def test_for_a_later_meeting_the_convening_body_makes_letters_and_the_old_group_does_not(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    body = gen_body(world.community)
    world.meeting.body_id = body.id
    member = body_account(world.community, body, "letters-committee-member", office="member")
    teller = gen_member(world.community, role=Role.TELLER)
    db.session.commit()
    index = f"/meetings/{world.meeting.id}/letters"
    auth.login(member.username)
    assert client.get(index).status_code == 200
    auth.logout()
    # the group's grants ended with its work (404: the community is no longer theirs to see); the others are refused
    for refused_user, status in ((world.member, 404), (world.observer, 403), (teller, 403)):
        auth.login(refused_user.username)
        assert client.get(index).status_code == status, refused_user.username
        assert auth.post(index, {"building": ""}, form_page="/account/tokens").status_code == status
        auth.logout()
    assert db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0


# --- the phone and the drop-off place the letters print ---------------------------------------------------------


def test_the_convener_sets_the_phone_and_the_drop_off_place_while_voting_is_open(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    index = f"/meetings/{world.meeting.id}/letters"
    auth.login(world.member.username)
    page = client.get(index).get_data(as_text=True)
    assert 'id="owner-help"' in page
    assert "请向筹备组询问" in page  # no place yet: what the letters say now
    response = auth.post(
        f"{index}/owner-help", {"contact_phone": "0575-87002222", "paper_place": "2幢架空层"}, form_page=index
    )
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get_one(Meeting, world.meeting.id)
    assert (meeting.contact_phone, meeting.paper_place) == ("0575-87002222", "2幢架空层")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.owner_help")).one()
    assert event.summary == {"contact_phone": "0575-87002222", "paper_place": "2幢架空层"}
    page = client.get(index).get_data(as_text=True)
    assert "交到：2幢架空层" in page
    assert "0575-87002222" in page

    auth.post(f"{index}/owner-help", {"contact_phone": "", "paper_place": "很长" * 41}, form_page=index)
    db.session.expire_all()
    assert db.session.get_one(Meeting, world.meeting.id).paper_place == "2幢架空层"  # too long: nothing changed


def test_the_phone_and_place_are_final_once_voting_has_ended(world: World) -> None:
    world.meeting.closes_at = utcnow() - timedelta(minutes=1)
    error = refused(
        meetings.set_owner_help, world.meeting, contact_phone="1", paper_place="", user_id=world.official.id
    )
    assert error.code == "meeting_closed"


def test_only_the_convener_sets_the_phone_and_place_whoever_calls_the_service(world: World) -> None:
    """Checked where the act happens, not only on the page (issue 19 review): an observer is refused by the service."""
    with pytest.raises(Forbidden):
        meetings.set_owner_help(world.meeting, contact_phone="110", paper_place="x", user_id=world.observer.id)
    assert world.meeting.contact_phone == ""


def test_an_observer_cannot_change_what_the_letters_say(world: World, auth: AuthActions) -> None:
    auth.login(world.observer.username)
    url = f"/meetings/{world.meeting.id}/letters/owner-help"
    assert auth.post(url, {"contact_phone": "110", "paper_place": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get_one(Meeting, world.meeting.id).contact_phone == ""


def test_the_meeting_form_sets_the_drop_off_place_before_opening(
    world: World, client: FlaskClient, auth: AuthActions
) -> None:
    draft = gen_meeting(gen_community(world.community.township, "草稿小区"), world.official)
    db.session.commit()
    page = f"/meetings/{draft.id}"
    auth.login(world.official.username)
    form = client.get(page).get_data(as_text=True)
    assert 'name="paper_place"' in form
    window = {"opens_on": "2026-12-20", "opens_time": "08:00", "closes_on": "2026-12-27", "closes_time": "20:00"}
    data = {**window, "channels": "phone,paper", "second_factor": "id_last6", "contact_phone": "0575-87004444"}
    response = auth.post(f"{page}/configure", {**data, "paper_place": "3幢门卫室"}, form_page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Meeting, draft.id).paper_place == "3幢门卫室"
    assert "3幢门卫室" in client.get(page).get_data(as_text=True)  # among the meeting's settings
