"""Forms of the phone ballot: the letter's typed code, the second factor, and reading the ballot's choices.

The ballot itself is plain radio buttons and checkboxes named after the matter ("m<matter id>"), so that the same
names carry the choices from the form to the review page's hidden fields and on to the cast; every rule about
which choices are allowed stays in app.voting.ballots.check_choices (DOMAIN §5: at most as many candidates as
seats; a motion is yes, no, abstain or blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.errors import DomainError
from app.rules.model import threshold_for
from app.voting.ballots import check_choices
from app.voting.meeting_forms import CATEGORY_LABELS, THRESHOLD_WORDS
from app.voting.models import Matter, Meeting


def _without_spaces(value: str | None) -> str | None:
    """People type codes with spaces and dashes as printed: "ABCD EFGH" and "abcd-efgh" mean the same."""
    return None if value is None else "".join(value.split())


class CodeForm(FlaskForm):
    """The letter's typed fallback code (12 letters and digits, printed in groups of four)."""

    code = StringField(
        _l("The code printed on your letter"),
        filters=[_without_spaces],
        validators=[
            DataRequired(_l("Type the code printed on your letter.")),
            Length(max=40, message=_l("The code on the letter has 12 letters and digits.")),
        ],
        description=_l("12 letters and digits, for example ABCD-EFGH-JKMN. Dashes and spaces may be left out."),
        render_kw={"inputmode": "text", "autocapitalize": "characters", "spellcheck": "false"},
    )


#: the keyboard of the ID-tail box (issue 19): a number pad, since a resident ID number ends in six digits or in five
#: digits and the check character X; the pattern says so (the form is ``novalidate``: the server decides)
ID_TAIL_KEYS = {
    "inputmode": "numeric",
    "pattern": "[0-9]{5}[0-9Xx]",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "maxlength": 8,
}
#: the keyboard for other documents (passports, permits: letters anywhere), and the no-script way to type an X
LETTER_KEYS = {"inputmode": "text", "autocapitalize": "characters", "spellcheck": "false", "maxlength": 8}


class IdTailForm(FlaskForm):
    """The "id_last6" second factor: the last six characters of the holder's ID number.

    The keyboard (issue 19 item 6), chosen for an owner of 80 on a phone: ``inputmode="numeric"`` opens the large
    number pad, as for a phone number; a full keyboard (``inputmode="text"``) opens in whatever mode the phone's input
    method is in, pinyin most often, where digits are on a second layer and a typed x turns into Chinese
    candidates. The number pad has no X on many phones (iOS, most Android pads), and one ID number in eleven ends in
    X: the box has a large "X" key of its own beside it (templates/voting/_ballot_macros.html, app/static/id_tail.js),
    which types the X. Without script the key stays hidden and a link opens the same box with the letter keyboard
    (``LETTER_KEYS``). An x typed in lower case is right too (app.voting.credentials.verify)."""

    answer = StringField(
        _l("The last six characters of your ID number"),
        filters=[_without_spaces],
        validators=[
            DataRequired(_l("Type the last six characters of your ID number.")),
            Length(min=6, max=6, message=_l("Type exactly six characters: the end of your ID number.")),
        ],
        description=_l("Of the ID number registered on the owner roll. If it ends with the letter X, press the X key."),
        render_kw=dict(ID_TAIL_KEYS),
    )


class SmsCodeForm(FlaskForm):
    """The "sms" second factor: the six-digit code sent to the roll's phone."""

    answer = StringField(
        _l("The code in the text message"),
        filters=[_without_spaces],
        validators=[
            DataRequired(_l("Type the code from the text message.")),
            Regexp(r"^\d{6}$", message=_l("The code has six digits.")),
        ],
        description=_l("Six digits, valid for 10 minutes."),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": 8},
    )


def second_factor_form(meeting: Meeting) -> IdTailForm | SmsCodeForm:
    """The form of the meeting's identity check, read from the request as Flask-WTF does."""
    return SmsCodeForm() if meeting.second_factor == "sms" else IdTailForm()


# --- the ballot's choices --------------------------------------------------------------------------------------------

#: a motion's answers in the order shown, and how the review page says them
MOTION_ANSWERS: dict[str, Any] = {"yes": _l("For"), "no": _l("Against"), "abstain": _l("Abstain")}
BLANK = _l("No choice (blank)")

#: an election's rule in words (DOMAIN §5: each candidate needs the double majority; the most votes fill the seats);
#: a motion's threshold and category use the words of the convener's pages (app.voting.meeting_forms)
ELECTION_THRESHOLD = _l(
    "A candidate is elected with more than half of the participating area and more than half of the participating "
    "owners; the candidates with the most votes fill the seats."
)


def field_name(matter: Matter) -> str:
    """The form name of a matter's choice: "m<id>" (the same on the ballot, the review page and the cast)."""
    return f"m{matter.id}"


def threshold_words(matter: Matter) -> str:
    """What the matter needs to pass, in words (Civil Code Art 278 ¶2): category 6 → "… at least three quarters …"."""
    if matter.kind == "election":
        return str(ELECTION_THRESHOLD)
    return str(THRESHOLD_WORDS[threshold_for(matter.category)])


def category_words(matter: Matter) -> str:
    """The matter's Art 278 ¶1 category: "Civil Code Art 278 ¶1, (2) Making and amending the management covenant"."""
    return _("Civil Code Art 278 ¶1, %(category)s", category=CATEGORY_LABELS.get(matter.category, matter.category))


def _candidate_id(raw: str) -> int | str:
    """A candidate id as sent; anything that is not one stays text, for check_choices to refuse."""
    return int(raw) if raw.isdigit() and len(raw) <= 9 else raw


def read_choices(meeting: Meeting, formdata: MultiDict[str, str]) -> dict[str, Any]:
    """The choices as check_choices takes them, from the ballot form or the review page's hidden fields: an unchecked
    motion is blank (None); an election is the list of candidate ids ticked."""
    choices: dict[str, Any] = {}
    for matter in meeting.matters:
        name = field_name(matter)
        if matter.kind == "motion":
            choices[str(matter.id)] = formdata.get(name) or None
        else:
            choices[str(matter.id)] = [_candidate_id(raw) for raw in formdata.getlist(name)]
    return choices


def matter_errors(meeting: Meeting, choices: dict[str, Any]) -> dict[int, str]:
    """Each refused matter's message, by matter id: check_choices on that matter's choice alone (the others left
    blank, which is always allowed), so that the form can show every problem next to its matter."""
    errors: dict[int, str] = {}
    for matter in meeting.matters:
        key = str(matter.id)
        try:
            check_choices(meeting, {key: choices.get(key)})
        except DomainError as error:
            errors[matter.id] = str(error)
    return errors


@dataclass(frozen=True)
class ChoiceInWords:
    """One matter's choice as the review page and the form repeat it."""

    matter: Matter
    #: the motion's answer or the candidates' names; empty for a blank choice
    words: list[str]
    #: the values of the hidden fields that carry the choice on
    values: list[str]


def choices_in_words(meeting: Meeting, choices: dict[str, Any]) -> list[ChoiceInWords]:
    """Every matter with its choice in words: "For", or the names of the candidates ticked, in ballot order."""
    rows = []
    for matter in meeting.matters:
        answer = choices.get(str(matter.id))
        if matter.kind == "motion":
            if isinstance(answer, str) and answer in MOTION_ANSWERS:
                rows.append(ChoiceInWords(matter, [str(MOTION_ANSWERS[answer])], [answer]))
            else:
                rows.append(ChoiceInWords(matter, [], []))
            continue
        picked = set(answer or [])
        chosen = [c for c in matter.candidates if c.id in picked]
        rows.append(ChoiceInWords(matter, [c.name for c in chosen], [str(c.id) for c in chosen]))
    return rows


def selected(choices: dict[str, Any], matter: Matter) -> set[str]:
    """The values of a matter's controls to show checked when the form is shown again."""
    answer = choices.get(str(matter.id))
    if answer is None:
        return set()
    if isinstance(answer, list):
        return {str(value) for value in answer}
    return {str(answer)}
