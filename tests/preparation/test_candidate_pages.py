"""The candidate pages, used as the group and the township use them: joint nominations of ten or more owners
(Shaoxing Art 13), the eligibility checks with their evidence (Arts 17, 22), the group's vetting, the township's
review with four eyes, withdrawal, photos, and the written arrears demands (personal data: the preparers only)."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.auth.models import GroupRole, Role
from app.extensions import db
from app.preparation.common import parse_yuan
from app.preparation.documents import yuan as format_yuan
from app.preparation.models import ArrearsDemand, Candidate, CandidateListReview
from app.privacy import mask_name
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import Preparation, declare_clean, gen_preparation
from tests.roll_flow.helpers import flashes, text_of


class Staff:
    """A community in preparation (three nominations), two officials of its township, a group member, an observer,
    and a group member of another township's community."""

    def __init__(self, app: Any):
        self.app = app
        township = gen_township()
        self.community = gen_community(township)
        self.official = gen_official(township)
        self.second_official = gen_official(township)
        self.member = gen_member(self.community, group_role=GroupRole.LEADER)
        self.observer = gen_member(self.community, role=Role.OBSERVER, group_role=None)
        self.stranger = gen_member(gen_community(gen_township()))
        self.prep: Preparation = gen_preparation(self.community, self.official)
        db.session.commit()

    def client(self, user: Any) -> Browser:
        client = self.app.test_client()
        auth = AuthActions(client)
        assert auth.login(user.username).status_code == 302
        client.get("/lang/en")
        return Browser(client, auth.csrf("/account/tokens"))


class Browser:
    """A logged-in client (English pages) that posts forms with its CSRF token."""

    def __init__(self, client: Any, csrf: str):
        self.client, self.csrf = client, csrf

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)

    def post(self, url: str, **data: Any) -> Any:
        return self.client.post(url, data={**data, "csrf_token": self.csrf})

    def flashed(self, url: str, **data: Any) -> list[str]:
        """POST a form, follow the redirect, return the messages flashed."""
        response = self.post(url, **data)
        assert response.status_code == 302, response.status_code
        return flashes(self.page(response.headers["Location"]))


@pytest.fixture
def staff(app: Any) -> Staff:
    return Staff(app)


@pytest.fixture
def group(staff: Staff) -> Browser:
    return staff.client(staff.member)


def fresh(candidate: Candidate) -> Candidate:
    db.session.expire_all()
    return db.session.get_one(Candidate, candidate.id)


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def check_of(page: str, code: str) -> tuple[str, str]:
    """(outcome, evidence text) of one eligibility check on the candidate page."""
    match = re.search(rf'data-check="{code}" data-outcome="(\w+)">.*?<div class="evidence">(.*?)</div>', page, re.S)
    assert match, f"no check {code} on the page"
    return match.group(1), text_of(match.group(2))


def candidate_url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.id}"


def joint(staff: Staff, cosigners: list[str], owner_index: int = 17) -> dict[str, str]:
    owner = staff.prep.owners[owner_index]
    return {
        "name": owner.name,
        "id_number": owner.id_number,
        "route": "joint",
        "nominated_on": "2026-10-12",
        "statement": "愿为业主服务。",
        "cosigners": "\n".join(cosigners),
    }


def accept_all(browser: Browser, staff: Staff) -> None:
    for candidate in staff.prep.candidates.values():
        declare_clean(fresh(candidate), staff.member)
    db.session.commit()
    for candidate in staff.prep.candidates.values():
        assert browser.flashed(f"{candidate_url(candidate)}/vet", decision="accept", reason="") == [
            "The candidate is accepted."
        ]


# --- nominations ---------------------------------------------------------------------------------------------


def test_a_joint_nomination_needs_ten_owners_and_never_shows_their_id_numbers(staff: Staff, group: Browser):
    owners = staff.prep.owners
    index = f"/communities/{staff.community.id}/candidates"
    before = count(Candidate)
    nine = [o.id_number for o in owners[18:27]]

    messages = group.flashed(index, **joint(staff, nine))

    assert messages == [
        "A joint nomination needs at least 10 owners on the roll, counted in heads: the co-owners of one unit count "
        "once (Shaoxing Art 13); 9 found."
    ]
    assert count(Candidate) == before
    page = group.page(index)
    assert "ten or more owners jointly" in page
    assert not any(number in page for number in [owners[17].id_number, *nine])

    ten = [o.id_number for o in owners[18:28]]
    response = group.post(index, **joint(staff, ten))
    assert response.status_code == 302
    candidate = db.session.scalars(select(Candidate).order_by(Candidate.id.desc())).first()
    assert candidate is not None
    assert candidate.route == "joint"
    assert len(candidate.cosigners) == 10
    assert response.headers["Location"] == candidate_url(candidate)
    page = group.page(candidate_url(candidate))
    assert mask_name(owners[18].name) in page
    assert owners[18].name not in page
    assert not any(number in page for number in [owners[17].id_number, *ten])


def test_a_repeated_cosigner_is_reported_by_its_line(staff: Staff, group: Browser):
    owners = staff.prep.owners
    lines = [o.id_number for o in owners[18:28]]
    lines.insert(3, owners[18].id_number.lower())  # line 4 repeats line 1 (ID numbers compare case-insensitively)
    before = count(Candidate)

    messages = group.flashed(f"/communities/{staff.community.id}/candidates", **joint(staff, lines))

    assert messages == ["Line 4 repeats an earlier co-signer."]
    assert count(Candidate) == before


def test_the_list_shows_routes_checks_and_declarations(staff: Staff, group: Browser):
    declare_clean(fresh(staff.prep.candidates["self"]), staff.member)
    db.session.commit()
    page = group.page(f"/communities/{staff.community.id}/candidates")
    rows = dict(re.findall(r'data-candidate="(\d+)" data-status="nominated" data-summary="(\w+)"', page))
    assert rows == {
        str(staff.prep.candidates["self"].id): "pass",
        str(staff.prep.candidates["residents_committee"].id): "pending",
        str(staff.prep.candidates["joint"].id): "pending",
    }
    assert "Recommended jointly by ten or more owners" in page
    assert "party member" in page


# --- eligibility -------------------------------------------------------------------------------------------------


def test_an_unpaid_written_demand_fails_the_check_and_bars_acceptance_until_paid(staff: Staff, group: Browser):
    candidate = staff.prep.candidates["self"]
    declare_clean(fresh(candidate), staff.member)
    db.session.commit()
    arrears = f"/communities/{staff.community.id}/arrears"
    owner = staff.prep.owners[4]

    messages = group.flashed(
        arrears, id_number=owner.id_number, kind="property_fee", amount="1,280.5", demanded_on="2026-10-08"
    )

    assert messages == ["The written demand is recorded."]
    demand = db.session.scalars(select(ArrearsDemand)).one()
    assert demand.amount_fen == 128050
    assert demand.paid_on is None
    page = group.page(arrears)
    assert mask_name(owner.name) in page
    assert owner.id_number not in page
    assert "1,280.50" in page
    outcome, evidence = check_of(group.page(candidate_url(candidate)), "no_arrears_after_demand")
    assert outcome == "fail"
    assert "2026-10-08" in evidence
    assert "1,280.50" in evidence
    assert "unpaid" in evidence
    outcome, evidence = check_of(staff.client(staff.observer).page(candidate_url(candidate)), "no_arrears_after_demand")
    assert outcome == "fail"
    assert "2026-10-08" in evidence
    assert "1,280.50" not in evidence  # the amount is personal data: the preparers only

    messages = group.flashed(f"{candidate_url(candidate)}/vet", decision="accept", reason="")
    assert len(messages) == 1
    assert messages[0].startswith("Every eligibility check must pass")
    assert "No unpaid fees after a written demand" in messages[0]
    assert fresh(candidate).status == "nominated"

    assert group.flashed(f"/arrears/{demand.id}/paid", paid_on="2026-10-20") == ["The payment is recorded."]
    outcome, evidence = check_of(group.page(candidate_url(candidate)), "no_arrears_after_demand")
    assert outcome == "pass"
    assert "paid on 2026-10-20" in evidence
    assert group.flashed(f"{candidate_url(candidate)}/vet", decision="accept", reason="") == [
        "The candidate is accepted."
    ]
    assert fresh(candidate).status == "accepted"


@pytest.mark.parametrize("amount", ["1.234", "-5", "1e3", "", "12.5元"])
def test_an_amount_that_is_not_yuan_and_fen_is_refused(staff: Staff, group: Browser, amount: str):
    messages = group.flashed(
        f"/communities/{staff.community.id}/arrears",
        id_number=staff.prep.owners[4].id_number,
        kind="property_fee",
        amount=amount,
        demanded_on="2026-10-08",
    )
    assert messages
    assert all(m.startswith("Amount demanded (yuan):") for m in messages)
    assert count(ArrearsDemand) == 0


def test_yuan_are_parsed_to_fen_exactly():
    assert [parse_yuan(t) for t in ("0.01", "0.1", "12", "1,280.50", " 99999999.99 ")] == [
        1,
        10,
        1200,
        128050,
        9999999999,
    ]
    assert [parse_yuan(t) for t in ("1.005", ".5", "1.", "1 000", "NaN")] == [None] * 5
    assert format_yuan(128050) == "1,280.50"
    assert format_yuan(7) == "0.07"


def test_declaring_an_item_of_art_22_fails_that_check(staff: Staff, group: Browser):
    candidate = staff.prep.candidates["residents_committee"]
    url = candidate_url(candidate)
    assert check_of(group.page(url), "no_prohibited_act")[0] == "pending"

    messages = group.flashed(
        f"{url}/profile",
        statement="退休教师",
        cppcc_member="y",
        declaration_made="y",
        declared_acts=["8"],
        property_company_tie="no",
    )

    assert messages == ["The profile is saved."]
    outcome, evidence = check_of(group.page(url), "no_prohibited_act")
    assert outcome == "fail"
    assert "(8) Taking part in the property service provider's business" in evidence
    assert check_of(group.page(url), "no_property_company_tie")[0] == "pass"
    saved = fresh(candidate)
    assert saved.declared_acts == [8]
    assert saved.cppcc_member
    assert not saved.party_member
    messages = group.flashed(f"{url}/vet", decision="accept", reason="")
    assert messages[0].startswith("Every eligibility check must pass")
    assert group.flashed(f"{url}/vet", decision="reject", reason="") == [
        "Reason: This field is required (at most 500 characters)."
    ]
    assert group.flashed(f"{url}/vet", decision="reject", reason="申报有第二十二条第八项行为") == [
        "The candidate is rejected."
    ]
    assert fresh(candidate).status == "rejected"


# --- the township's review -----------------------------------------------------------------------------------


def test_the_township_returns_the_list_then_another_official_approves_it(staff: Staff, group: Browser):
    index = f"/communities/{staff.community.id}/candidates"
    township = staff.client(staff.official)
    second = staff.client(staff.second_official)
    accept_all(group, staff)

    assert group.flashed(f"{index}/submit") == ["The list is sent to the township for review."]
    review = db.session.scalars(select(CandidateListReview)).one()
    assert group.post(f"/candidate-lists/{review.id}/review", decision="approve", reasons="").status_code == 403
    assert 'data-review-decision="pending"' in group.page(index)
    assert "Approve the list" not in group.page(index)
    assert "Approve the list" in township.page(index)
    assert township.flashed(f"/candidate-lists/{review.id}/review", decision="return", reasons="") == [
        "Reasons: This field is required (at most 2000 characters)."
    ]

    messages = township.flashed(
        f"/candidate-lists/{review.id}/review", decision="return", reasons="候选人简介不全，请补充后重新报送。"
    )

    assert messages == ["The list is returned to the group."]
    page = group.page(index)
    assert 'data-review-decision="returned"' in page
    returned = re.search(r"<div[^>]*data-returned-reasons[^>]*>(.*?)</div>", page, re.S)
    assert returned
    assert "候选人简介不全" in text_of(returned.group(1))
    assert {fresh(c).status for c in staff.prep.candidates.values()} == {"nominated"}

    for candidate in staff.prep.candidates.values():  # the group vets again; the township's leader resubmits
        assert group.flashed(f"{candidate_url(candidate)}/vet", decision="accept", reason="简介已补充") == [
            "The candidate is accepted."
        ]
    assert township.flashed(f"{index}/submit") == ["The list is sent to the township for review."]
    review = db.session.scalars(select(CandidateListReview).order_by(CandidateListReview.id.desc())).first()
    assert review is not None
    assert review.decision == "pending"

    assert township.flashed(f"/candidate-lists/{review.id}/review", decision="approve", reasons="") == [
        "Another official must review a list you submitted or vetted."
    ]
    assert second.flashed(f"/candidate-lists/{review.id}/review", decision="approve", reasons="") == [
        "The list is approved."
    ]
    db.session.expire_all()
    assert db.session.get_one(CandidateListReview, review.id).decision == "approved"
    page = group.page(index)
    assert 'data-review-decision="approved"' in page
    assert "Submit the list to the township" not in page
    assert "Record the nomination" not in page


def test_a_group_member_of_another_community_sees_nothing(staff: Staff):
    stranger = staff.client(staff.stranger)
    candidate = staff.prep.candidates["joint"]
    url = candidate_url(candidate)
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}/photo").status_code == 404
    assert stranger.get(f"/communities/{staff.community.id}/candidates").status_code == 404
    assert stranger.post(f"{url}/withdraw", reason="越界").status_code == 404
    assert stranger.post(f"{url}/vet", decision="reject", reason="越界").status_code == 404
    assert fresh(candidate).status == "nominated"


# --- withdrawal, photo, arrears --------------------------------------------------------------------------------


def test_a_candidate_withdraws(staff: Staff, group: Browser):
    candidate = staff.prep.candidates["joint"]
    url = candidate_url(candidate)
    assert group.flashed(f"{url}/withdraw", reason="") == ["Why the candidate withdraws: This field is required."]
    assert group.flashed(f"{url}/withdraw", reason="工作调动，无法履职") == ["The withdrawal is recorded."]
    assert fresh(candidate).status == "withdrawn"
    page = group.page(url)
    assert "data-withdrawn" in page
    assert "工作调动，无法履职" in page
    assert "Record the withdrawal" not in page
    assert group.flashed(f"{url}/withdraw", reason="再次") == ["This candidate is no longer standing."]


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_a_png_photo_is_served_back_as_jpeg_and_a_text_file_is_refused(staff: Staff, group: Browser):
    candidate = staff.prep.candidates["self"]
    url = candidate_url(candidate)
    observer = staff.client(staff.observer)
    assert group.get(f"{url}/photo").status_code == 404

    for data, filename in ((b"not an image\n", "notes.txt"), (b"not an image\n", "photo.png")):
        response = group.client.post(
            f"{url}/photo",
            data={"photo": (io.BytesIO(data), filename), "csrf_token": group.csrf},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        messages = flashes(group.page(response.headers["Location"]))
        assert len(messages) == 1
        assert "JPEG or PNG" in messages[0]
    assert fresh(candidate).photo is None

    response = group.client.post(
        f"{url}/photo",
        data={"photo": (io.BytesIO(small_png()), "photo.png"), "csrf_token": group.csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert flashes(group.page(url)) == ["The photo is saved."]
    served = observer.get(f"{url}/photo")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 30)
    assert f'src="{url}/photo"' in observer.page(url)


def test_the_arrears_page_is_for_the_preparers_only(staff: Staff):
    observer = staff.client(staff.observer)
    arrears = f"/communities/{staff.community.id}/arrears"
    assert observer.get(arrears).status_code == 403
    response = observer.post(
        arrears, id_number=staff.prep.owners[4].id_number, kind="property_fee", amount="100", demanded_on="2026-10-08"
    )
    assert response.status_code == 403
    assert count(ArrearsDemand) == 0
    page = observer.page(f"/communities/{staff.community.id}/candidates")
    assert "Record the nomination" not in page
    assert "Written demands for unpaid fees" not in page
    assert observer.post(f"{candidate_url(staff.prep.candidates['self'])}/withdraw", reason="x").status_code == 403


def test_a_payment_before_its_demand_is_refused(staff: Staff, group: Browser):
    owner = staff.prep.owners[5]
    group.flashed(
        f"/communities/{staff.community.id}/arrears",
        id_number=owner.id_number,
        kind="maintenance_fund",
        amount="300",
        demanded_on=date(2026, 10, 8).isoformat(),
    )
    demand = db.session.scalars(select(ArrearsDemand)).one()
    assert group.flashed(f"/arrears/{demand.id}/paid", paid_on="2026-10-01") == [
        "Paid on: The payment date lies between the demand and today."
    ]
    db.session.expire_all()
    assert db.session.get_one(ArrearsDemand, demand.id).paid_on is None
