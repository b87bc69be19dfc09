"""The teller's form for one returned paper ballot (issue 6 item 5): the paper code, the marks as they are on paper,
and an optional scan of the ballot, of which only the SHA-256 is kept.

The marks are plain radio buttons and checkboxes named after the matter ("m<matter id>", as on the phone ballot):
a motion takes one of five marks, blank and invalid included, and must be marked explicitly (a teller who skips a
matter is told, rather than the matter becoming blank); the election takes the candidates ticked, or "invalid"
(more marks than seats or unreadable). Which marks are allowed stays in `app.voting.paper.check_paper_choices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.auth.models import User
from app.voting.models import Matter, Meeting
from app.voting.paper import INVALID
from app.voting.paper_models import PaperEntry

#: a scan of the returned ballot: a phone photo or a scanner's PDF (only its SHA-256 is kept)
MAX_SCAN_BYTES = 5 * 1024 * 1024
SCAN_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-")

#: a motion's marks as the teller reads them off the paper, in the order shown; "blank" is stored as None
MOTION_MARKS: dict[str, Any] = {
    "yes": _l("For"),
    "no": _l("Against"),
    "abstain": _l("Abstain"),
    "blank": _l("Blank (nothing marked)"),
    INVALID: _l("Invalid (marked more than once, or unreadable)"),
}
BLANK = "blank"
ELECTION_INVALID = _l("Invalid (marked more than allowed, or unreadable)")
NO_CANDIDATE = _l("No candidate marked")


def _code_filter(value: str | None) -> str | None:
    """A scanner types the code as printed ("12-K7QF"); people add spaces or type lower case."""
    return None if value is None else "".join(value.split()).upper()


def _scan_checked(form: FlaskForm, field: FileField) -> None:
    """At most 5 MB, and really a JPEG, PNG or PDF (its first bytes, not only its name)."""
    upload = field.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return
    head = upload.stream.read(MAX_SCAN_BYTES + 1)
    upload.stream.seek(0)
    if len(head) > MAX_SCAN_BYTES:
        raise ValidationError(_l("The scan is larger than 5 MB."))
    if not head.startswith(SCAN_SIGNATURES):
        raise ValidationError(_l("The scan must be a JPEG or PNG image or a PDF."))


class PaperEntryForm(FlaskForm):
    """The code and the scan; the marks are read from the same request by `read_marks`."""

    code = StringField(
        _l("Ballot code"),
        filters=[_code_filter],
        validators=[
            DataRequired(_l("Type or scan the code printed on the ballot.")),
            Length(max=20, message=_l("The code is a number, a dash and four letters or digits.")),
        ],
        description=_l(
            "Printed on the ballot under its QR code, for example 12-K7QF. A barcode scanner that types into this "
            "field works too: click the field, then scan."
        ),
        render_kw={"inputmode": "text", "autocapitalize": "characters", "spellcheck": "false"},
    )
    scan = FileField(
        _l("Scan of the ballot (optional)"),
        validators=[FileAllowed(["jpg", "jpeg", "png", "pdf"], _l("Choose a JPEG, PNG or PDF file.")), _scan_checked],
        description=_l("JPEG, PNG or PDF, at most 5 MB. Only its fingerprint (SHA-256) is kept, not the file."),
        render_kw={"accept": "image/jpeg,image/png,application/pdf"},
    )


def scan_bytes(form: PaperEntryForm) -> bytes | None:
    """The uploaded scan's bytes (to hash), or None without one."""
    upload = form.scan.data
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    data = upload.stream.read(MAX_SCAN_BYTES + 1)
    return data or None


def field_name(matter: Matter) -> str:
    return f"m{matter.id}"


def invalid_name(matter: Matter) -> str:
    """The election's "invalid" checkbox."""
    return f"m{matter.id}-invalid"


def _candidate_id(raw: str) -> int | str:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw


def read_marks(meeting: Meeting, formdata: MultiDict[str, Any]) -> tuple[dict[str, Any], dict[int, str]]:
    """The marks as `paper.record_entry` takes them, and a message for each motion left unmarked on the form."""
    marks: dict[str, Any] = {}
    errors: dict[int, str] = {}
    for matter in meeting.matters:
        name = field_name(matter)
        if matter.kind == "motion":
            mark = formdata.get(name) or ""
            if mark not in MOTION_MARKS:
                errors[matter.id] = _("Mark what the paper shows on: %(m)s", m=matter.title)
            marks[str(matter.id)] = None if mark in ("", BLANK) else mark
        elif formdata.get(invalid_name(matter)):
            marks[str(matter.id)] = INVALID
        else:
            marks[str(matter.id)] = [_candidate_id(raw) for raw in formdata.getlist(name)]
    return marks, errors


def checked_values(formdata: MultiDict[str, Any] | None, matter: Matter) -> set[str]:
    """The controls of a matter to show checked again when the form comes back with a problem."""
    if formdata is None:
        return set()
    values = set(formdata.getlist(field_name(matter)))
    if formdata.get(invalid_name(matter)):
        values.add(INVALID)
    return values


def mark_words(matter: Matter, mark: Any) -> str:
    """One matter's mark in words: "For", "Blank (nothing marked)", or the names of the candidates ticked."""
    if matter.kind == "motion":
        key = BLANK if mark is None else str(mark)
        return str(MOTION_MARKS.get(key, key))
    if mark == INVALID:
        return str(ELECTION_INVALID)
    picked = set(mark or [])
    names = [c.name for c in matter.candidates if c.id in picked]
    return "、".join(names) if names else str(NO_CANDIDATE)


@dataclass(frozen=True)
class Part:
    """A piece of an entry's mark: the answer, or one candidate ticked; ``differs`` when not every entry has it."""

    text: str
    differs: bool


@dataclass(frozen=True)
class Cell:
    """One entry's mark of one matter, in pieces, and the candidates another entry ticked and this one did not."""

    words: str
    parts: list[Part]
    missing: list[str]


@dataclass(frozen=True)
class MatterRow:
    """One matter across the entries of a ballot: each entry's mark, and whether they differ."""

    number: int
    matter: Matter
    cells: list[Cell]
    differs: bool


def _cells(matter: Matter, marks: list[Any], differs: bool) -> list[Cell]:
    """Each entry's mark with what differs marked (issue 19 item 2): a motion's answer as a whole; an election's
    candidates one by one, so that the tellers see which name to look for on the paper."""
    lists = [set(mark or []) for mark in marks if mark != INVALID]
    if matter.kind == "motion" or len(lists) < len(marks):
        return [Cell(mark_words(matter, mark), [Part(mark_words(matter, mark), differs)], []) for mark in marks]
    everywhere = set.intersection(*lists) if lists else set()
    anywhere = set.union(*lists) if lists else set()
    cells = []
    for picked in lists:
        parts = [Part(c.name, c.id not in everywhere) for c in matter.candidates if c.id in picked]
        missing = [c.name for c in matter.candidates if c.id in anywhere - picked]
        words = mark_words(matter, sorted(picked))
        cells.append(Cell(words, parts or [Part(str(NO_CANDIDATE), differs)], missing))
    return cells


def side_by_side(meeting: Meeting, entries: list[PaperEntry]) -> list[MatterRow]:
    """Every matter with each entry's mark, for the mismatch queue."""
    rows = []
    for number, matter in enumerate(meeting.matters, start=1):
        marks = [entry.choices.get(str(matter.id)) for entry in entries]
        differs = any(mark != marks[0] for mark in marks[1:])
        rows.append(MatterRow(number=number, matter=matter, cells=_cells(matter, marks, differs), differs=differs))
    return rows


class DesignateForm(FlaskForm):
    """The convener names who makes the next entry of one ballot in the mismatch queue (`app.voting.paper.designate`);
    the choices are the meeting's `paper.designees`, set by the view. One form per ballot, told apart by a prefix."""

    user_id = SelectField(
        _l("Who makes the next entry"),
        coerce=int,
        validators=[DataRequired(_l("Choose who makes the next entry."))],
        description=_l(
            "Another teller, one of the convener's accounts, or one of the two tellers who entered it, sent back to "
            "the paper: their new entry counts only when it agrees with an entry made by someone else."
        ),
    )


def designee_choices(users: list[User], entered: set[int]) -> list[tuple[int, str]]:
    """The select's options: every account that may be named, those who entered this ballot marked so."""
    return [
        (user.id, _("%(name)s (entered it)", name=user.display_name) if user.id in entered else user.display_name)
        for user in users
    ]
