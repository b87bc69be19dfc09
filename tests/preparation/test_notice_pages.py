"""The notice pages of the preparation: publishing a document for 5 working days (Shaoxing Art 9) with the earliest
meeting it allows (Art 13 ¶3), refusals, objections and answers, who may see and change what, the public page with
masked names and its Chinese PDF, and the public routes next to the roll's."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.models import GroupRole, Role, User
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import notices
from app.preparation.models import Notice, NoticeObjection, PreparatoryGroup
from app.roll.models import RollVersion
from app.rules.calendar import notice_end
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import Preparation, declare_clean, freeze_today, gen_preparation
from tests.roll_flow.helpers import flashes, text_of


@dataclass
class World:
    community: Community
    official: User
    preparation: Preparation
    member: User
    teller: User
    observer: User
    stranger: User
    monkeypatch: pytest.MonkeyPatch

    @property
    def group(self) -> PreparatoryGroup:
        return self.preparation.group


@pytest.fixture
def world(app, monkeypatch: pytest.MonkeyPatch) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    preparation = gen_preparation(community, official)
    member = gen_member(community, group_role=GroupRole.LEADER)
    teller = gen_member(community, role=Role.TELLER)
    observer = gen_member(community, role=Role.OBSERVER)
    stranger = gen_member(gen_community(township, "别的小区"))
    db.session.flush()
    return World(community, official, preparation, member, teller, observer, stranger, monkeypatch)


@pytest.fixture
def english(client: FlaskClient) -> None:
    """Messages are checked in English (the Chinese catalog is merged separately)."""
    client.get("/lang/en")


def index_url(world: World) -> str:
    return f"/communities/{world.community.id}/notices"


def notice_count(group: PreparatoryGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(Notice.group_id == group.id)) or 0


def latest_notice(group: PreparatoryGroup) -> Notice:
    db.session.expire_all()
    notice = db.session.scalars(select(Notice).where(Notice.group_id == group.id).order_by(Notice.id.desc())).first()
    assert notice is not None
    return notice


def publish_page(auth: AuthActions, world: World, **data: str):
    """Post the publish form as on the day the notice starts (a notice is recorded within 3 days of posting)."""
    with contextlib.suppress(ValueError):  # an empty or malformed day: the form refuses it
        freeze_today(world.monkeypatch, date.fromisoformat(data.get("starts_on", "")))
    return auth.post(index_url(world), data, form_page=index_url(world))


def published(world: World, kind: str, starts_on: date) -> Notice:
    notice = notices.publish(world.group, kind, starts_on, world.official.id, recorded_on=starts_on)
    db.session.flush()
    return notice


def approve_candidate_list(world: World) -> None:
    """The group vets the three candidates and submits the list; the township approves it."""
    for candidate in world.preparation.candidates.values():
        declare_clean(candidate, world.official)
        nominations.vet(candidate, True, "", world.member.id)
    review = nominations.submit_list(world.group, world.member.id)
    nominations.review_list(review, True, "", world.official.id)
    db.session.flush()


# --- publishing -------------------------------------------------------------------------------------------------------


def test_publishing_the_members_notice_from_the_page(client: FlaskClient, auth: AuthActions, world: World):
    auth.login(world.member.username)
    page = client.get(index_url(world)).get_data(as_text=True)
    assert f'action="/communities/{world.community.id}/notices"' in page
    assert "Art 9" in page or "第九条" in page

    response = publish_page(auth, world, kind="members", starts_on="2026-09-01")
    notice = latest_notice(world.group)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/notices/{notice.id}/manage")
    assert notice.kind == "members"
    assert notice.title == notices.TITLES["members"]
    assert notice.starts_on == date(2026, 9, 1)
    # Tue 1 Sep: Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
    assert notice.ends_on == date(2026, 9, 8) == notice_end(current_calendar(), date(2026, 9, 1))
    assert db.session.get_one(PreparatoryGroup, world.group.id).members_announced_on == date(2026, 9, 1)

    page = client.get(f"/notices/{notice.id}/manage").get_data(as_text=True)
    assert "2026-09-08" in page
    assert notice.body_sha256 in page
    assert f"/notices/{notice.token}.pdf" in page
    for line in notice.body.split("\n"):
        assert line.strip() in text_of(page)
    listing = client.get(index_url(world)).get_data(as_text=True)
    assert notice.title in listing
    assert "2026-09-08" in listing


def test_a_notice_across_the_national_day_holiday(client: FlaskClient, auth: AuthActions, world: World):
    """Posted Wed 2026-09-30: Thu 10-08, Fri 10-09, Sat 10-10 (adjusted working day), Mon 10-12, Tue 10-13; the meeting
    it announces is 15 days later, from Fri 10-16."""
    auth.login(world.member.username)
    publish_page(auth, world, kind="voting_rules", starts_on="2026-09-30")
    notice = latest_notice(world.group)
    assert notice.ends_on == date(2026, 10, 13)
    assert notices.earliest_meeting_after(notice) == date(2026, 10, 16)
    page = client.get(f"/notices/{notice.id}/manage").get_data(as_text=True)
    assert "2026-10-13" in page
    assert "2026-10-16" in page
    listing = client.get(index_url(world)).get_data(as_text=True)
    assert "2026-10-16" in listing


def test_the_notices_are_listed_newest_first_with_their_state(client, auth: AuthActions, world: World, english):
    old = published(world, "members", date(2026, 9, 1))
    new = published(world, "funding", date(2026, 9, 30))
    objection = notices.record_objection(new, "张三华", "1幢1单元101", "金额有误", world.official.id)
    db.session.flush()
    auth.login(world.member.username)
    page = client.get(index_url(world)).get_data(as_text=True)
    listing = page.split("All notices", 1)[1]
    assert listing.index(new.title) < listing.index(old.title)
    assert "served its term" in listing  # today is after both periods
    assert "Open objections: 1" in listing
    assert objection.status == "open"


def test_an_other_notice_without_a_title_is_refused(client: FlaskClient, auth: AuthActions, world: World, english):
    auth.login(world.member.username)
    before = notice_count(world.group)
    response = publish_page(auth, world, kind="other", starts_on="2026-09-10", title="", body="筹备组第一次会议纪要")
    assert response.status_code == 302
    messages = flashes(client.get(index_url(world)).get_data(as_text=True))
    assert any(m.startswith("Title:") for m in messages), messages
    assert notice_count(world.group) == before


def test_an_other_notice_with_title_and_text_is_published(client: FlaskClient, auth: AuthActions, world: World):
    auth.login(world.member.username)
    publish_page(
        auth,
        world,
        kind="other",
        starts_on="2026-09-10",
        title="筹备组联系方式",
        body="电话：0575-1234\n地址：物业用房",
    )
    notice = latest_notice(world.group)
    assert (notice.kind, notice.title, notice.body) == ("other", "筹备组联系方式", "电话：0575-1234\n地址：物业用房")


def test_the_candidate_list_is_refused_before_the_township_approved_it(client, auth: AuthActions, world, english):
    auth.login(world.member.username)
    before = notice_count(world.group)
    publish_page(auth, world, kind="candidate_list", starts_on="2026-09-20")
    messages = flashes(client.get(index_url(world)).get_data(as_text=True))
    assert "The township must approve the candidate list before it is published." in messages
    assert notice_count(world.group) == before

    approve_candidate_list(world)
    publish_page(auth, world, kind="candidate_list", starts_on="2026-09-20")
    notice = latest_notice(world.group)
    assert notice.kind == "candidate_list"
    assert world.preparation.candidates["self"].name in notice.body


def test_an_invalid_form_is_refused_with_its_field(client: FlaskClient, auth: AuthActions, world: World, english):
    auth.login(world.member.username)
    before = notice_count(world.group)
    publish_page(auth, world, kind="members", starts_on="")
    messages = flashes(client.get(index_url(world)).get_data(as_text=True))
    assert any(m.startswith("Notice starts on:") for m in messages), messages
    publish_page(auth, world, kind="nonsense", starts_on="2026-09-10")
    messages = flashes(client.get(index_url(world)).get_data(as_text=True))
    assert any(m.startswith("Document:") for m in messages), messages
    publish_page(auth, world, kind="members", starts_on="2026-08-31")  # the day before the group was formed
    messages = flashes(client.get(index_url(world)).get_data(as_text=True))
    assert "A notice cannot start before the group was formed." in messages  # the message names the field itself
    assert notice_count(world.group) == before


# --- objections -------------------------------------------------------------------------------------------------------


def test_recording_and_answering_an_objection(client: FlaskClient, auth: AuthActions, world: World, english):
    notice = published(world, "members", date(2026, 9, 1))
    auth.login(world.member.username)
    manage = f"/notices/{notice.id}/manage"
    response = auth.post(
        f"/notices/{notice.id}/objections",
        {"objector_name": "张三华", "unit_label": "1幢1单元101", "description": "成员周立新不是业主"},
        form_page=manage,
    )
    assert response.status_code == 302
    db.session.expire_all()
    objection = db.session.scalars(select(NoticeObjection).where(NoticeObjection.notice_id == notice.id)).one()
    assert (objection.objector_name, objection.status, objection.candidate_id) == ("张三华", "open", None)
    page = client.get(manage).get_data(as_text=True)
    assert "The objection is recorded." in flashes(page)
    assert f'action="/notice-objections/{objection.id}/answer"' in page

    auth.post(
        f"/notice-objections/{objection.id}/answer",
        {"answer": "周立新为建设单位代表，符合第十二条。"},
        form_page=manage,
    )
    db.session.expire_all()
    objection = db.session.get_one(NoticeObjection, objection.id)
    assert (objection.status, objection.answer) == ("answered", "周立新为建设单位代表，符合第十二条。")
    page = client.get(manage).get_data(as_text=True)
    assert "The objection is answered." in flashes(page)
    assert f'action="/notice-objections/{objection.id}/answer"' not in page

    auth.post(f"/notice-objections/{objection.id}/answer", {"answer": "再答一次"}, form_page=manage)
    assert "This objection has been answered already." in flashes(client.get(manage).get_data(as_text=True))
    assert db.session.get_one(NoticeObjection, objection.id).answer == "周立新为建设单位代表，符合第十二条。"


def test_an_objection_needs_its_fields(client: FlaskClient, auth: AuthActions, world: World, english):
    notice = published(world, "members", date(2026, 9, 1))
    auth.login(world.member.username)
    manage = f"/notices/{notice.id}/manage"
    auth.post(
        f"/notices/{notice.id}/objections", {"objector_name": "张三华", "unit_label": "", "description": ""}, manage
    )
    messages = flashes(client.get(manage).get_data(as_text=True))
    assert any(m.startswith("Unit:") for m in messages), messages
    assert not notice.objections


def test_an_objection_to_one_candidate(client: FlaskClient, auth: AuthActions, world: World):
    approve_candidate_list(world)
    notice = published(world, "candidate_list", date(2026, 9, 20))
    candidate = world.preparation.candidates["joint"]
    auth.login(world.member.username)
    manage = f"/notices/{notice.id}/manage"
    page = client.get(manage).get_data(as_text=True)
    assert f'<option value="{candidate.id}">' in page
    auth.post(
        f"/notices/{notice.id}/objections",
        {
            "objector_name": "李建国",
            "unit_label": "2幢101",
            "description": "该候选人欠缴物业费",
            "candidate_id": str(candidate.id),
        },
        form_page=manage,
    )
    db.session.expire_all()
    objection = db.session.scalars(select(NoticeObjection).where(NoticeObjection.notice_id == notice.id)).one()
    assert objection.candidate_id == candidate.id
    assert candidate.name in client.get(f"/notices/{notice.token}").get_data(as_text=True)


# --- who may see and change what --------------------------------------------------------------------------------------


def test_a_group_member_of_another_community_sees_nothing_and_changes_nothing(client, auth: AuthActions, world: World):
    notice = published(world, "members", date(2026, 9, 1))
    objection = notices.record_objection(notice, "张三华", "1幢1单元101", "有误", world.official.id)
    db.session.flush()
    auth.login(world.stranger.username)
    assert client.get(f"/notices/{notice.id}/manage").status_code == 404
    assert client.get(index_url(world)).status_code == 404
    before = notice_count(world.group)
    assert auth.post(index_url(world), {"kind": "funding", "starts_on": "2026-09-10"}).status_code == 404
    assert (
        auth.post(
            f"/notices/{notice.id}/objections", {"objector_name": "越界", "unit_label": "x", "description": "x"}
        ).status_code
        == 404
    )
    assert auth.post(f"/notice-objections/{objection.id}/answer", {"answer": "越界"}).status_code == 404
    db.session.expire_all()
    assert notice_count(world.group) == before
    assert len(db.session.get_one(Notice, notice.id).objections) == 1
    assert db.session.get_one(NoticeObjection, objection.id).status == "open"


@pytest.mark.parametrize("who", ["teller", "observer"])
def test_a_teller_or_observer_sees_but_cannot_change(client, auth: AuthActions, world: World, who: str):
    notice = published(world, "members", date(2026, 9, 1))
    objection = notices.record_objection(notice, "张三华", "1幢1单元101", "有误", world.official.id)
    db.session.flush()
    auth.login(getattr(world, who).username)
    listing = client.get(index_url(world))
    assert listing.status_code == 200
    assert notice.title in listing.get_data(as_text=True)
    assert f'action="/communities/{world.community.id}/notices"' not in listing.get_data(as_text=True)
    page = client.get(f"/notices/{notice.id}/manage")
    assert page.status_code == 200
    assert "张*华" in page.get_data(as_text=True)
    assert "张三华" not in page.get_data(as_text=True)
    before = notice_count(world.group)
    assert auth.post(index_url(world), {"kind": "funding", "starts_on": "2026-09-10"}).status_code == 403
    assert (
        auth.post(
            f"/notices/{notice.id}/objections", {"objector_name": "某", "unit_label": "x", "description": "x"}
        ).status_code
        == 403
    )
    assert auth.post(f"/notice-objections/{objection.id}/answer", {"answer": "答"}).status_code == 403
    db.session.expire_all()
    assert notice_count(world.group) == before
    assert db.session.get_one(NoticeObjection, objection.id).status == "open"


def test_the_township_official_prepares_too(client: FlaskClient, auth: AuthActions, world: World):
    auth.login(world.official.username)
    publish_page(auth, world, kind="funding", starts_on="2026-09-10")
    assert latest_notice(world.group).kind == "funding"


def test_the_staff_pages_need_a_login(app, world: World):
    notice = published(world, "members", date(2026, 9, 1))
    anonymous = app.test_client()
    for url in (index_url(world), f"/notices/{notice.id}/manage"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# --- the public notice ------------------------------------------------------------------------------------------------


def test_the_public_page_works_without_login_and_shows_no_objection_text(app, world: World):
    notice = published(world, "members", date(2026, 9, 1))
    answered = notices.record_objection(notice, "张三华", "9幢9单元909", "成员有误", world.official.id)
    notices.answer_objection(answered, "已核实，成员无误。", world.official.id)
    notices.record_objection(notice, "欧阳明华", "2幢202", "联系方式有误", world.official.id)
    db.session.flush()
    response = app.test_client().get(f"/notices/{notice.token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "和美家园" in page
    assert notice.title in page
    assert notice.body_sha256 in page
    assert "2026-09-01" in page
    assert "2026-09-08" in page
    assert "筹备组" in text_of(page)
    for private in ("张三华", "张*华", "欧阳明华", "9幢9单元909", "成员有误", "已核实，成员无误。"):
        assert private not in page  # objections can hold personal details: only their counts are public
    counts = text_of(page.split("</h2>", 2)[1])
    assert "2" in counts  # two objections recorded
    assert "1" in counts  # one answered
    for line in notice.body.split("\n"):
        assert line.strip() in text_of(page)


def test_an_unknown_token_is_not_found(app, world: World):
    anonymous = app.test_client()
    assert anonymous.get("/notices/not-a-real-token").status_code == 404
    assert anonymous.get("/notices/not-a-real-token.pdf").status_code == 404


def test_the_roll_notice_still_has_its_own_route(app, world: World):
    version = db.session.scalars(select(RollVersion).where(RollVersion.community_id == world.community.id)).one()
    assert version.notice_token
    anonymous = app.test_client()
    roll = anonymous.get(f"/notices/roll/{version.notice_token}")
    assert roll.status_code == 200
    assert "业主名册" in roll.get_data(as_text=True) or "owner roll" in roll.get_data(as_text=True)
    assert anonymous.get(f"/notices/{version.notice_token}").status_code == 404


def test_the_public_pdf_is_chinese_and_has_the_title(app, world: World, tmp_path: Path):
    from app.roll.notice_pdf import CJK_FONT

    notice = published(world, "members", date(2026, 9, 30))
    if not CJK_FONT.exists():
        pytest.skip("the notice PDF needs Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)")
    response = app.test_client().get(f"/notices/{notice.token}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    if not Path("/usr/bin/pdftotext").exists() and not shutil.which("pdftotext"):
        return
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    flat = "".join(text.split())
    assert notice.title in flat
    assert "和美家园" in flat
    assert "2026-09-30" in flat
    assert "2026-10-13" in flat
    assert notice.body_sha256 in flat
    assert f"/notices/{notice.token}" in flat
    assert "陈建国" in flat  # the leader, from the members' text


def test_without_the_chinese_font_the_pdf_says_so(app, world: World, monkeypatch, tmp_path: Path):
    import app.roll.notice_pdf as roll_pdf

    notice = published(world, "members", date(2026, 9, 1))
    monkeypatch.setattr(roll_pdf, "CJK_FONT", tmp_path / "missing.ttc")
    response = app.test_client().get(f"/notices/{notice.token}.pdf")
    assert response.status_code == 503
    assert "字体" in response.get_data(as_text=True)
