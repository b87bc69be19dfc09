"""The verification page in plain words (issue 19 item 4): what each check of a result package means for an owner.

An owner reads "the result is signed by the platform", "the roll used is the one frozen when voting opened", "no
voter voted twice" with a ✓ or a ✗, never "signature platform 1a2b…" or "roll root". The checks' technical names, the
English of `gongjue verify` (app.results.cli.name_zh, detail_zh) and the hashes stay in the page's expandable
technical detail, for those who check the package themselves.

Several checks of one kind (a key each, a signature each) make one line: it holds when every one of them holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.results.cli import DETAILS_ZH
from app.results.verify_checks import Check
from app.template_helpers import local_time

#: what each check means for an owner, by its name in app.results.verify and app.results.verify_encrypted
CHECK_MEANINGS: dict[str, Any] = {
    "structure": _l("The file is a complete result package."),
    "format": _l("The package is in the current format, which publishes no ballot's content."),
    "keys": _l("Each signing key in the package is the key it says it is."),
    "signature platform": _l("The result is signed by the platform."),
    "signature convener": _l("The result is signed by the convener of the meeting."),
    "signature township": _l("The certification is signed by the township."),
    "signatures present": _l("Every signature the result needs is there."),
    "keys published": _l("The signatures were made with the keys this platform publishes, not with anyone else's."),
    "roll root": _l("The roll in the package is complete and unchanged since it was signed."),
    "roll fingerprint": _l("The roll used is the one frozen and published when voting opened."),
    "ledger root": _l("The list of ballots is complete and unchanged since it was signed."),
    "roll order": _l("Every voter appears once on the roll."),
    "ledger order": _l("Every ballot appears once in the list of ballots."),
    "voters on the roll": _l("Every ballot comes from a voter on the roll."),
    "one ballot per voter": _l("No voter voted twice."),
    "one head per voter": _l("Each voter counts as one owner."),
    "choices name the matters": _l("The ballots answer only the matters of this meeting."),
    "election key": _l(
        "The ballots were locked with a key the platform and the township hold together: neither can open a ballot "
        "alone."
    ),
    "questions": _l("The locked ballots ask exactly the matters of this meeting."),
    "ballot proofs": _l(
        "Every locked ballot is proven valid (each answer a yes or a no, no more names than places) without opening it."
    ),
    "encrypted totals": _l("The locked totals, by owners and by area, add up the locked ballots."),
    "decryptions": _l("Only the totals were opened, and each opening is proven correct."),
    "tally": _l("Counting every ballot again gives the signed result."),
    "my ballot": _l("The locked ballot of my receipt holds what I voted."),
}
#: who signed a package (app.results.package roles)
SIGNER_LABELS: dict[str, Any] = {
    "platform": _l("The platform"),
    "convener": _l("The convener"),
    "township": _l("The township"),
}


@dataclass
class PlainCheck:
    """One line of the page: a meaning, whether it holds, and what is wrong when it does not."""

    key: str
    meaning: str
    ok: bool = True
    problems: list[str] = field(default_factory=list)


def meaning_key(name: str) -> str:
    """The line a check belongs to: "key 1a2b…" → "keys"; "signature township 1a2b…" → "signature township"."""
    if name.startswith("key "):
        return "keys"
    if name.startswith("signature "):
        return " ".join(name.split(" ")[:2])
    return name


#: what follows a detail's words may name a signer
ROLE_WORD = re.compile(r"\b(platform|convener|township)\b")
#: a letter no hexadecimal id has: what is left after the words is English, not ids
ENGLISH_LETTER = re.compile(r"[g-zG-Z]")


def problem_words(detail: str) -> str:
    """What a failed check found, in the user's language: for a Chinese reader the Chinese of
    app.results.cli.DETAILS_ZH, then what the detail names (signers in words, ids as they are), or nothing more when
    that is English (a tally's section names: the technical detail has them); the English detail otherwise."""
    if not str(get_locale() or "zh").startswith("zh"):
        return detail
    for english, chinese in DETAILS_ZH:
        if detail.startswith(english):
            rest = ROLE_WORD.sub(lambda m: str(SIGNER_LABELS[m.group(1)]), detail[len(english) :].lstrip(":").strip())
            return f"{chinese}：{rest}" if rest and not ENGLISH_LETTER.search(rest) else chinese
    return str(_l("The technical detail below says what is wrong."))


def plain_checks(checks: Iterable[Check]) -> list[PlainCheck]:
    """The checks as lines of meaning, in the order the checks ran."""
    lines: dict[str, PlainCheck] = {}
    for check in checks:
        key = meaning_key(check.name)
        line = lines.get(key)
        if line is None:
            line = lines[key] = PlainCheck(key, str(CHECK_MEANINGS.get(key, check.name)))
        if not check.ok:
            line.ok = False
            if check.detail:
                line.problems.append(problem_words(check.detail))
    return list(lines.values())


def signed_at(value: str) -> str:
    """A signature's time in Beijing time (the package says it in UTC)."""
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value


def signer_rows(signed: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Who signed, in words, when (Beijing time), and with which key id."""
    return [
        {
            "role": str(SIGNER_LABELS.get(row.get("role", ""), row.get("role", ""))),
            "when": signed_at(row.get("signed_at", "")),
            "key": row.get("key", ""),
        }
        for row in signed
    ]
