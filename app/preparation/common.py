"""What the preparation services share: the audit scope, today's date, the calendar error, the roll look-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.privacy import lookup_hash
from app.roll.documents import identities
from app.roll.models import RollOwner, RollUnit, RollVersion
from app.roll.services import today
from app.roll.versions import latest_version
from app.rules.calendar import CalendarMissing

__all__ = ["OwnerOnRoll", "calendar_error", "find_owner", "parse_yuan", "parse_yuan_fen", "scope", "today"]


def scope(community: Community) -> dict[str, Any]:
    """The audit scope of a community's event."""
    return {"township_id": community.township_id, "community_id": community.id}


def calendar_error(error: CalendarMissing) -> DomainError:
    return DomainError(
        "calendar_missing",
        _l("There is no holiday calendar for %(year)d yet, so working days cannot be counted.", year=error.year),
    )


@dataclass(frozen=True)
class OwnerOnRoll:
    """A person found on the community's roll: their name as registered, their units, and the roll version."""

    lookup: str
    name: str
    unit_labels: tuple[str, ...]
    roll_version: int

    @property
    def units_text(self) -> str:
        return "、".join(self.unit_labels)[:200]


def roll_for_candidates(community: Community) -> RollVersion | None:
    """The roll that candidates and co-signers are checked against: the latest version (the frozen one once the
    meeting's roll is frozen, since nothing newer can be made for it)."""
    return latest_version(community)


def find_owner(community: Community, id_number: str) -> OwnerOnRoll | None:
    """The owner with this document number on the community's current roll (a resident ID, or any other document:
    app.roll.documents.identities), or None (no roll, or not an owner)."""
    version = roll_for_candidates(community)
    if version is None or not id_number.strip():
        return None
    return owner_by_number(version, id_number)


def owner_by_number(version: RollVersion, number: str) -> OwnerOnRoll | None:
    """The owner of ``version`` holding a document with this number, whatever its type (a resident ID first)."""
    for identity in identities(number):
        found = owner_by_lookup(version, lookup_hash(identity))
        if found is not None:
            return found
    return None


def owner_by_lookup(version: RollVersion, lookup: str) -> OwnerOnRoll | None:
    rows = db.session.execute(
        select(RollOwner.name, RollUnit.building, RollUnit.entrance, RollUnit.room)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id == version.id, RollOwner.id_number_lookup == lookup)
        .order_by(RollUnit.id)
    ).all()
    if not rows:
        return None
    labels = tuple(f"{r.building}{r.entrance}{r.room}" for r in rows)
    return OwnerOnRoll(lookup, rows[0].name, labels, version.number)


_YUAN = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")


def parse_yuan(text: str) -> int | None:
    """An amount in yuan with at most two decimals, as whole fen, exactly (no floats): "1,280.5" → 128050;
    None when it is not such an amount (a sign, a third decimal, letters, full-width digits)."""
    match = _YUAN.fullmatch(text.strip().replace(",", "").replace("，", ""))
    if match is None:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def parse_yuan_fen(text: str, field: str = "amount") -> int:
    """`parse_yuan`, or a DomainError in the user's language for text that is not a positive amount."""
    fen = parse_yuan(text)
    if fen is None or fen <= 0:
        raise DomainError("invalid_amount", _l("An amount is a number of yuan with at most two decimals."), field=field)
    return fen
