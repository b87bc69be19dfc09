"""What changed between two roll versions, without personal data (areas, kinds, statuses, owner counts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.roll.models import RollUnit
from app.roll.weights import unit_key
from app.rules.areas import format_area

#: at most this many changed units are listed; the counts always cover all
DETAIL_LIMIT = 500


def _snapshot(unit: RollUnit) -> dict[str, Any]:
    representative = next((o.id_number_lookup for o in unit.owners if o.is_representative), None)
    return {
        "kind": unit.kind,
        "area": format_area(unit.area_centi),
        "area_source": unit.area_source,
        "status": unit.status,
        "owners": sorted(o.id_number_lookup for o in unit.owners),
        "representative": representative,
    }


def _public(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot fit for the diff record: owners as a count, never their look-up hashes."""
    return {k: v for k, v in snapshot.items() if k not in ("owners", "representative")} | {
        "owner_count": len(snapshot["owners"])
    }


def roll_diff(previous: Iterable[RollUnit], current: Iterable[RollUnit]) -> dict[str, Any]:
    """Units added, removed and changed (with the fields that changed), counted in full, listed up to a limit.

    Example: a correction of 3幢1单元1502's area from 89.50 to 98.50 m² gives
    {"added": 0, "removed": 0, "changed": 1, "details": [{"unit": "3幢/1单元/1502", "change": "changed",
    "fields": ["area"], "before": {…"area": "89.50"…}, "after": {…"area": "98.50"…}}]}.
    """
    before = {unit_key(u): _snapshot(u) for u in previous}
    after = {unit_key(u): _snapshot(u) for u in current}
    details: list[dict[str, Any]] = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        fields: list[str] = []
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            change = "changed"
            fields = [field for field in old if old[field] != new[field]]
        counts[change] += 1
        if len(details) < DETAIL_LIMIT:
            details.append(
                {
                    "unit": key,
                    "change": change,
                    "fields": fields,
                    "before": _public(old) if old else None,
                    "after": _public(new) if new else None,
                }
            )
    return {**counts, "details": details, "truncated": sum(counts.values()) > len(details)}
