"""The tellers' paper-ballot pages (issue 6 item 5): two different tellers enter each returned ballot and it counts
when they agree; a disagreement waits in the queue with both entries side by side; refusals store nothing; only the
community's tellers, group and township enter; the printable ballots are one A4 page per voter whose QR code is the
voter's paper code (DOMAIN §8; Zhejiang Art 9: the owner signs the paper ballot)."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth import services as accounts
from app.auth.models import GroupRole, Role, User
from app.communities.models import Community
from app.extensions import db
from app.voting import ballots, letters, paper, paper_forms
from app.voting.models import Ballot, Meeting, MeetingVoter
from app.voting.paper_models import PaperEntry
from tests.conftest import AuthActions
from tests.factories import PASSWORD, gen_community, gen_member, gen_official, gen_township
from tests.roll_flow.helpers import flashes, text_of
from tests.voting.helpers import OpenMeeting, gen_open_meeting

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@dataclass
class World:
    community: Community
    opened: OpenMeeting
    official: User
    member: User
    tellers: list[User]
    observer: User
    township_observer: User
    stranger: User

    @property
    def meeting(self) -> Meeting:
        return self.opened.meeting


_tellers = itertools.count(1)


def teller(community: Community, name: str) -> User:
    """A teller with a display name of their own (the queue names who entered what)."""
    return accounts.create_community_account(community, f"teller{next(_tellers)}", name, PASSWORD, Role.TELLER)


@pytest.fixture
def world(app: Any) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    opened = gen_open_meeting(community, official)
    world = World(
        community=community,
        opened=opened,
        official=official,
        member=gen_member(community, group_role=GroupRole.LEADER),
        tellers=[teller(community, name) for name in ("王计票", "李计票", "赵计票")],
        observer=gen_member(community, role=Role.OBSERVER),
        township_observer=gen_official(township, role=Role.OBSERVER),
        stranger=teller(gen_community(township, "别的小区"), "外人"),
    )
    db.session.flush()
    return world


@pytest.fixture
def english(client: FlaskClient) -> None:
    """Messages are checked in English (the Chinese catalog is merged separately)."""
    client.get("/lang/en")


def login_as(client: FlaskClient, auth: AuthActions, user: User) -> None:
    if client.get("/login").status_code == 302:
        auth.post("/logout")
    auth.login(user.username)


def entry_url(world: World) -> str:
    return f"/meetings/{world.meeting.id}/paper"


def marks(world: World, motion: str = "yes", second: str = "blank", picked: int = 3) -> dict[str, Any]:
    """The form fields of an entry: the first motion, the second motion, the first ``picked`` candidates."""
    first_motion, second_motion, election = world.meeting.matters
    return {
        f"m{first_motion.id}": motion,
        f"m{second_motion.id}": second,
        f"m{election.id}": [str(c.id) for c in election.candidates[:picked]],
    }


def enter(client: FlaskClient, auth: AuthActions, world: World, code: str, **fields: Any) -> Any:
    scan = fields.pop("scan", None)
    data = {"code": code, **marks(world, **fields)}
    if scan is not None:
        data["scan"] = scan
    return auth.post(entry_url(world), data, form_page=entry_url(world))


def outcome_of(client: FlaskClient, response: Any) -> tuple[str, str]:
    """(data-outcome, the words) of the page an entry redirects to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    status = re.search(r'data-outcome="([a-z]+)"', page)
    words = re.search(r"<strong data-outcome-words>(.*?)</strong>", page, re.S)
    assert status, page
    assert words, page
    return status.group(1), text_of(words.group(1))


def entry_count(world: World) -> int:
    return db.session.scalar(select(func.count()).where(PaperEntry.meeting_id == world.meeting.id)) or 0


def ballot_of(voter: MeetingVoter) -> Ballot | None:
    return db.session.scalars(select(Ballot).where(Ballot.meeting_voter_id == voter.id)).first()


# --- double entry ----------------------------------------------------------------------------------------------------


def test_two_tellers_who_agree_count_the_ballot(client, auth, english, world: World) -> None:
    voter = world.opened.voters[3]
    code = paper.paper_code(voter)

    login_as(client, auth, world.tellers[0])
    page = client.get(entry_url(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert "A barcode scanner that types into this field works too" in html
    assert outcome_of(client, enter(client, auth, world, code)) == (
        "pending",
        "Waiting for a second teller: the ballot counts once another teller enters it the same way.",
    )
    assert ballot_of(voter) is None

    login_as(client, auth, world.tellers[1])
    status, words = outcome_of(client, enter(client, auth, world, code.lower()))
    assert (status, words) == ("matched", "Counted: both entries agree.")
    ballot = ballot_of(voter)
    assert ballot is not None
    assert ballot.channel == "paper"
    first_motion, second_motion, election = world.meeting.matters
    assert ballot.choices[str(first_motion.id)] == "yes"
    assert ballot.choices[str(second_motion.id)] is None
    assert ballot.choices[str(election.id)] == sorted(c.id for c in election.candidates[:3])


def test_entries_that_differ_wait_in_the_queue_side_by_side(client, auth, english, world: World) -> None:
    voter = world.opened.voters[4]
    code = paper.paper_code(voter)
    login_as(client, auth, world.tellers[0])
    enter(client, auth, world, code, motion="yes")
    login_as(client, auth, world.tellers[1])
    status, words = outcome_of(client, enter(client, auth, world, code, motion="no"))
    assert status == "mismatch"
    assert words.startswith("The entries differ: the ballot waits in the mismatch queue")
    assert ballot_of(voter) is None

    page = client.get(f"/meetings/{world.meeting.id}/paper/queue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    card = re.search(rf'<section class="card paper-queued" id="ballot-{voter.id}".*?</section>', html, re.S)
    assert card, html
    text = text_of(card.group(0))
    assert f"Ballot {code}" in text
    assert "by 王计票" in text
    assert "by 李计票" in text
    assert "1 matter differs: Matter 1" in text
    first_motion, _second_motion, election = world.meeting.matters
    row = re.search(rf'<tr data-matter="{first_motion.id}" data-differs="true"[^>]*>(.*?)</tr>', card.group(0), re.S)
    assert row
    assert text_of(row.group(1)).endswith("Differs For ≠ differs Against ≠ differs")
    assert f'data-matter="{election.id}" data-differs="false"' in card.group(0)
    assert "You entered this ballot already" in text  # the second teller is not offered the next entry
    assert f"/meetings/{world.meeting.id}/paper?code={code}#entry" not in card.group(0)
    assert re.search(r'data-count="mismatch">1<', html)

    # a third teller is: they agree with the second, the ballot counts and leaves the queue
    login_as(client, auth, world.tellers[2])
    html = client.get(f"/meetings/{world.meeting.id}/paper/queue").get_data(as_text=True)
    assert f"/meetings/{world.meeting.id}/paper?code={code}#entry" in html
    assert outcome_of(client, enter(client, auth, world, code, motion="no"))[0] == "matched"
    ballot = ballot_of(voter)
    assert ballot is not None
    assert ballot.choices[str(first_motion.id)] == "no"
    html = client.get(f"/meetings/{world.meeting.id}/paper/queue").get_data(as_text=True)
    assert f'id="ballot-{voter.id}"' not in html
    assert re.search(r'data-count="matched">1<', html)
    assert re.search(r'data-count="mismatch">0<', html)


def test_the_code_from_the_queue_is_filled_in(client, auth, english, world: World) -> None:
    code = paper.paper_code(world.opened.voters[2])
    login_as(client, auth, world.tellers[0])
    html = client.get(f"{entry_url(world)}?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in html


def test_the_same_teller_twice_is_refused_and_nothing_stored(client, auth, english, world: World) -> None:
    code = paper.paper_code(world.opened.voters[5])
    login_as(client, auth, world.tellers[0])
    enter(client, auth, world, code)
    again = enter(client, auth, world, code)
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "You entered this ballot already; a different teller enters it again." in flashes(html)
    assert entry_count(world) == 1
    assert 'value="yes" checked' in html  # the marks stay on the form


@pytest.mark.parametrize("code", ["99999-ABCD", "12", "abc-defg"])
def test_a_wrong_code_is_refused_and_nothing_stored(client, auth, english, world: World, code: str) -> None:
    login_as(client, auth, world.tellers[0])
    response = enter(client, auth, world, code)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This code is not a ballot of this meeting. Check it." in flashes(html)
    assert 'aria-invalid="true"' in html
    assert entry_count(world) == 0


def test_another_meetings_code_is_refused(client, auth, english, world: World) -> None:
    other = gen_open_meeting(gen_community(world.community.township), world.official)
    login_as(client, auth, world.tellers[0])
    assert enter(client, auth, world, paper.paper_code(other.voters[0])).status_code == 422
    assert entry_count(world) == 0


def test_a_motion_left_unmarked_on_the_form_is_refused(client, auth, english, world: World) -> None:
    login_as(client, auth, world.tellers[0])
    response = enter(client, auth, world, paper.paper_code(world.opened.voters[1]), motion="")
    assert response.status_code == 422
    first_motion = world.meeting.matters[0]
    assert f"Mark what the paper shows on: {first_motion.title}" in flashes(response.get_data(as_text=True))
    assert entry_count(world) == 0


def test_a_settled_ballot_is_refused(client, auth, english, world: World) -> None:
    code = paper.paper_code(world.opened.voters[6])
    for n in (0, 1):
        login_as(client, auth, world.tellers[n])
        enter(client, auth, world, code)
    login_as(client, auth, world.tellers[2])
    response = enter(client, auth, world, code)
    assert response.status_code == 409
    assert "This ballot has been settled already." in flashes(response.get_data(as_text=True))
    assert entry_count(world) == 2


def test_a_phone_ballot_cast_first_is_a_conflict_and_its_choices_stay_hidden(
    client, auth, english, world: World
) -> None:
    voter = world.opened.voters[7]
    first_motion, _second_motion, election = world.meeting.matters
    choices = {str(first_motion.id): "abstain", str(election.id): [election.candidates[5].id]}
    phone = ballots.cast(voter, choices, "phone")
    code = paper.paper_code(voter)
    login_as(client, auth, world.tellers[0])
    enter(client, auth, world, code)
    login_as(client, auth, world.tellers[1])
    response = enter(client, auth, world, code)
    status, words = outcome_of(client, response)
    assert status == "conflict"
    assert words.startswith("This owner had voted by phone: the first ballot counts (conflict).")
    assert ballot_of(voter).id == phone.ballot.id  # type: ignore[union-attr]
    queue = client.get(f"/meetings/{world.meeting.id}/paper/queue").get_data(as_text=True)
    assert re.search(r'data-count="conflict">1<', queue)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    outcome = re.search(
        r'<section class="card paper-outcome paper-outcome-conflict" id="outcome".*?</section>', page, re.S
    )
    assert outcome
    for html in (queue, outcome.group(0)):  # the phone ballot's choices appear nowhere
        assert election.candidates[5].name not in html
        assert "Abstain" not in html


def test_a_scan_keeps_only_its_hash(client, auth, english, world: World) -> None:
    login_as(client, auth, world.tellers[0])
    response = enter(
        client, auth, world, paper.paper_code(world.opened.voters[8]), scan=(io.BytesIO(PNG), "ballot.png")
    )
    assert response.status_code == 302
    entry = db.session.scalars(select(PaperEntry).where(PaperEntry.meeting_id == world.meeting.id)).one()
    assert entry.image_sha256 == hashlib.sha256(PNG).hexdigest()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(b"GIF89a" + b"\0" * 20), "ballot.png"), "The scan must be a JPEG or PNG image or a PDF."),
        ((io.BytesIO(b"\0" * 20), "ballot.gif"), "Choose a JPEG, PNG or PDF file."),
        ((io.BytesIO(PNG + b"\0" * 2000), "ballot.png"), "The scan is larger than 5 MB."),
    ],
)
def test_a_wrong_scan_is_refused(client, auth, english, world: World, upload: Any, message: str, monkeypatch) -> None:
    # the limit made small, so that the test client keeps the upload in memory (5 MB would go through a temp file)
    monkeypatch.setattr(paper_forms, "MAX_SCAN_BYTES", 2000)
    login_as(client, auth, world.tellers[0])
    response = enter(client, auth, world, paper.paper_code(world.opened.voters[8]), scan=upload)
    assert response.status_code == 422
    assert any(message in m for m in flashes(response.get_data(as_text=True)))
    assert entry_count(world) == 0


# --- who may ---------------------------------------------------------------------------------------------------------


def urls(world: World) -> list[str]:
    return [entry_url(world), f"{entry_url(world)}/queue"]


def test_the_group_and_the_township_enter_ballots_too(client, auth, world: World) -> None:
    for user in (world.member, world.official):
        login_as(client, auth, user)
        for url in urls(world):
            assert client.get(url).status_code == 200, (user.username, url)


@pytest.mark.parametrize("who", ["observer", "township_observer"])
def test_observers_may_not_enter(client, auth, world: World, who: str) -> None:
    login_as(client, auth, getattr(world, who))
    for url in urls(world):
        assert client.get(url).status_code == 403, url
    assert enter(client, auth, world, paper.paper_code(world.opened.voters[0])).status_code == 403
    assert entry_count(world) == 0


def test_another_communitys_teller_finds_nothing(client, auth, world: World) -> None:
    login_as(client, auth, world.stranger)
    for url in [*urls(world), f"/meetings/{world.meeting.id}/paper-ballots.pdf"]:
        assert client.get(url).status_code == 404, url
    assert enter(client, auth, world, paper.paper_code(world.opened.voters[0])).status_code == 404
    assert entry_count(world) == 0


def test_tellers_print_the_ballots_of_their_meeting(client, auth, world: World) -> None:
    """A teller hands a paper ballot to an owner who asks for one (Hangzhou Art 20): the print links are on their
    page and the PDF answers them (503 only where the server lacks the Chinese font); an observer may not."""
    pdf_url = f"/meetings/{world.meeting.id}/paper-ballots.pdf"
    login_as(client, auth, world.tellers[0])
    assert pdf_url in client.get(entry_url(world)).get_data(as_text=True)
    response = client.get(pdf_url)
    assert response.status_code == (200 if letters.font_available() else 503)
    if response.status_code == 200:
        assert response.mimetype == "application/pdf"
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper.ballots_pdf")).one()
        assert event.actor_user_id == world.tellers[0].id
    login_as(client, auth, world.observer)
    assert client.get(pdf_url).status_code == 403


# --- the printable ballots -------------------------------------------------------------------------------------------

needs_font = pytest.mark.skipif(not letters.font_available(), reason="the ballots need Debian's fonts-noto-cjk")


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    """The page count, by pypdf when installed, else by poppler's pdfinfo."""
    try:
        from pypdf import PdfReader
    except ImportError:
        if shutil.which("pdfinfo") is None:
            pytest.skip("counting pages needs pypdf or poppler-utils")
        path = tmp_path / "count.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True, timeout=60).stdout
        found = re.search(r"^Pages:\s+(\d+)", out, re.M)
        assert found, out
        return int(found.group(1))
    return len(PdfReader(io.BytesIO(pdf)).pages)


def decoded_qr_codes(pdf: bytes, tmp_path: Path, page: int) -> list[str]:
    """The texts of the QR codes on a page, rasterised at 150 dpi (a scanner or a phone photo of the paper)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    if shutil.which("pdftoppm") is None:
        pytest.skip("decoding the QR code needs poppler-utils (pdftoppm)")
    from PIL import Image

    path = tmp_path / "ballots.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", "-png", "-f", str(page), "-l", str(page), str(path), str(prefix)],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob(f"page{page}*.png")
    return [result.text for result in zxingcpp.read_barcodes(Image.open(image))]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("reading the PDF needs poppler-utils (pdftotext)")
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode()


def voters_in_order(world: World, building: str | None = None) -> list[MeetingVoter]:
    from app.voting.letter_batches import voter_ids_of

    return [db.session.get_one(MeetingVoter, i) for i in voter_ids_of(world.meeting, building)]


@needs_font
def test_the_ballots_are_one_page_per_voter_with_the_code_as_qr(client, auth, world: World, tmp_path: Path) -> None:
    login_as(client, auth, world.member)
    response = client.get(f"/meetings/{world.meeting.id}/paper-ballots.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.data
    voters = voters_in_order(world)
    assert pdf_pages(pdf, tmp_path) == len(voters) == len(world.opened.voters)
    for page in (1, len(voters)):
        (tmp_path / f"p{page}").mkdir()
        assert decoded_qr_codes(pdf, tmp_path / f"p{page}", page) == [paper.paper_code(voters[page - 1])]
    text = pdf_text(pdf, tmp_path)
    first = text.split("\f")[0]
    assert paper.paper_code(voters[0]) in first
    assert "业主签名" in first
    for option in ("同意", "反对", "弃权"):
        assert option in first
    assert "最多选 5 人" in first
    for candidate in world.meeting.matters[2].candidates:
        assert candidate.name in first
    assert voters[0].units_label in first
    if not voters[0].is_developer:
        assert voters[0].holder_name not in first  # masked
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper.ballots_pdf")).all()
    assert event.summary == {"building": None, "voters": len(voters)}


@needs_font
def test_the_ballots_of_one_building(client, auth, world: World, tmp_path: Path) -> None:
    building = world.opened.voters[-1].building
    voters = voters_in_order(world, building)
    login_as(client, auth, world.official)
    response = client.get(f"/meetings/{world.meeting.id}/paper-ballots.pdf", query_string={"building": building})
    assert response.status_code == 200
    assert pdf_pages(response.data, tmp_path) == len(voters) < len(world.opened.voters)
    assert decoded_qr_codes(response.data, tmp_path, len(voters)) == [paper.paper_code(voters[-1])]
    unknown = client.get(f"/meetings/{world.meeting.id}/paper-ballots.pdf", query_string={"building": "99幢"})
    assert unknown.status_code == 404


def test_the_print_links_are_for_preparers(client, auth, world: World) -> None:
    login_as(client, auth, world.member)
    html = client.get(entry_url(world)).get_data(as_text=True)
    assert f"/meetings/{world.meeting.id}/paper-ballots.pdf" in html
    assert f"/meetings/{world.meeting.id}/paper-ballots.pdf?building=" in html


def test_two_tellers_who_agree_on_an_invalid_mark_count_the_ballot(client, auth, english, world: World) -> None:
    """An invalid mark takes part (DOMAIN §4): a ballot marked twice on a motion still counts once entered twice."""
    voter = world.opened.voters[9]
    code = paper.paper_code(voter)
    for n in (0, 1):
        login_as(client, auth, world.tellers[n])
        response = enter(client, auth, world, code, motion="invalid", picked=6)
    assert outcome_of(client, response)[0] == "matched"
    ballot = ballot_of(voter)
    assert ballot is not None
    first_motion, _second, election = world.meeting.matters
    assert (ballot.choices[str(first_motion.id)], ballot.choices[str(election.id)]) == ("invalid", "invalid")


# --- paper entry that cannot get stuck (issue 19 item 2) -------------------------------------------------------------


def queue_url(world: World) -> str:
    return f"/meetings/{world.meeting.id}/paper/queue"


def outcome_section(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r'<section class="card paper-outcome[^"]*" id="outcome".*?</section>', page, re.S)
    assert found, page
    return found.group(0)


def name_next(client: FlaskClient, auth: AuthActions, world: World, voter: MeetingVoter, user: User) -> Any:
    """The convener's form on the queue page: who makes the next entry of ``voter``'s ballot (a prefixed form)."""
    prefix = f"v{voter.id}"
    return client.post(
        f"/meetings/{world.meeting.id}/paper/{voter.id}/next-entry",
        data={f"{prefix}-csrf_token": auth.csrf(queue_url(world)), f"{prefix}-user_id": str(user.id)},
    )


def card_of(html: str, voter: MeetingVoter) -> str:
    card = re.search(rf'<section class="card paper-queued" id="ballot-{voter.id}".*?</section>', html, re.S)
    assert card, html
    return card.group(0)


def test_each_outcome_has_its_own_style_sign_and_word(client, auth, english, world: World) -> None:
    """Waiting, counted, differing and in conflict each look different, and say so in a word next to a sign (never
    colour alone)."""
    first, second, phone = world.opened.voters[3], world.opened.voters[4], world.opened.voters[5]
    ballots.cast(phone, {str(world.meeting.matters[0].id): "no"}, "phone")
    login_as(client, auth, world.tellers[0])
    seen = {"pending": outcome_section(client, enter(client, auth, world, paper.paper_code(first)))}
    enter(client, auth, world, paper.paper_code(second), motion="yes")
    enter(client, auth, world, paper.paper_code(phone))
    login_as(client, auth, world.tellers[1])
    seen["matched"] = outcome_section(client, enter(client, auth, world, paper.paper_code(first)))
    seen["mismatch"] = outcome_section(client, enter(client, auth, world, paper.paper_code(second), motion="no"))
    seen["conflict"] = outcome_section(client, enter(client, auth, world, paper.paper_code(phone)))
    words = {
        "pending": "… Entered once",
        "matched": "✓ Counted",
        "mismatch": "≠ Entries differ",
        "conflict": "! Not counted: conflict",
    }
    for status, section in seen.items():
        assert f'class="card paper-outcome paper-outcome-{status}"' in section
        badge = re.search(r'<span class="paper-outcome-badge">(.*?)</span>\s*Ballot', section, re.S)
        assert badge, section
        assert text_of(badge.group(1)) == words[status]
    assert "Who may make the next entry:" in text_of(seen["mismatch"])


@pytest.mark.parametrize(
    ("channel", "said"),
    [
        ("phone", "A ballot of this owner is already counted: they voted by phone."),
        ("proxy", "A ballot of this owner is already counted: their proxy voted for them."),
    ],
)
def test_the_first_entry_of_an_owner_who_voted_already_warns_at_once(
    client, auth, english, world: World, channel: str, said: str
) -> None:
    """The first teller learns at once that this paper will not count and what becomes of it (DOMAIN §8: the first
    ballot accepted counts; the convener sets the conflict aside before the count), never how the owner voted."""
    voter = world.opened.voters[7]
    first_motion, _second, election = world.meeting.matters
    ballots.cast(voter, {str(first_motion.id): "abstain", str(election.id): [election.candidates[5].id]}, channel)
    login_as(client, auth, world.tellers[0])
    section = outcome_section(client, enter(client, auth, world, paper.paper_code(voter)))
    assert 'data-outcome="pending"' in section
    warning = re.search(r"<div class=\"paper-already\" data-already-voted>(.*?)</div>", section, re.S)
    assert warning, section
    text = text_of(warning.group(1))
    assert said in text
    assert "this paper ballot will not be counted" in text
    assert "the convener sets it aside with a reason before the count" in text
    assert election.candidates[5].name not in section
    assert "Abstain" not in section


def test_two_tellers_alone_settle_a_mismatch_from_the_page(client, auth, english, world: World) -> None:
    """Only two tellers enter: the first may not enter the ballot again on their own, and both the refusal and the
    queue name who may (the group leader, the township). The group leader, who convenes, names the first teller on
    the queue page; the first teller sees it, enters the paper again like the second: counted."""
    voter = world.opened.voters[4]
    code = paper.paper_code(voter)
    login_as(client, auth, world.tellers[0])
    enter(client, auth, world, code, motion="yes")
    login_as(client, auth, world.tellers[1])
    enter(client, auth, world, code, motion="no")

    login_as(client, auth, world.tellers[0])
    again = enter(client, auth, world, code, motion="no")
    assert again.status_code == 409
    [refusal] = flashes(again.get_data(as_text=True))
    assert refusal.startswith("You entered this ballot already. Its next entry is made by:")
    township = world.community.township.name
    assert f"the officials of {township} (the township)" in refusal
    assert "王计票" not in refusal
    assert "李计票" not in refusal
    assert "赵计票 (teller)" in refusal  # the third teller of this world, who has not entered it
    assert entry_count(world) == 2

    card = card_of(client.get(queue_url(world)).get_data(as_text=True), voter)
    assert "You entered this ballot already" in text_of(card)
    assert "data-designate" not in card  # a teller does not name
    assert f"the officials of {township} (the township)" in text_of(card)
    assert name_next(client, auth, world, voter, world.tellers[0]).status_code == 403

    login_as(client, auth, world.member)
    card = card_of(client.get(queue_url(world)).get_data(as_text=True), voter)
    assert "data-designate" in card
    assert "王计票 (entered it)" in text_of(card)
    response = name_next(client, auth, world, voter, world.tellers[0])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#ballot-{voter.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"王计票 makes the next entry of ballot {code}." in flashes(page)
    named = re.search(r"<p class=\"help\" data-named>(.*?)</p>", card_of(page, voter), re.S)
    assert named
    assert text_of(named.group(1)).startswith("王计票 was named by 筹备组成员 on ")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper.designate")).all()
    assert event.actor_user_id == world.member.id

    login_as(client, auth, world.tellers[0])
    entry_page = client.get(entry_url(world)).get_data(as_text=True)
    assert "The convener named you to enter again" in entry_page
    assert f"/meetings/{world.meeting.id}/paper?code={code}#entry" in entry_page
    assert f"/meetings/{world.meeting.id}/paper?code={code}#entry" in card_of(
        client.get(queue_url(world)).get_data(as_text=True), voter
    )
    assert outcome_of(client, enter(client, auth, world, code, motion="no"))[0] == "matched"
    ballot = ballot_of(voter)
    assert ballot is not None
    assert ballot.choices[str(world.meeting.matters[0].id)] == "no"
    assert "The convener named you to enter again" not in client.get(entry_url(world)).get_data(as_text=True)


def test_naming_is_the_conveners_and_only_of_an_account_that_enters(client, auth, english, world: World) -> None:
    voter = world.opened.voters[4]
    code = paper.paper_code(voter)
    for n, motion in ((0, "yes"), (1, "no")):
        login_as(client, auth, world.tellers[n])
        enter(client, auth, world, code, motion=motion)
    login_as(client, auth, world.stranger)
    assert name_next(client, auth, world, voter, world.tellers[0]).status_code == 404
    login_as(client, auth, world.member)
    for user in (world.observer, world.stranger):
        response = name_next(client, auth, world, voter, user)
        assert response.status_code == 302
        assert any("Not a valid choice" in m for m in flashes(client.get(response.headers["Location"]).get_data(True)))
    other = world.opened.voters[9]
    response = name_next(client, auth, world, other, world.tellers[0])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This ballot is not in the mismatch queue: there is nothing to settle." in flashes(page)
    elsewhere = gen_open_meeting(gen_community(world.community.township), world.official).voters[0]
    assert name_next(client, auth, world, elsewhere, world.tellers[0]).status_code == 404
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "paper.designate")).all()


def test_the_ballots_waiting_are_listed_by_code_without_their_marks(client, auth, english, world: World) -> None:
    """Entered once: the other tellers see the code, the units, who entered it and when, and a link to make the
    second entry; the teller who entered it is told another makes it; nobody sees the marks before entering."""
    voter = world.opened.voters[3]
    code = paper.paper_code(voter)
    election = world.meeting.matters[2]
    login_as(client, auth, world.tellers[0])
    enter(client, auth, world, code, motion="abstain", picked=2)
    own = client.get(queue_url(world)).get_data(as_text=True)
    row = re.search(rf'<tr data-waiting="{code}" data-state="pending">(.*?)</tr>', own, re.S)
    assert row, own
    assert "You entered it: another teller makes the second entry" in text_of(row.group(1))
    assert "王计票 (you)" in text_of(row.group(1))

    login_as(client, auth, world.tellers[1])
    html = client.get(queue_url(world)).get_data(as_text=True)
    row = re.search(rf'<tr data-waiting="{code}" data-state="pending">(.*?)</tr>', html, re.S)
    assert row, html
    text = text_of(row.group(1))
    assert "Entered once: waiting for a second entry" in text
    assert voter.units_label in text
    assert "王计票" in text
    assert f"/meetings/{world.meeting.id}/paper?code={code}#entry" in row.group(1)
    for mark in ("Abstain", election.candidates[0].name, election.candidates[1].name):
        assert mark not in html
    link = re.search(r"<a [^>]*data-waiting-link>(.*?)</a>", client.get(entry_url(world)).get_data(as_text=True))
    assert link
    assert text_of(link.group(1)) == "1 ballot waits for a second entry"


def test_the_chinese_pages_say_every_state_in_chinese(client, auth, world: World) -> None:
    """No English status word ("pending", "mismatch", "conflict" …) nor any other English on the tellers' pages in
    Chinese: the outcome of each kind of entry, the queue with its differences, its naming form and the waiting list."""
    first, second, phone, waiting = (world.opened.voters[n] for n in (3, 4, 5, 6))
    ballots.cast(phone, {str(world.meeting.matters[0].id): "no"}, "phone")
    pages = []
    login_as(client, auth, world.tellers[0])
    for voter, motion in ((first, "yes"), (second, "yes"), (phone, "yes"), (waiting, "yes")):
        pages.append(client.get(enter(client, auth, world, paper.paper_code(voter), motion=motion).location))
    login_as(client, auth, world.tellers[1])
    for voter, motion in ((first, "yes"), (second, "no"), (phone, "yes")):
        pages.append(client.get(enter(client, auth, world, paper.paper_code(voter), motion=motion).location))
    login_as(client, auth, world.member)
    pages += [client.get(queue_url(world)), client.get(entry_url(world))]
    statuses = set()
    for page in pages:
        html = page.get_data(as_text=True)
        statuses |= set(re.findall(r'data-outcome="([a-z]+)"', html))
        main = re.search(r"<main.*?</main>", html, re.S)
        assert main
        text = text_of(re.sub(r"<(script|style)\b.*?</\1>", " ", main.group(0), flags=re.S))
        assert not re.search(r"pending|mismatch|conflict|matched|excluded", text, re.I), text
        assert not re.findall(r"[A-Za-z]*[a-z]{2,}[A-Za-z]*", text), text  # JPEG, PDF, SHA-256 aside
    assert statuses == {"pending", "matched", "mismatch", "conflict"}
    assert "data-designate" in pages[-2].get_data(as_text=True)
