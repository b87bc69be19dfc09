"""validate_roll: every rule, every problem at once, parsed values, warnings and speed."""

from __future__ import annotations

import datetime
import random
import time

import phonenumbers
import pytest
from stdnum.cn import ric

from app.demo.roll_generator import demo_small_roll, generate_demo_roll
from app.roll.parsing import read_roll_file, table_from_rows
from app.roll.validation import (
    AREA_SOURCES,
    ParsedOwner,
    RollReport,
    normalise_id_number,
    normalise_phone,
    validate_roll,
)
from app.rules.model import UnitKind, UnitStatus
from tests.roll.files import (
    HEADERS_EN,
    bad_check,
    csv_bytes,
    demo_row,
    make_babel_app,
    table,
    unit,
    valid_id,
    with_check,
    xlsx_bytes,
    years_ago,
)

A = valid_id("19900101", 11)
B = valid_id("19910202", 22)


@pytest.fixture
def babel_app():
    application = make_babel_app()
    with application.app_context():
        yield application


def check(*rows, headers=None) -> RollReport:
    return validate_roll(table(rows) if headers is None else table(rows, headers))


def codes(report: RollReport, *, warnings: bool = False) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.code) for p in (report.warnings if warnings else report.errors)]


def single(owner_id: str = A, name: str = "张伟", phone: object = "13812345678", **kw) -> list[object]:
    return unit(owners=[(name, owner_id, phone)], **kw)


# --- one file, many mistakes ------------------------------------------------------------------------------------


def test_one_file_with_a_dozen_mistakes_reports_every_one(babel_app):
    rows = [
        single(room="101"),  # 2: fine
        unit(room="101", owners=[("王芳", B, "")]),  # 3: the same unit again
        unit(room="102", area="89.325", owners=[("李强", valid_id("19920303", 33), "")]),  # 4
        unit(room="103", owners=[("赵敏", 3.30681199304044e17, "")]),  # 5: Excel made the ID a number
        unit(room="104", owners=[("钱军", bad_check(valid_id("19950505", 55)), "")]),  # 6
        unit(room="105", owners=[("孙丽", valid_id("19960606", 66), "12345")]),  # 7
        unit(room="106", owners=[("周杰", valid_id("19970707", 77), ""), ("吴娟", valid_id("19980808", 88), "")]),
        unit(room="107", owners=[("郑涛", "", "")]),  # 9
        unit(room="108"),  # 10: delivered, nobody owns it
        unit(room="109", status="未售", owners=[("冯刚", valid_id("19990909", 99), "")]),  # 11
        unit(room="110", kind="别墅", owners=[("陈红", valid_id("19891010", 10), "")]),  # 12
        single(room="111", name="张卫"),  # 13: row 2's ID under another name
    ]
    report = validate_roll(read_roll_file("roll.xlsx", xlsx_bytes(rows)))
    assert [(p.row, p.column, p.value, p.code) for p in report.errors] == [
        (3, "室号", "101", "duplicate_unit"),
        (4, "面积", "89.325", "area_decimals"),
        (5, "业主1证件号码", "3.30681199304044e+17", "id_as_number"),
        (6, "业主1证件号码", bad_check(valid_id("19950505", 55)), "id_checksum"),
        (7, "业主1手机", "12345", "phone_invalid"),
        (8, "代表人", "", "representative_missing"),
        (9, "业主1证件号码", "", "owner_id_missing"),
        (10, "业主1姓名", "", "delivered_without_owners"),
        (11, "业主1姓名", "冯刚", "owners_on_developer_unit"),
        (12, "类型", "别墅", "kind_unknown"),
        (13, "业主1证件号码", A, "id_name_conflict"),
    ]
    assert report.warnings == ()
    assert not report.ok
    assert report.units == ()  # nothing to import while there are errors
    assert report.rows_read == 12
    assert report.error_rows == 11
    messages = {p.code: str(p.message) for p in report.errors}
    assert messages["duplicate_unit"] == "The unit 1幢1单元101 is already in row 2."
    assert messages["id_name_conflict"] == "This ID number is in row 2 under another name (张伟)."
    assert messages["representative_missing"] == (
        "This unit has 2 co-owners: give the number (1–4) of the one who represents them."
    )
    assert "format the id-number columns as text" in messages["id_as_number"].lower()
    assert all(p.field for p in report.errors)


def test_problems_name_the_column_as_headed_in_the_file():
    headers = [h.replace("_", " ").title() for h in HEADERS_EN]
    report = check(single(owner_id=bad_check(A)), headers=headers)
    assert codes(report) == [(2, "Owner1 Id Number", "id_checksum")]
    assert report.errors[0].field == "owner1_id_number"


def test_several_problems_in_one_row_are_sorted_by_column():
    report = check(unit(building="", kind="x", area="-3", owners=[("张伟", "123", "0575-87012345")]))
    assert [(p.column, p.code) for p in report.errors] == [
        ("楼幢", "value_missing"),
        ("类型", "kind_unknown"),
        ("面积", "area_not_positive"),
        ("业主1证件号码", "id_format"),
        ("业主1手机", "phone_invalid"),
    ]


# --- a correct roll -------------------------------------------------------------------------------------------


def test_a_generated_roll_parses_back_to_the_same_units():
    demo = demo_small_roll()
    report = check(*(demo_row(u) for u in demo))
    assert report.ok, report.errors[:3]
    assert report.warnings == ()
    assert len(report.units) == len(demo) == report.rows_read
    for parsed, expected in zip(report.units, demo, strict=True):
        assert (parsed.building, parsed.entrance, parsed.room) == (expected.building, expected.entrance, expected.room)
        assert (parsed.kind, parsed.status) == (expected.kind, expected.status)
        assert isinstance(parsed.kind, UnitKind)
        assert isinstance(parsed.status, UnitStatus)
        assert (parsed.area_centi, parsed.area_source) == (expected.area_centi, expected.area_source)
        assert parsed.owners == tuple(
            ParsedOwner(o.name, o.id_number, o.phone, o.is_representative) for o in expected.owners
        )


def test_english_values_and_headers():
    demo = demo_small_roll()
    report = check(*(demo_row(u, english=True) for u in demo), headers=HEADERS_EN)
    assert report.ok
    assert len(report.units) == len(demo)


def test_area_sources_are_those_of_the_model():
    from app.roll.models import AreaSource

    assert set(AREA_SOURCES) == {s.value for s in AreaSource}


def test_normalised_values():
    report = check(
        unit(
            building=" ３ 幢 ",
            entrance="1 单元",
            room="１５０２",
            kind="Residence",
            area="１２０.５ ㎡",
            area_source="不动产登记",
            status="已交房",
            owners=[("  欧阳   明月 ", A[:17] + "x" if A.endswith("X") else A, "+86 138-1234-5678")],
        )
    )
    assert report.ok, report.errors
    (parsed,) = report.units
    assert (parsed.building, parsed.entrance, parsed.room) == ("3幢", "1单元", "1502")
    assert (parsed.kind, parsed.area_centi, parsed.area_source, parsed.status) == (
        "residence",
        12050,
        "register",
        "delivered",
    )
    assert parsed.owners == (ParsedOwner("欧阳 明月", A, "13812345678", True),)
    assert parsed.row == 2
    assert parsed.label == "3幢1单元1502"


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        ("住宅", "kind", "residence"),
        ("商铺", "kind", "commercial"),
        ("商业用房", "kind", "commercial"),
        ("车位", "kind", "parking"),
        ("停车位", "kind", "parking"),
        ("其他", "kind", "other"),
        ("其它", "kind", "other"),
        ("PARKING", "kind", "parking"),
        ("登记", "area_source", "register"),
        ("测绘", "area_source", "survey"),
        ("实测面积", "area_source", "survey"),
        ("合同", "area_source", "contract"),
        ("Survey", "area_source", "survey"),
        ("已交付", "status", "delivered"),
        ("delivered", "status", "delivered"),
    ],
)
def test_value_synonyms(value, field, expected):
    report = check(single(**{field: value}))
    assert report.ok, report.errors
    assert getattr(report.units[0], field) == expected


# --- units and areas --------------------------------------------------------------------------------------------


def test_duplicate_units_ignore_case_width_and_spaces_and_name_the_first_row():
    report = check(
        single(room="S101", entrance=""),
        single(room="101"),
        single(room="s 101", entrance=""),
        single(room="１０１"),
        single(room="101", entrance="2单元"),  # another entrance: another unit
    )
    assert codes(report) == [(4, "室号", "duplicate_unit"), (5, "室号", "duplicate_unit")]


@pytest.mark.parametrize(
    ("area", "code"),
    [
        ("abc", "area_invalid"),
        ("1,234.50", "area_invalid"),
        ("1e3", "area_invalid"),
        ("89.3.2", "area_invalid"),
        (1e20, "area_invalid"),
        ("0", "area_not_positive"),
        ("0.00", "area_not_positive"),
        (0, "area_not_positive"),
        ("-5", "area_not_positive"),
        (-5.5, "area_not_positive"),
        ("89.325", "area_decimals"),
        (89.325, "area_decimals"),
        ("", "value_missing"),
    ],
)
def test_bad_areas(area, code):
    report = check(single(area=area))
    assert codes(report) == [(2, "面积", code)]


@pytest.mark.parametrize(
    ("area", "centi"),
    [
        ("89.32", 8932),
        ("89.3", 8930),
        ("90", 9000),
        (89.32, 8932),
        (90, 9000),
        (89.32000000000001, 8932),
        ("13.2m²", 1320),
    ],
)
def test_good_areas(area, centi):
    report = check(single(area=area))
    assert report.ok, report.errors
    assert report.units[0].area_centi == centi


@pytest.mark.parametrize("field", ["building", "room", "kind", "area_source", "status"])
def test_required_values(field):
    report = check(single(**{field: ""}))
    assert [(p.field, p.code) for p in report.errors] == [(field, "value_missing")]


def test_entrance_may_be_empty():
    assert check(single(entrance="")).ok


def test_unknown_values():
    report = check(single(kind="别墅", area_source="估算", status="已售"))
    assert [(p.field, p.code) for p in report.errors] == [
        ("kind", "kind_unknown"),
        ("area_source", "area_source_unknown"),
        ("status", "status_unknown"),
    ]


def test_values_excel_turned_into_dates_and_overlong_values():
    excel_date = datetime.datetime(2024, 3, 1)  # noqa: DTZ001 - Excel dates are naive
    report = check(single(room=excel_date, building="幢" * 33, name="名" * 65))
    assert [(p.field, p.code) for p in report.errors] == [
        ("building", "value_too_long"),
        ("room", "value_is_date"),
        ("owner1_name", "value_too_long"),
    ]


# --- ID numbers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        3.30681199001011e17,
        330681199001010111,
        1.1e17,
        "3.30681195803E+17",
        "1.1e+17",
        "3.30681199001011E17",
        "330681199001010111.0",
    ],
)
def test_id_numbers_that_arrived_as_numbers(number, babel_app):
    report = check(single(owner_id=number))
    assert codes(report) == [(2, "业主1证件号码", "id_as_number")]
    assert "text" in str(report.errors[0].message)


def test_id_as_number_in_a_real_xlsx_file():
    rows = [single(owner_id=float(A)), single(room="102", owner_id=int(B), name="王芳")]
    report = validate_roll(read_roll_file("roll.xlsx", xlsx_bytes(rows)))
    assert codes(report) == [(2, "业主1证件号码", "id_as_number"), (3, "业主1证件号码", "id_as_number")]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (A[:17], "id_format"),
        (A + "1", "id_format"),
        ("33068119900101001A", "id_format"),
        ("G12345678", "id_format"),
        ("33068119900101011", "id_format"),
        (bad_check(A), "id_checksum"),
        (with_check("33068119901301001"), "id_birth_date"),  # month 13
        (with_check("33068119900230001"), "id_birth_date"),  # 30 February
        (with_check("33068118700101001"), "id_birth_date"),  # before 1880
    ],
)
def test_bad_id_numbers(number, code):
    report = check(single(owner_id=number))
    assert codes(report) == [(2, "业主1证件号码", code)]


@pytest.mark.parametrize(
    "number",
    [
        with_check("999999" + "19900101" + "001"),
        with_check("910000" + "19900101" + "001"),  # no province 10
        with_check("840000" + "19900101" + "001"),
        with_check("330681" + "19800101" + "001"),  # 诸暨市 exists only from 1989
        with_check("330681" + "19620517" + "001"),  # … yet numbers issued there to people born in 1962 are real
    ],
)
def test_a_region_code_not_in_use_in_the_birth_year_is_a_warning_and_the_number_is_kept(number):
    """Issue 15: the region code is where the number was issued; a later renaming does not make it invalid."""
    report = check(single(owner_id=number))
    assert report.ok, report.errors
    assert codes(report, warnings=True) == [(2, "业主1证件号码", "id_region")]
    assert report.units[0].owners[0].id_number == number


def test_birth_date_in_the_future():
    """Two days ahead is in the future in every time zone (the check allows one day for them); on 31 December
    "1 January of next year" would not be."""
    future = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2)).strftime("%Y%m%d")
    report = check(single(owner_id=with_check(f"330681{future}001")))
    assert codes(report) == [(2, "业主1证件号码", "id_birth_date")]


@pytest.mark.parametrize(
    "number",
    [
        with_check("81000019900101001"),  # residence permit, Hong Kong resident
        with_check("83000019900101001"),  # residence permit, Taiwan resident
        with_check("93315619900101001"),  # foreigner's permanent residence card (2023)
        with_check("11010519491231002"),  # ends in X
        with_check("33232519750312011"),
        with_check(f"332325{years_ago(60)}011"),
    ],
)
def test_good_id_numbers(number):
    report = check(single(owner_id=number.lower()))
    assert report.ok, report.errors
    assert report.units[0].owners[0].id_number == number.upper()


def test_id_checks_agree_with_stdnum():
    rng = random.Random(5)
    regions = ["330681", "332325", "330625", "110105", "999999", "330100"]
    for _ in range(3000):
        body = rng.choice(regions) + f"{rng.randint(1930, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
        body += f"{rng.randint(0, 999):03d}"
        number = with_check(body) if rng.random() < 0.8 else body + rng.choice("0123456789X")
        # stdnum also refuses a region code not in use in the birth year, which is only a warning here (issue 15)
        try:
            datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
            dated = True
        except ValueError:
            dated = False
        valid_but_for_the_region = dated and with_check(body) == number and not ric.is_valid(number)
        assert (normalise_id_number(number) is not None) == (ric.is_valid(number) or valid_but_for_the_region), number


# --- phones -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("(+86) 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_good_phones(phone, expected):
    assert normalise_phone(phone) == expected
    report = check(single(phone=phone))
    assert report.ok, report.errors
    assert report.units[0].owners[0].phone == expected


@pytest.mark.parametrize(
    "phone",
    ["12345", "1381234567", "138123456789", "12012345678", "10012345678", "0575-87012345", "+1 650 253 0000", "abc"],
)
def test_bad_phones(phone):
    report = check(single(phone=phone))
    assert codes(report) == [(2, "业主1手机", "phone_invalid")]


def test_phone_may_be_empty():
    report = check(single(phone=""))
    assert report.ok
    assert report.units[0].owners[0].phone is None


def test_phone_checks_agree_with_phonenumbers():
    rng = random.Random(8)
    for _ in range(3000):
        digits = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        try:
            expected = phonenumbers.is_valid_number(phonenumbers.parse(digits, "CN"))
        except phonenumbers.NumberParseException:  # e.g. 17951…: an IP-dialling prefix, then too few digits
            expected = False
        assert (normalise_phone(digits) == digits) == expected, digits


# --- owners -----------------------------------------------------------------------------------------------------


def test_the_same_id_under_other_names_is_reported_on_every_later_row(babel_app):
    report = check(
        single(room="101"),
        single(room="102", name="张  伟"),  # the same name, spaced out: fine
        single(room="103", name="张卫"),
        single(room="104"),
        single(room="105", name="章伟"),
    )
    assert codes(report) == [(4, "业主1证件号码", "id_name_conflict"), (6, "业主1证件号码", "id_name_conflict")]
    assert str(report.errors[1].message) == "This ID number is in row 2 under another name (张伟)."


def test_the_same_person_twice_in_one_unit():
    report = check(unit(owners=[("张伟", A, ""), ("张伟", A.lower(), "")], representative=1))
    assert codes(report) == [(2, "业主2证件号码", "owner_repeated")]


def test_owner_with_only_a_name_or_only_an_id():
    report = check(
        unit(room="101", owners=[("张伟", "", "")]),
        unit(room="102", owners=[("", A, "")]),
        unit(room="103", owners=[("", "", "13812345678")]),
    )
    assert codes(report) == [
        (2, "业主1证件号码", "owner_id_missing"),
        (3, "业主1姓名", "owner_name_missing"),
        (4, "业主1姓名", "owner_name_missing"),
        (4, "业主1证件号码", "owner_id_missing"),
    ]


def test_co_owned_units_need_a_valid_representative():
    two = [("张伟", A, ""), ("王芳", B, "")]
    report = check(
        unit(room="101", owners=two, representative=""),
        unit(room="102", owners=two, representative="3"),
        unit(room="103", owners=two, representative="0"),
        unit(room="104", owners=two, representative="张伟"),
        unit(room="105", owners=two, representative=5),
        unit(room="106", owners=[("张伟", A, "")], representative=2),
        unit(room="107", owners=two, representative=2.0),
        unit(room="108", owners=two, representative="１"),
        unit(room="109", owners=[("张伟", A, "")], representative="1"),
    )
    assert codes(report) == [
        (2, "代表人", "representative_missing"),
        (3, "代表人", "representative_invalid"),
        (4, "代表人", "representative_invalid"),
        (5, "代表人", "representative_invalid"),
        (6, "代表人", "representative_invalid"),
        (7, "代表人", "representative_invalid"),
    ]


def test_representative_flags():
    owners = [("张伟", A, ""), ("王芳", B, ""), ("李强", valid_id("19920303", 33), "")]
    report = check(unit(owners=owners, representative=3))
    assert [o.is_representative for o in report.units[0].owners] == [False, False, True]


def test_co_owners_in_later_slots_only():
    report = check(unit(owners=[("", "", ""), ("王芳", B, "")]))
    assert report.ok
    assert report.units[0].owners == (ParsedOwner("王芳", B, None, True),)


def test_delivered_units_need_owners_and_the_developers_units_have_none():
    report = check(
        unit(room="101", status="已交付"),
        unit(room="102", status="未售"),
        unit(room="103", status="未交付"),
        single(room="104", status="未售"),
        single(room="105", status="未交付", owner_id=B, name="王芳"),
    )
    assert codes(report) == [
        (2, "业主1姓名", "delivered_without_owners"),
        (5, "业主1姓名", "owners_on_developer_unit"),
        (6, "业主1姓名", "owners_on_developer_unit"),
    ]


# --- warnings ---------------------------------------------------------------------------------------------------


def test_an_owner_of_many_units_is_a_warning(babel_app):
    rows = [single(room=f"1{n:02d}") for n in range(1, 12)]  # 11 units: warned
    rows += [single(room=f"2{n:02d}", owner_id=B, name="王芳") for n in range(1, 11)]  # 10 units: not warned
    report = check(*rows)
    assert report.ok
    assert codes(report, warnings=True) == [(2, "业主1证件号码", "owner_many_units")]
    assert str(report.warnings[0].message) == (
        "The owner with this ID number holds 11 units (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …)."
    )
    assert len(report.units) == 21


def test_unusual_areas_are_warnings(babel_app):
    report = check(
        single(room="101", area="1000.01"),
        single(room="102", area="1000"),
        single(room="B1", kind="车位", area="50.01"),
        single(room="B2", kind="车位", area="50"),
        single(room="S1", kind="商铺", area="5000"),
    )
    assert report.ok
    assert codes(report, warnings=True) == [(2, "面积", "area_large"), (4, "面积", "parking_area_large")]
    assert str(report.warnings[1].message) == "50.01 m² is unusually large for a parking space."


# --- size -------------------------------------------------------------------------------------------------------


def test_twenty_thousand_rows_validate_quickly():
    demo = generate_demo_roll(2026, buildings=185)  # 185 × 108 flats + 24 shops + 96 parking spaces
    assert len(demo) >= 20_000
    data = csv_bytes(demo_row(u) for u in demo)
    started = time.perf_counter()
    raw = read_roll_file("roll.csv", data)
    read = time.perf_counter() - started
    started = time.perf_counter()
    report = validate_roll(raw)
    elapsed = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    assert report.warnings == ()
    assert len(report.units) == len(demo)
    assert elapsed < 5, f"validation took {elapsed:.2f} s (reading {read:.2f} s)"


def test_problems_compare_and_hash_without_an_app_context():
    first, second = check(single(phone="1")).errors, check(single(phone="1")).errors
    assert first == second
    assert len({*first, *second}) == 1


AGENT_ID = "33232519800115031" + ric.calc_check_digit("33232519800115031" + "0")


def _owner_row(name: str, number: str, id_type: str = "", nationality: str = "", agent: tuple[str, ...] = ()) -> dict:
    row = {"楼幢": "1幢", "单元": "1单元", "室号": "101", "类型": "住宅", "面积": "89.50", "面积来源": "登记"}
    row.update({"状态": "已交付", "业主1姓名": name, "业主1证件号码": number, "业主1证件类型": id_type})
    row["业主1国籍"] = nationality
    for header, value in zip(("单位代表人姓名", "单位代表人证件号码", "单位代表人手机"), agent, strict=False):
        row[header] = value
    return row


def _validate_rows(rows: list[dict]) -> RollReport:
    headers = list(dict.fromkeys(h for row in rows for h in row))
    return validate_roll(table_from_rows([headers, *[[row.get(h, "") for h in headers] for row in rows]]))


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (
            _owner_row("示例公司", "91330681MA2BH0XB24", "统一社会信用代码", agent=("赵明", AGENT_ID)),
            "id_checksum",
        ),
        (_owner_row("John Smith", "E12345678", "护照"), "nationality_missing"),
        (_owner_row("陈嘉欣", "H1234", "通行证"), "id_format"),
        (_owner_row("陈嘉欣", "H12345678", "驾驶证"), "id_type_unknown"),
    ],
)
def test_each_document_type_is_checked(row: dict, code: str) -> None:
    report = _validate_rows([row])
    assert [e.code for e in report.errors] == [code]
    assert report.units == ()


def test_a_company_without_its_representative_imports_with_a_warning_and_no_factor() -> None:
    report = _validate_rows([_owner_row("示例公司", "91330681MA2BH0XB23", "统一社会信用代码")])
    assert report.ok
    assert [w.code for w in report.warnings] == ["organisation_without_representative"]
    (owner,) = report.units[0].owners
    assert (owner.id_type, owner.agent, owner.identity) == ("uscc", None, "uscc:91330681MA2BH0XB23")


def test_the_same_number_under_two_document_types_is_two_owners() -> None:
    """Identity is (type, number) (DOMAIN §3): a passport and a travel permit may share a number."""
    first = _owner_row("A", "H12345678", "护照", "美国")
    second = {**_owner_row("B", "H12345678", "通行证"), "室号": "102"}
    report = _validate_rows([first, second])
    assert report.ok, report.errors
    assert {o.identity for u in report.units for o in u.owners} == {"passport:H12345678", "travel_permit:H12345678"}
