"""What every check of a result package says (app.results.verify, app.results.verify_encrypted)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def differences(recounted: Mapping[str, Any], signed: object) -> str:
    """Where a recounted tally differs from the signed one: its sections, and the matters by id."""
    if not isinstance(signed, Mapping):
        raise TypeError("the signed tally is not an object")
    signed_doc = signed
    different = sorted(key for key in set(recounted) | set(signed_doc) if recounted.get(key) != signed_doc.get(key))
    if "matters" in different:
        matters = recounted.get("matters", {})
        signed_matters = signed_doc.get("matters", {})
        different += [
            f"matter {m}" for m in sorted(set(matters) | set(signed_matters)) if matters.get(m) != signed_matters.get(m)
        ]
    return ", ".join(different)
