"""Uploading an owner roll through the page: the import runs at once (eager Celery), reports every problem of a
bad file in Chinese and imports nothing, drops the uploaded file, never stores an ID number in clear, audits each
step, refuses tellers and observers, and makes a diffed second version."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import GroupRole, Role
from app.extensions import db
from app.privacy import decrypt, lookup_hash
from app.roll import services
from app.roll.models import RollImport, RollOwner, RollUnit, RollVersion
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_township
from tests.roll_flow.helpers import (
    CHEN,
    CJK,
    LI,
    PEOPLE,
    SMALL_ROLL_HEADS,
    WANG,
    ZHANG,
    ZHOU,
    Person,
    audit_events,
    count,
    csv_bytes,
    flashes,
    get_import,
    get_version,
    import_id_from,
    problem_table,
    small_roll_rows,
    text_of,
    unit_row,
    upload,
    valid_id,
)

# Owners of the rows with mistakes (each row below has exactly one mistake)
P6 = Person("孙丽萍", valid_id("19931108", 28), "13605750001")
P7 = Person("吴海波", valid_id("19940219", 31), "13605750002")
P8 = Person("郑雪梅", valid_id("19960701", 42), "")
P9 = Person("钱国平", valid_id("19970313", 53), "")
P10 = Person("冯志明", valid_id("19980820", 61), "")
BAD_CHECK = P8.id_number[:17] + ("0" if P8.id_number[17] != "0" else "1")

#: the GBK file: row 2 is right, rows 3–12 have one mistake each, ten different ones
TEN_MISTAKES = [
    unit_row(room="101", owners=[ZHANG]),
    unit_row(building="", room="102", owners=[LI]),
    unit_row(room="101", owners=[WANG]),
    unit_row(room="103", area="八十九", owners=[CHEN]),
    unit_row(room="104", area="0", owners=[ZHOU]),
    unit_row(room="105", kind="别墅", owners=[P6]),
    unit_row(room="106", status="已出租", owners=[P7]),
    unit_row(room="107", owners=[(P9.name, "3.30681199703E+17", "")]),
    unit_row(room="108", owners=[(P8.name, BAD_CHECK, "")]),
    unit_row(room="109", owners=[(P10.name, P10.id_number, "12345")]),
    unit_row(room="110", owners=[("张三", ZHANG.id_number, "")]),
]
#: (row, column as headed in the file, code) of every problem, in the order the report lists them
TEN_PROBLEMS = [
    (3, "楼幢", "value_missing"),
    (4, "室号", "duplicate_unit"),
    (5, "面积", "area_invalid"),
    (6, "面积", "area_not_positive"),
    (7, "类型", "kind_unknown"),
    (8, "状态", "status_unknown"),
    (9, "业主1证件号码", "id_as_number"),
    (10, "业主1证件号码", "id_checksum"),
    (11, "业主1手机", "phone_invalid"),
    (12, "业主1证件号码", "id_name_conflict"),
]


@pytest.fixture
def community(app):
    township = gen_township()
    community = gen_community(township)
    db.session.commit()
    return community


@pytest.fixture
def member(community):
    user = gen_member(community, group_role=GroupRole.OWNER_REPRESENTATIVE)
    db.session.commit()
    return user


@pytest.fixture
def csrf(client, auth, member) -> str:
    assert auth.login(member.username).status_code == 302
    return auth.csrf("/account/tokens")


def _rows_of(table_name: str) -> list[dict[str, Any]]:
    table = db.metadata.tables[table_name]
    return [dict(row._mapping) for row in db.session.execute(sa.select(table))]


def _as_text(value: Any) -> str:
    """A stored value as text to search in: bytes both raw (latin-1) and as UTF-8, JSON as its dump."""
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return raw.decode("latin-1") + raw.decode("utf-8", errors="ignore")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _plain_personal_numbers_in(table_name: str, numbers: list[str]) -> list[tuple[str, str]]:
    """(column, number) of every number found in clear anywhere in the table (upper and lower case x)."""
    found = []
    for row in _rows_of(table_name):
        for column, value in row.items():
            text = _as_text(value)
            for number in numbers:
                if number in text or number.lower() in text:
                    found.append((column, number))
    return found


# --- a good file ----------------------------------------------------------------------------------------------


def test_a_group_member_uploads_a_roll_and_the_import_page_links_the_new_version(client, csrf, community, member):
    units_before, versions_before = count(RollUnit), count(RollVersion)

    response = upload(client, csrf, community.id, csv_bytes(small_roll_rows()), reason="2026年11月房管局导出")
    import_id = import_id_from(response)

    page = client.get(f"/roll/imports/{import_id}")
    assert page.status_code == 200
    roll_import = get_import(import_id)
    assert (roll_import.status, roll_import.progress) == ("done", 100)
    assert roll_import.report["rows_read"] == 7
    assert roll_import.report["units"] == 7
    assert roll_import.report["errors"] == []
    assert roll_import.report["warnings"] == []
    assert roll_import.finished_at is not None
    version = get_version(roll_import.roll_version_id)
    assert (version.number, version.source, version.reason) == (1, "import", "2026年11月房管局导出")
    assert version.author_id == member.id
    assert version.community_id == community.id
    assert len(version.units) == 7
    assert count(RollUnit) == units_before + 7
    assert count(RollVersion) == versions_before + 1

    html = page.get_data(as_text=True)
    assert f'href="/roll/versions/{version.id}"' in html  # the link to the new version
    assert "data-progress-url" not in html  # done: no progress bar any more
    assert "data-problems" not in html
    version_page = client.get(f"/roll/versions/{version.id}")
    assert version_page.status_code == 200
    assert f"<code data-fingerprint>{version.fingerprint}</code>" in version_page.get_data(as_text=True)


def test_the_roll_page_lists_the_upload_and_the_version(client, csrf, community):
    import_id = import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows()), "名册.csv"))
    page = client.get(f"/communities/{community.id}/roll").get_data(as_text=True)
    assert f'href="/roll/imports/{import_id}"' in page
    assert "名册.csv" in page
    version_id = get_import(import_id).roll_version_id
    assert f'href="/roll/versions/{version_id}"' in page
    assert f"data-total-heads>{SMALL_ROLL_HEADS}<" in page


def test_an_upload_without_a_reason_is_refused_on_the_form_and_stores_nothing(client, csrf, community):
    before = count(RollImport)
    response = upload(client, csrf, community.id, csv_bytes(small_roll_rows()), reason="")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/communities/{community.id}/roll"
    assert count(RollImport) == before
    assert flashes(client.get(response.headers["Location"]).get_data(as_text=True))  # the form's message


# --- a file with ten mistakes ---------------------------------------------------------------------------------


def _upload_ten_mistakes(client, csrf, community) -> int:
    data = csv_bytes(TEN_MISTAKES, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a GBK file, as Excel on Chinese Windows saves "CSV (逗号分隔)"
    return import_id_from(upload(client, csrf, community.id, data, "业主名册.csv"))


def test_a_gbk_file_with_ten_mistakes_lists_every_problem_and_imports_nothing(client, csrf, community):
    counts_before = (count(RollVersion), count(RollUnit), count(RollOwner))

    import_id = _upload_ten_mistakes(client, csrf, community)

    roll_import = get_import(import_id)
    assert (roll_import.status, roll_import.progress, roll_import.roll_version_id) == ("failed", 100, None)
    assert roll_import.report["rows_read"] == 11
    errors = roll_import.report["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == TEN_PROBLEMS
    assert len({e["code"] for e in errors}) == 10
    assert errors[1]["value"] == "101"
    assert "2" in errors[1]["message"]["zh_CN"]
    assert errors[2]["value"] == "八十九"  # the GBK text was decoded
    assert (count(RollVersion), count(RollUnit), count(RollOwner)) == counts_before

    page = client.get(f"/roll/imports/{import_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    lines = problem_table(html)
    assert [(int(row), column) for row, column, _value, _message in lines] == [(r, c) for r, c, _code in TEN_PROBLEMS]
    # each line shows the message stored for Chinese readers (the page's default language)
    assert [message for *_cells, message in lines] == [text_of(e["message"]["zh_CN"]) for e in errors]
    assert 'href="/roll/versions/' not in html


def test_the_ten_problems_and_the_heading_are_in_chinese(client, csrf, community):
    import_id = _upload_ten_mistakes(client, csrf, community)
    errors = get_import(import_id).report["errors"]
    for error in errors:
        assert CJK.search(error["message"]["zh_CN"]), error
        assert error["message"]["zh_CN"] != error["message"]["en"], error
    html = client.get(f"/roll/imports/{import_id}").get_data(as_text=True)
    heading = text_of(html.split('<h2 class="bad">', 1)[1].split("</h2>", 1)[0])
    assert heading == "发现 10 个问题，文件未导入。"
    for _row, _column, _value, message in problem_table(html):
        assert CJK.search(message), message


def test_the_english_page_shows_the_english_messages(client, csrf, community):
    import_id = _upload_ten_mistakes(client, csrf, community)
    assert client.get("/lang/en").status_code == 302  # the language switch
    html = client.get(f"/roll/imports/{import_id}").get_data(as_text=True)
    errors = get_import(import_id).report["errors"]
    assert [m for *_c, m in problem_table(html)] == [text_of(e["message"]["en"]) for e in errors]
    assert "10 problems: nothing was imported." in text_of(html)


# --- the file is dropped, and no ID number is ever stored in clear ------------------------------------------


def test_the_uploaded_file_is_dropped_once_processed(client, csrf, community):
    good = csv_bytes(small_roll_rows())
    bad = csv_bytes(TEN_MISTAKES, encoding="gb18030")
    done = get_import(import_id_from(upload(client, csrf, community.id, good)))
    failed = get_import(import_id_from(upload(client, csrf, community.id, bad)))
    for roll_import, data, status in ((done, good, "done"), (failed, bad, "failed")):
        assert roll_import.status == status
        assert roll_import.file_data is None
        assert roll_import.file_sha256 == hashlib.sha256(data).hexdigest()  # what was uploaded stays known
    stored = {row["id"]: row["file_data"] for row in _rows_of("roll_imports")}
    assert stored[done.id] is None
    assert stored[failed.id] is None


def test_a_pending_import_keeps_its_file_until_the_task_runs(app, community, member):
    data = csv_bytes(small_roll_rows())
    roll_import = services.start_import(community, "roll.csv", data, "测试", member.id)
    db.session.commit()
    assert (roll_import.status, roll_import.progress, roll_import.file_data) == ("pending", 0, data)
    services.run_import(roll_import.id)
    roll_import = get_import(roll_import.id)
    assert (roll_import.status, roll_import.file_data) == ("done", None)
    assert services.run_import(roll_import.id).roll_version_id == roll_import.roll_version_id  # redelivered: no-op
    assert count(RollVersion) == 1


def test_an_import_that_crashes_is_marked_failed_and_its_file_dropped(app, community, member, monkeypatch):
    from app.celery_app import enqueue
    from app.roll.tasks import import_roll

    def crash(table):
        raise RuntimeError("a bug in the checks")

    monkeypatch.setattr("app.roll.validation.validate_roll", crash)
    roll_import = services.start_import(community, "roll.csv", csv_bytes(small_roll_rows()), "测试", member.id)
    import_id = roll_import.id
    db.session.commit()
    with pytest.raises(RuntimeError):
        enqueue(import_roll, import_id=import_id)
    roll_import = get_import(import_id)
    assert roll_import.file_data is None
    assert roll_import.status == "failed"


def test_the_database_never_holds_a_plain_id_number_or_phone(client, csrf, community):
    import_id = import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows())))
    version = get_version(get_import(import_id).roll_version_id)

    numbers = [p.id_number for p in PEOPLE] + [p.phone for p in PEOPLE if p.phone]
    for table in ("roll_owners", "roll_units", "roll_versions", "roll_imports", "audit_events"):
        assert _plain_personal_numbers_in(table, numbers) == [], table
    # … yet they are there, encrypted, and found through the keyed hash
    owners = [o for u in version.units for o in u.owners]
    assert len(owners) == 6  # 张三华 twice (a flat and a parking space), 李建国 and 王秀英 together
    by_name = {p.name: p for p in PEOPLE}
    for owner in owners:
        person = by_name[owner.name]
        assert decrypt(owner.id_number_cipher) == person.id_number
        assert owner.id_number_lookup == lookup_hash(person.id_number)
        assert (decrypt(owner.phone_cipher) if owner.phone_cipher else "") == person.phone


def test_a_failed_import_report_holds_no_plain_id_number(client, csrf, community):
    _upload_ten_mistakes(client, csrf, community)
    used = [p.id_number for p in (*PEOPLE, P6, P7, P8, P9, P10)] + [BAD_CHECK]
    assert _plain_personal_numbers_in("roll_imports", used) == []
    assert _plain_personal_numbers_in("roll_imports", [n[:17] for n in used]) == []


def test_a_teller_does_not_see_full_id_numbers_in_an_import_report(app, client, csrf, community):
    import_id = _upload_ten_mistakes(client, csrf, community)
    teller = gen_member(community, role=Role.TELLER, group_role=None)
    db.session.commit()
    other = app.test_client()
    AuthActions(other).login(teller.username)
    page = other.get(f"/roll/imports/{import_id}")
    assert page.status_code in (200, 403, 404)
    assert ZHANG.id_number not in page.get_data(as_text=True)


# --- the audit log --------------------------------------------------------------------------------------------


def test_every_step_of_an_import_is_audited(client, csrf, community, member):
    import_id = import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows()), "名册.csv"))
    version_id = get_import(import_id).roll_version_id
    (start,) = audit_events("roll.import_start", import_id)
    (created,) = audit_events("roll.version_create", version_id)
    (done,) = audit_events("roll.import_done", import_id)
    assert audit_events("roll.import_failed", import_id) == []
    assert start.seq < created.seq < done.seq
    assert start.actor_label == member.username
    assert start.community_id == community.id
    assert start.township_id == community.township_id
    assert start.summary["filename"] == "名册.csv"
    assert start.summary["sha256"] == get_import(import_id).file_sha256
    assert created.summary["number"] == 1
    assert created.summary["units"] == 7
    assert created.summary["fingerprint"] == get_version(version_id).fingerprint
    assert done.summary["roll_version_id"] == version_id
    assert done.summary["errors"] == 0

    failed_id = _upload_ten_mistakes(client, csrf, community)
    assert len(audit_events("roll.import_start", failed_id)) == 1
    (failed,) = audit_events("roll.import_failed", failed_id)
    assert failed.summary["errors"] == 10
    assert failed.summary["roll_version_id"] is None
    assert audit_events("roll.import_done", failed_id) == []
    assert len(audit_events("roll.version_create")) == 1  # the failed import made no version


# --- who may upload -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TELLER, Role.OBSERVER])
def test_a_teller_or_an_observer_cannot_upload(client, auth, community, role):
    user = gen_member(community, role=role, group_role=None)
    db.session.commit()
    auth.login(user.username)
    assert client.get(f"/communities/{community.id}/roll").status_code == 200  # they may look
    before = (count(RollImport), count(AuditEvent))
    response = upload(client, auth.csrf("/account/tokens"), community.id, csv_bytes(small_roll_rows()))
    assert response.status_code == 403
    assert (count(RollImport), count(AuditEvent)) == before


def test_a_member_of_another_community_gets_404(client, auth, community):
    other = gen_member(gen_community(community.township))
    db.session.commit()
    auth.login(other.username)
    response = upload(client, auth.csrf("/account/tokens"), community.id, csv_bytes(small_roll_rows()))
    assert response.status_code == 404
    assert count(RollImport) == 0


# --- the status endpoint and a second version -----------------------------------------------------------------


def test_the_import_status_endpoint(client, csrf, community, member):
    done_id = import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows())))
    failed_id = _upload_ten_mistakes(client, csrf, community)
    pending = services.start_import(community, "roll.csv", b"x", "waiting", member.id)
    db.session.commit()

    for import_id, expected in ((done_id, "done"), (failed_id, "failed")):
        response = client.get(f"/roll/imports/{import_id}/status")
        assert response.status_code == 200
        assert response.is_json
        assert response.get_json() == {"status": expected, "progress": 100}
    assert client.get(f"/roll/imports/{pending.id}/status").get_json() == {"status": "pending", "progress": 0}
    waiting_page = client.get(f"/roll/imports/{pending.id}").get_data(as_text=True)
    assert f'data-progress-url="/roll/imports/{pending.id}/status"' in waiting_page
    assert "progress.js" in waiting_page
    assert client.get("/roll/imports/999999/status").status_code == 404


def test_a_second_import_makes_version_2_with_a_diff_against_version_1(client, csrf, community):
    first = get_import(import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows()))))
    second = get_import(
        import_id_from(upload(client, csrf, community.id, csv_bytes(small_roll_rows(area_101="91.00")), "v2.csv"))
    )
    v1, v2 = get_version(first.roll_version_id), get_version(second.roll_version_id)
    assert (v1.number, v2.number) == (1, 2)
    assert v1.diff["added"] == 7
    assert v1.diff["changed"] == 0
    diff = v2.diff
    assert (diff["added"], diff["removed"], diff["changed"], diff["truncated"]) == (0, 0, 1, False)
    (detail,) = diff["details"]
    assert (detail["unit"], detail["change"], detail["fields"]) == ("1幢/1单元/101", "changed", ["area"])
    assert (detail["before"]["area"], detail["after"]["area"]) == ("89.32", "91.00")
    assert "owners" not in detail["after"]
    assert detail["after"]["owner_count"] == 1
    assert v1.fingerprint != v2.fingerprint
    (created,) = audit_events("roll.version_create", v2.id)
    assert (created.summary["added"], created.summary["removed"], created.summary["changed"]) == (0, 0, 1)

    page = text_of(client.get(f"/roll/versions/{v2.id}").get_data(as_text=True))
    assert "1幢/1单元/101" in page
    assert "89.32 → 91.00" in page
