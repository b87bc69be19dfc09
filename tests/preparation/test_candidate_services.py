"""Candidates for the owners' committee: nomination by each route (Shaoxing Art 13 ¶2), profile and declaration
(Art 22), eligibility and vetting (Arts 17, 22; DOMAIN §6), the photo, withdrawal, the township's review of the list
(four eyes), and the written arrears demands that bar a candidacy (Art 17 ¶2 (3))."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.images import PHOTO_MAX_BYTES
from app.preparation import candidates as nominations
from app.preparation.models import ArrearsDemand, Candidate, CandidateCosigner, CandidateListReview
from app.privacy import lookup_hash
from tests.preparation.helpers import Preparation, cosigners_of, declare_clean, freeze_today, refused

TODAY = date(2026, 11, 2)
NOMINATED_ON = date(2026, 10, 1)
NOT_AN_OWNER = "330681199901011238"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


def english(error: DomainError) -> str:
    with force_locale("en"):
        return str(error)


def audit_events(community_id: int, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.community_id == community_id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    )


def nominate(prep: Preparation, owner_index: int, route: str = "self", **kwargs: Any) -> Candidate:
    owner = prep.owners[owner_index]
    return nominations.nominate(
        prep.group,
        name=owner.name,
        id_number=owner.id_number,
        route=route,
        nominated_on=NOMINATED_ON,
        user_id=None,
        **kwargs,
    )


def outcomes(candidate: Candidate) -> dict[str, str]:
    return {check.code: check.outcome for check in nominations.eligibility(candidate)}


def evidence(candidate: Candidate, code: str) -> Any:
    (found,) = [c for c in nominations.eligibility(candidate) if c.code == code]
    return found.evidence


def candidates_of(prep: Preparation) -> list[Candidate]:
    return list(db.session.scalars(select(Candidate).where(Candidate.group_id == prep.group.id)))


# --- nomination -----------------------------------------------------------------------------------------------------


def test_each_route_is_recorded_on_the_roll_and_audited(prep: Preparation) -> None:
    found = prep.candidates
    assert {route: c.route for route, c in found.items()} == {r: r for r in ("self", "residents_committee", "joint")}
    for route, index in (("self", 4), ("residents_committee", 5), ("joint", 6)):
        candidate = found[route]
        assert candidate.name == prep.owners[index].name
        assert candidate.owner_lookup == lookup_hash(prep.owners[index].id_number)
        assert candidate.unit_labels
        assert candidate.status == "nominated"
        assert outcomes(candidate)["on_roll"] == "pass"
    assert found["self"].cosigners == []
    assert found["residents_committee"].cosigners == []
    cosigners = found["joint"].cosigners
    assert [c.position for c in cosigners] == list(range(1, 11))
    assert [c.owner_lookup for c in cosigners] == [lookup_hash(o.id_number) for o in cosigners_of(prep.owners)]
    assert [c.name for c in cosigners] == [o.name for o in cosigners_of(prep.owners)]
    assert all(c.unit_labels for c in cosigners)
    summaries = [e.summary for e in audit_events(prep.group.community_id, "candidate.nominate")]
    assert summaries == [
        {"route": "self", "on_roll": True, "cosigners": 0, "list": None},
        {"route": "residents_committee", "on_roll": True, "cosigners": 0, "list": None},
        {"route": "joint", "on_roll": True, "cosigners": 10, "list": None},
    ]
    assert not any(o.id_number in str(summaries) for o in prep.owners)


def test_eligibility_evidence_of_a_fresh_nomination(prep: Preparation) -> None:
    candidate = prep.candidates["self"]
    assert outcomes(candidate) == {
        "on_roll": "pass",
        "full_civil_capacity": "pass",
        "no_arrears_after_demand": "pass",
        "no_prohibited_act": "pending",
        "no_property_company_tie": "pending",
        "single": "pass",
    }
    assert candidate.birth_date is not None  # read from the ID number, which is not stored
    assert evidence(candidate, "full_civil_capacity")["age"] >= 18
    assert evidence(candidate, "on_roll") == {"units": candidate.unit_labels.split("、"), "roll_version": 1}


def joint_error(bare: Preparation, cosigners: list[str]) -> str:
    error = refused(nominate, bare, 6, "joint", cosigner_id_numbers=cosigners)
    assert (error.code, error.field) == ("invalid_joint_nomination", "cosigners")
    assert candidates_of(bare) == []
    assert db.session.scalars(select(CandidateCosigner)).all() == []
    return english(error)


def test_joint_nomination_needs_ten_owners(bare: Preparation) -> None:
    ids = [o.id_number for o in cosigners_of(bare.owners)]
    assert joint_error(bare, ids[:9]) == (
        "A joint nomination needs at least 10 owners on the roll, counted in heads: the co-owners of one unit count "
        "once (Shaoxing Art 13); 9 found."
    )
    assert len(nominate(bare, 6, "joint", cosigner_id_numbers=ids).cosigners) == 10


def test_the_two_co_owners_of_one_flat_are_one_head_of_ten(bare: Preparation) -> None:
    """owners[13] and owners[14] co-own one flat and nothing else: with eight others they are nine heads."""
    ids = [o.id_number for o in cosigners_of(bare.owners, 9)] + [bare.owners[14].id_number]
    assert "9 found" in joint_error(bare, ids)


def test_joint_nomination_names_the_duplicate_line(bare: Preparation) -> None:
    ids = [o.id_number for o in cosigners_of(bare.owners, 9)]
    ids.insert(4, ids[1].lower())  # line 5 repeats line 2 (an ID number's letter case does not matter)
    message = joint_error(bare, ids)
    assert "Line 5 repeats an earlier co-signer." in message
    assert "9 found" in message


def test_joint_nomination_refuses_the_candidate_as_cosigner(bare: Preparation) -> None:
    ids = [o.id_number for o in cosigners_of(bare.owners)]
    ids[9] = bare.owners[6].id_number
    message = joint_error(bare, ids)
    assert "Line 10 is the candidate, who cannot co-sign their own nomination." in message


def test_joint_nomination_names_off_roll_lines(bare: Preparation) -> None:
    ids = [o.id_number for o in cosigners_of(bare.owners)]
    ids[2] = NOT_AN_OWNER
    message = joint_error(bare, ids)
    assert "Line 3 is not an owner on the roll." in message
    assert "9 found" in message


def test_joint_nomination_line_numbers_count_blank_lines(bare: Preparation) -> None:
    ids = [o.id_number for o in cosigners_of(bare.owners)]
    lines = [*ids[:2], "", *ids[2:4], NOT_AN_OWNER, *ids[4:]]  # the off-roll person is on line 6
    assert "Line 6 is not an owner on the roll." in joint_error(bare, lines)


def test_cosigners_of_another_route_are_ignored(bare: Preparation) -> None:
    ids = [o.id_number for o in bare.owners[7:10]]
    assert nominate(bare, 4, "self", cosigner_id_numbers=ids).cosigners == []


def test_a_non_owner_nominee_is_recorded_and_fails_on_roll(bare: Preparation) -> None:
    candidate = nominations.nominate(
        bare.group, name="林外人", id_number=NOT_AN_OWNER, route="self", nominated_on=NOMINATED_ON, user_id=None
    )
    assert candidate.id is not None
    assert candidate.unit_labels == ""
    assert outcomes(candidate)["on_roll"] == "fail"
    assert evidence(candidate, "on_roll") == {"units": [], "roll_version": 1}
    assert audit_events(bare.group.community_id, "candidate.nominate")[-1].summary["on_roll"] is False


def test_a_second_standing_nomination_fails_single_until_the_first_is_withdrawn(prep: Preparation) -> None:
    first = prep.candidates["self"]
    second = nominate(prep, 4, "residents_committee")
    assert outcomes(first)["single"] == "pass"
    assert outcomes(second)["single"] == "fail"
    assert evidence(second, "single") == {"other_nominations": [first.id]}
    nominations.withdraw(first, "本人改由居委会推荐", None)
    assert outcomes(second)["single"] == "pass"


def test_a_rejected_first_nomination_does_not_bar_the_second(prep: Preparation) -> None:
    first = prep.candidates["self"]
    nominations.vet(first, False, "材料不全", None)
    assert outcomes(nominate(prep, 4, "residents_committee"))["single"] == "pass"


def test_nomination_input_is_checked(bare: Preparation) -> None:
    error = refused(nominate, bare, 4, "appointed")
    assert (error.code, error.field) == ("invalid_route", "route")
    owner = bare.owners[4]
    error = refused(
        nominations.nominate,
        bare.group,
        name=owner.name,
        id_number=owner.id_number,
        route="self",
        nominated_on=TODAY + timedelta(days=1),
        user_id=None,
    )
    assert (error.code, error.field) == ("date_in_future", "nominated_on")
    error = refused(
        nominations.nominate, bare.group, name="张三", id_number=" ", route="self", nominated_on=TODAY, user_id=None
    )
    assert error.code == "invalid_id_number"
    assert candidates_of(bare) == []


# --- profile --------------------------------------------------------------------------------------------------------


def test_update_profile_records_the_declaration(prep: Preparation) -> None:
    candidate = prep.candidates["self"]
    nominations.update_profile(
        candidate,
        statement="  曾任楼道长。\r\n愿为业主服务。 ",
        party_member=False,
        peoples_congress_deputy=True,
        cppcc_member=True,
        declaration_made=True,
        declared_acts=(7, 3, 7),
        property_company_tie=True,
        user_id=None,
    )
    assert candidate.statement == "曾任楼道长。\n愿为业主服务。"
    assert (candidate.party_member, candidate.peoples_congress_deputy, candidate.cppcc_member) == (False, True, True)
    assert candidate.declared_acts == [3, 7]
    assert outcomes(candidate)["no_prohibited_act"] == "fail"
    assert evidence(candidate, "no_prohibited_act") == {"declared_acts": [3, 7]}
    assert outcomes(candidate)["no_property_company_tie"] == "fail"
    [event] = audit_events(prep.group.community_id, "candidate.profile")
    assert event.summary == {
        "declaration_made": True,
        "declared_acts": [3, 7],
        "property_company_tie": True,
        "under_guardianship": False,
    }


def profile(candidate: Candidate, **changes: Any) -> Candidate:
    values: dict[str, Any] = {
        "statement": "",
        "party_member": False,
        "peoples_congress_deputy": False,
        "cppcc_member": False,
        "declaration_made": True,
        "declared_acts": (),
        "property_company_tie": False,
        "user_id": None,
    }
    return nominations.update_profile(candidate, **{**values, **changes})


def test_declared_acts_need_the_declaration_and_must_be_items_of_art_22(prep: Preparation) -> None:
    candidate = prep.candidates["self"]
    error = refused(profile, candidate, declaration_made=False, declared_acts=(2,))
    assert (error.code, error.field) == ("declaration_missing", "declared_acts")
    assert refused(profile, candidate, declared_acts=(11,)).code == "invalid_declared_acts"
    assert refused(profile, candidate, declared_acts=(0,)).code == "invalid_declared_acts"
    assert candidate.declaration_made is False
    assert audit_events(prep.group.community_id, "candidate.profile") == []


def test_the_profile_is_fixed_once_vetted(prep: Preparation, official: User) -> None:
    candidate = declare_clean(prep.candidates["self"], official)
    nominations.vet(candidate, True, "", official.id)
    error = refused(profile, candidate, declared_acts=(1,))
    assert (error.code, error.status) == ("already_vetted", 409)
    assert candidate.declared_acts == []


# --- vetting --------------------------------------------------------------------------------------------------------


def test_accept_needs_every_check_to_pass(prep: Preparation, official: User) -> None:
    candidate = prep.candidates["joint"]
    error = refused(nominations.vet, candidate, True, "", official.id)
    assert (error.code, error.status) == ("not_eligible", 409)
    message = english(error)
    assert "No prohibited act (Shaoxing Art 22)" in message
    assert "No tie with the property company" in message
    assert "An owner on the roll" not in message
    assert candidate.status == "nominated"
    declare_clean(candidate, official)
    nominations.vet(candidate, True, " 符合条件 ", official.id)
    assert (candidate.status, candidate.vetting_reason, candidate.vetted_by_id) == ("accepted", "符合条件", official.id)
    assert candidate.vetted_at is not None
    [event] = audit_events(prep.group.community_id, "candidate.vet")
    assert event.summary["decision"] == "accepted"
    assert event.summary["checks"] == dict.fromkeys(
        (
            "on_roll",
            "full_civil_capacity",
            "no_arrears_after_demand",
            "no_prohibited_act",
            "no_property_company_tie",
            "single",
        ),
        "pass",
    )


def test_a_non_owner_cannot_be_accepted(bare: Preparation, official: User) -> None:
    candidate = nominations.nominate(
        bare.group, name="林外人", id_number=NOT_AN_OWNER, route="self", nominated_on=NOMINATED_ON, user_id=None
    )
    declare_clean(candidate, official)
    error = refused(nominations.vet, candidate, True, "", official.id)
    assert error.code == "not_eligible"
    assert "An owner on the roll" in english(error)


def test_a_second_nomination_cannot_be_accepted(prep: Preparation, official: User) -> None:
    second = declare_clean(nominate(prep, 4, "residents_committee"), official)
    error = refused(nominations.vet, second, True, "", official.id)
    assert error.code == "not_eligible"
    assert "Not already nominated" in english(error)


def test_reject_needs_a_reason(prep: Preparation, official: User) -> None:
    candidate = prep.candidates["self"]
    error = refused(nominations.vet, candidate, False, "  ", official.id)
    assert (error.code, error.field) == ("invalid_reason", "reason")
    assert candidate.status == "nominated"
    nominations.vet(candidate, False, "曾擅自处分共有部分（第二十二条第三项）", official.id)
    assert (candidate.status, candidate.vetting_reason) == ("rejected", "曾擅自处分共有部分（第二十二条第三项）")
    error = refused(nominations.vet, candidate, True, "", official.id)
    assert (error.code, error.status) == ("already_vetted", 409)
    [event] = audit_events(prep.group.community_id, "candidate.vet")
    assert event.summary["decision"] == "rejected"
    assert event.summary["reason"] == "曾擅自处分共有部分（第二十二条第三项）"


# --- arrears demands ------------------------------------------------------------------------------------------------


def demand(prep: Preparation, owner_index: int, **changes: Any) -> ArrearsDemand:
    community = db.session.get_one(Community, prep.group.community_id)
    values: dict[str, Any] = {
        "id_number": prep.owners[owner_index].id_number,
        "kind": "property_fee",
        "amount_fen": 128_000,
        "demanded_on": date(2026, 9, 15),
        "user_id": None,
    }
    return nominations.record_demand(community, **{**values, **changes})


def test_an_unpaid_demand_bars_acceptance_until_it_is_paid(prep: Preparation, official: User) -> None:
    candidate = declare_clean(prep.candidates["self"], official)
    recorded = demand(prep, 4)
    assert (recorded.owner_name, recorded.owner_lookup) == (prep.owners[4].name, candidate.owner_lookup)
    assert recorded.unit_labels == candidate.unit_labels
    assert outcomes(candidate)["no_arrears_after_demand"] == "fail"
    assert evidence(candidate, "no_arrears_after_demand")["unpaid"] == [
        {"kind": "property_fee", "amount_fen": 128_000, "demanded_on": "2026-09-15", "paid_on": None}
    ]
    error = refused(nominations.vet, candidate, True, "", official.id)
    assert "No unpaid fees after a written demand" in english(error)
    nominations.record_payment(recorded, date(2026, 10, 8), None)
    assert outcomes(candidate)["no_arrears_after_demand"] == "pass"
    assert evidence(candidate, "no_arrears_after_demand")["paid"][0]["paid_on"] == "2026-10-08"
    nominations.vet(candidate, True, "", official.id)
    assert candidate.status == "accepted"
    community_id = prep.group.community_id
    assert audit_events(community_id, "arrears.demand")[0].summary == {
        "kind": "property_fee",
        "amount_fen": 128_000,
        "demanded_on": "2026-09-15",
    }
    assert audit_events(community_id, "arrears.paid")[0].summary == {"paid_on": "2026-10-08"}


def test_a_demand_on_another_owner_does_not_count(prep: Preparation) -> None:
    demand(prep, 20)
    assert outcomes(prep.candidates["self"])["no_arrears_after_demand"] == "pass"


def test_demand_input_is_checked(prep: Preparation) -> None:
    community = db.session.get_one(Community, prep.group.community_id)
    error = refused(
        nominations.record_demand,
        community,
        id_number=NOT_AN_OWNER,
        kind="property_fee",
        amount_fen=100,
        demanded_on=date(2026, 9, 15),
        user_id=None,
    )
    assert (error.code, error.field) == ("not_on_roll", "id_number")
    assert refused(demand, prep, 4, kind="parking_fee").code == "invalid_kind"
    assert refused(demand, prep, 4, amount_fen=0).code == "invalid_amount"
    error = refused(demand, prep, 4, demanded_on=TODAY + timedelta(days=1))
    assert (error.code, error.field) == ("date_in_future", "demanded_on")
    assert db.session.scalars(select(ArrearsDemand)).all() == []
    assert demand(prep, 4, kind="maintenance_fund", demanded_on=TODAY).kind == "maintenance_fund"


def test_payment_dates_are_checked_and_paid_once(prep: Preparation) -> None:
    recorded = demand(prep, 4)
    error = refused(nominations.record_payment, recorded, date(2026, 9, 14), None)
    assert (error.code, error.field) == ("invalid_paid_on", "paid_on")
    assert refused(nominations.record_payment, recorded, TODAY + timedelta(days=1), None).code == "invalid_paid_on"
    assert recorded.paid_on is None
    nominations.record_payment(recorded, date(2026, 9, 15), None)  # paid the day of the demand
    error = refused(nominations.record_payment, recorded, date(2026, 9, 20), None)
    assert (error.code, error.status) == ("already_paid", 409)
    assert recorded.paid_on == date(2026, 9, 15)


# --- photo ----------------------------------------------------------------------------------------------------------


def image_bytes(fmt: str, size: tuple[int, int] = (1200, 800), exif: dict[int, Any] | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        for tag, value in exif.items():
            tags[tag] = value
        image.save(out, format=fmt, exif=tags.tobytes())
    else:
        image.save(out, format=fmt)
    return out.getvalue()


GPS_AND_MAKE = {0x010F: "PhoneMaker", 0x0110: "Model X", 0x0131: "CameraApp"}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_photo_is_stored_as_a_small_jpeg_without_exif(prep: Preparation, fmt: str) -> None:
    candidate = prep.candidates["self"]
    data = image_bytes(fmt, exif=GPS_AND_MAKE)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif()  # the upload does carry metadata
    nominations.set_photo(candidate, data, None)
    assert candidate.photo_type == "image/jpeg"
    assert candidate.photo is not None
    with Image.open(io.BytesIO(candidate.photo)) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (600, 400)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert b"PhoneMaker" not in candidate.photo
    [event] = audit_events(prep.group.community_id, "candidate.photo")
    assert event.summary == {"bytes": len(candidate.photo)}


def test_a_small_photo_is_not_enlarged(prep: Preparation) -> None:
    candidate = prep.candidates["self"]
    nominations.set_photo(candidate, image_bytes("PNG", (300, 450)), None)
    assert candidate.photo is not None
    with Image.open(io.BytesIO(candidate.photo)) as stored:
        assert stored.size == (300, 450)


def test_a_rotated_phone_photo_is_stored_upright(prep: Preparation) -> None:
    candidate = prep.candidates["self"]
    # stored 400 wide × 200 high, EXIF orientation 6: shown rotated 90°, i.e. 200 wide × 400 high
    nominations.set_photo(candidate, image_bytes("JPEG", (400, 200), exif={0x0112: 6}), None)
    assert candidate.photo is not None
    with Image.open(io.BytesIO(candidate.photo)) as stored:
        assert stored.size == (200, 400)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not an image at all", id="garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="broken-png"),
        pytest.param(image_bytes("GIF", (10, 10)), id="gif"),
        pytest.param(b"\xff\xd8" + b"\x00" * (3 * 1024 * 1024), id="over-3-mb"),
    ],
)
def test_other_files_are_refused(prep: Preparation, data: bytes) -> None:
    candidate = prep.candidates["self"]
    error = refused(nominations.set_photo, candidate, data, None)
    assert (error.code, error.field) == ("invalid_photo", "photo")
    assert candidate.photo is None
    assert audit_events(prep.group.community_id, "candidate.photo") == []


def test_no_photo_for_a_withdrawn_candidate(prep: Preparation) -> None:
    candidate = nominations.withdraw(prep.candidates["self"], "个人原因", None)
    error = refused(nominations.set_photo, candidate, image_bytes("PNG"), None)
    assert (error.code, error.status) == ("not_standing", 409)


# --- withdrawal -----------------------------------------------------------------------------------------------------


def test_withdraw_needs_a_reason_and_happens_once(prep: Preparation) -> None:
    candidate = prep.candidates["residents_committee"]
    assert refused(nominations.withdraw, candidate, " ", None).code == "invalid_reason"
    assert candidate.status == "nominated"
    nominations.withdraw(candidate, "工作调动", None)
    assert (candidate.status, candidate.withdrawal_reason) == ("withdrawn", "工作调动")
    assert candidate.withdrawn_at is not None
    error = refused(nominations.withdraw, candidate, "再次退出", None)
    assert (error.code, error.status) == ("not_standing", 409)
    [event] = audit_events(prep.group.community_id, "candidate.withdraw")
    assert event.summary == {"reason": "工作调动"}


# --- the list and the township's review -----------------------------------------------------------------------------


def accept_all(prep: Preparation, official: User) -> None:
    for candidate in prep.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)


def test_submit_list_is_refused_with_unvetted_nominations(prep: Preparation, official: User) -> None:
    declare_clean(prep.candidates["self"], official)
    nominations.vet(prep.candidates["self"], True, "", official.id)
    error = refused(nominations.submit_list, prep.group, official.id)
    assert (error.code, error.status) == ("unvetted_candidates", 409)
    assert db.session.scalars(select(CandidateListReview)).all() == []


def test_submit_list_needs_an_accepted_candidate(prep: Preparation, official: User) -> None:
    for candidate in prep.candidates.values():
        nominations.vet(candidate, False, "不符合条件", official.id)
    assert refused(nominations.submit_list, prep.group, official.id).code == "empty_list"


def test_submit_list_sends_the_accepted_and_locks_the_list(prep: Preparation, official: User) -> None:
    accept_all(prep, official)
    nominations.withdraw(prep.candidates["residents_committee"], "个人原因", None)
    review = nominations.submit_list(prep.group, official.id)
    assert review.decision == "pending"
    assert review.candidate_ids == [prep.candidates["self"].id, prep.candidates["joint"].id]
    assert nominations.pending_or_approved_review(prep.group) is review
    error = refused(nominate, prep, 20)
    assert (error.code, error.status) == ("list_locked", 409)
    assert "reviewing" in english(error)
    assert refused(nominations.submit_list, prep.group, official.id).code == "list_locked"
    assert refused(profile, prep.candidates["self"]).code == "list_locked"
    [event] = audit_events(prep.group.community_id, "candidate_list.submit")
    assert event.summary == {"candidates": review.candidate_ids}


def test_review_needs_another_official(prep: Preparation, official: User, reviewer: User) -> None:
    accept_all(prep, official)
    review = nominations.submit_list(prep.group, official.id)
    error = refused(nominations.review_list, review, True, "", official.id)
    assert (error.code, error.status) == ("four_eyes", 403)
    assert review.decision == "pending"
    nominations.review_list(review, True, "同意", reviewer.id)
    assert (review.decision, review.reasons, review.decided_by_id) == ("approved", "同意", reviewer.id)
    assert review.decided_at is not None
    error = refused(nominations.review_list, review, False, "改变主意", reviewer.id)
    assert (error.code, error.status) == ("review_decided", 409)
    # approved: locked for good, but a candidate may still withdraw
    error = refused(nominate, prep, 20)
    assert "approved" in english(error)
    nominations.withdraw(prep.candidates["joint"], "个人原因", None)
    [event] = audit_events(prep.group.community_id, "candidate_list.review")
    assert event.summary == {"decision": "approved", "reasons": "同意"}


def test_an_official_who_vetted_a_candidate_cannot_decide_the_list(
    prep: Preparation, official: User, reviewer: User
) -> None:
    accept_all(prep, official)
    review = nominations.submit_list(prep.group, None)  # submitted by someone else (here: the system)
    error = refused(nominations.review_list, review, True, "", official.id)
    assert (error.code, error.status) == ("four_eyes", 403)
    assert review.decision == "pending"
    nominations.review_list(review, True, "", reviewer.id)
    assert review.decision == "approved"


def test_returning_the_list_needs_reasons_and_reopens_vetting(
    prep: Preparation, official: User, reviewer: User
) -> None:
    accept_all(prep, official)
    review = nominations.submit_list(prep.group, official.id)
    error = refused(nominations.review_list, review, False, " ", reviewer.id)
    assert (error.code, error.field) == ("invalid_reasons", "reasons")
    assert review.decision == "pending"
    assert {c.status for c in prep.candidates.values()} == {"accepted"}
    nominations.review_list(review, False, "联名推荐人中有两人已出售房屋，请复核", reviewer.id)
    assert review.decision == "returned"
    assert {c.status for c in prep.candidates.values()} == {"nominated"}
    assert nominations.pending_or_approved_review(prep.group) is None
    # the group vets again (now rejecting one) and resubmits
    nominations.vet(prep.candidates["joint"], False, "联名人数不足", official.id)
    nominations.vet(prep.candidates["self"], True, "", official.id)
    nominations.vet(prep.candidates["residents_committee"], True, "", official.id)
    again = nominations.submit_list(prep.group, official.id)
    assert again.id != review.id
    assert again.candidate_ids == [prep.candidates["self"].id, prep.candidates["residents_committee"].id]
    nominations.review_list(again, True, "", reviewer.id)
    assert [e.summary["decision"] for e in audit_events(prep.group.community_id, "candidate_list.review")] == [
        "returned",
        "approved",
    ]


def test_a_withdrawn_candidate_stays_withdrawn_when_the_list_is_returned(
    prep: Preparation, official: User, reviewer: User
) -> None:
    accept_all(prep, official)
    review = nominations.submit_list(prep.group, official.id)
    nominations.withdraw(prep.candidates["self"], "个人原因", None)
    nominations.review_list(review, False, "请补充材料", reviewer.id)
    assert prep.candidates["self"].status == "withdrawn"
    assert prep.candidates["joint"].status == "nominated"


def test_a_small_file_of_too_many_pixels_is_refused_before_decoding(prep: Preparation) -> None:
    """A 1-bit PNG of 6,000 × 5,000 pixels is a few kilobytes but would decode to 120 MB of RGB."""
    out = io.BytesIO()
    Image.new("1", (6000, 5000)).save(out, format="PNG")
    assert len(out.getvalue()) < PHOTO_MAX_BYTES
    candidate = prep.candidates["self"]
    error = refused(nominations.set_photo, candidate, out.getvalue(), None)
    assert (error.code, error.field) == ("invalid_photo", "photo")
    assert candidate.photo is None


def test_unpaid_fees_bar_only_where_the_rules_of_procedure_say_so(prep: Preparation, official: User) -> None:
    """DOMAIN §6 (seed item 16 "依法"): the bar is a rule of procedure, announced with the election rules."""
    from app.preparation.documents import election_rules_text

    candidate = declare_clean(prep.candidates["self"], official)
    demand(prep, 4)
    plan = prep.group.plan
    assert plan is not None
    assert "不得作为候选人" in election_rules_text(plan)
    assert outcomes(candidate)["no_arrears_after_demand"] == "fail"
    plan.arrears_bar = False
    assert "不作为候选人资格限制" in election_rules_text(plan)
    assert outcomes(candidate)["no_arrears_after_demand"] == "pass"
    assert evidence(candidate, "no_arrears_after_demand")["applies"] is False
    nominations.vet(candidate, True, "", official.id)
    assert candidate.status == "accepted"


def test_a_person_under_guardianship_cannot_be_accepted(prep: Preparation, official: User) -> None:
    candidate = declare_clean(prep.candidates["self"], official)
    nominations.update_profile(
        candidate,
        statement="",
        party_member=False,
        peoples_congress_deputy=False,
        cppcc_member=False,
        declaration_made=True,
        declared_acts=(),
        property_company_tie=False,
        user_id=official.id,
        under_guardianship=True,
    )
    error = refused(nominations.vet, candidate, True, "", official.id)
    assert error.code == "not_eligible"
    assert "Full civil capacity" in english(error)
