"""Checking a result package offline, as anyone can: `gongjue verify PACKAGE.json` and the public verification
page run this (DOMAIN §9; issue "verification by anyone").

Each check says what it checked and, when it fails, what is wrong; a package passes only if every check passes.
The checks:
1. the format;
2. each signature against its key (a key's id must be the SHA-256 of the key itself), and the signatures the
   package needs: the platform's and the convener's; the township's once it is certified;
3. the roll's Merkle root recomputed from its voters, and the ledger's from its ballots (RFC 9162);
4. the roll ordered by voter id without repeats, the ledger by receipt without repeats;
5. every ballot's voter on the roll, and no voter with two ballots;
6. the whole tally recomputed from the ledger and the roll by the counting engine and compared with the signed one.

Pure: no database, no configuration, no network. A package that is not even shaped like one fails with the place
named ("structure"), never with a traceback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

from app.results.encrypted import ENCRYPTED_FORMAT, Mapper
from app.results.package import (
    COUNTED_ROLES,
    PACKAGE_FORMAT,
    count,
    engine_matters,
    engine_roll,
    merkle_root,
    package_hash,
    signature_valid,
)
from app.results.verify_checks import Check, differences
from app.results.verify_encrypted import encrypted_checks
from crypto.signing import key_fingerprint

__all__ = ["Check", "keys_published", "passed", "verify_package"]


def verify_package(
    document: object,
    *,
    require_township: bool = False,
    published: Iterable[Mapping[str, Any]] | None = None,
    mapper: Mapper = map,
    old_format: bool = True,
) -> list[Check]:
    """Every check of the package, in order; the package is sound only if all are ok. With ``published`` (the
    platform's public keys, as /keys.json lists them) every signature must also be by a key published for its
    signer (`keys_published`). ``old_format``: whether a /1 package (ballots in the clear, made before issue 17) is
    read at all; the pages read the platform's own older results, `gongjue verify` only when asked."""
    if not isinstance(document, Mapping):
        return [Check("structure", False, "the package is not a JSON object")]
    is_encrypted = document.get("format") == ENCRYPTED_FORMAT
    old = document.get("format") == PACKAGE_FORMAT
    if old and not old_format:
        detail = (
            f"an old {PACKAGE_FORMAT!r} package publishes every ballot's choices in the clear: read it with "
            f"--old-format (the format is now {ENCRYPTED_FORMAT!r})"
        )
        return [Check("format", False, detail)]
    formats = f"{ENCRYPTED_FORMAT!r} (or {PACKAGE_FORMAT!r}, an earlier package with choices in the clear)"
    checks = [Check("format", is_encrypted or old, f"format must be {formats}")]
    try:
        checks += _signatures(document, require_township)
        if published is not None:
            checks.append(keys_published(document, published))
        checks += _roots_and_order(document)
        checks += _voters(document)
        if is_encrypted:
            checks += encrypted_checks(document, mapper)
        else:
            checks.append(_choices_name_matters(document))
            checks.append(_tally(document))
    except (KeyError, TypeError, ValueError, AttributeError, UnsupportedAlgorithm) as error:
        checks.append(Check("structure", False, f"the package is malformed: {type(error).__name__}: {error}"))
    except RecursionError:
        checks.append(Check("structure", False, "the package is malformed: nested too deeply"))
    return checks


def keys_published(document: Mapping[str, Any], published: Iterable[Mapping[str, Any]]) -> Check:
    """Whether every signature is by a key that the platform published for that signer: the platform's for
    "platform", the community's township's for "township", the community's convener's for "convener". A package
    carries its own keys, so without this check anyone could re-sign a changed package with keys of their own."""
    by_id = {str(key.get("id")): key for key in published}
    community = document.get("community") or {}
    owners = {"platform": None, "township": community.get("township_id"), "convener": community.get("id")}
    owner_field = {"platform": None, "township": "township", "convener": "community"}
    wrong = []
    for signature in document.get("signatures", []):
        role, key_id = str(signature.get("role")), str(signature.get("key"))
        key = by_id.get(key_id)
        field = owner_field.get(role)
        ok = (
            key is not None
            and role in owners
            and key.get("role") == role
            and (field is None or key.get(field) == owners[role])
        )
        if not ok:
            wrong.append(f"{role} {key_id[:16]}")
    detail = f"signed with keys not published for that signer: {', '.join(wrong)}"
    return Check("keys published", not wrong, detail)


def passed(checks: list[Check]) -> bool:
    return bool(checks) and all(check.ok for check in checks)


def _signatures(document: Mapping[str, Any], require_township: bool) -> list[Check]:
    keys: dict[str, str] = {}
    checks = []
    for key in document.get("keys", []):
        ok = key_fingerprint(str(key["public_key"]).encode()) == key["id"]
        checks.append(Check(f"key {str(key['id'])[:16]}", ok, "" if ok else "the key id is not the key's SHA-256"))
        if ok:
            keys[str(key["id"])] = str(key["public_key"])
    digest = package_hash(document)
    signed_roles = set()
    for signature in document.get("signatures", []):
        role, key_id = str(signature.get("role")), str(signature.get("key"))
        public = keys.get(key_id)
        ok = public is not None and signature_valid(digest, signature, public)
        detail = "" if ok else ("no such key in the package" if public is None else "does not match the package")
        checks.append(Check(f"signature {role} {key_id[:16]}", ok, detail))
        if ok:
            signed_roles.add(role)
    needed = set(COUNTED_ROLES) | ({"township"} if require_township else set())
    missing = sorted(needed - signed_roles)
    checks.append(Check("signatures present", not missing, f"missing a valid signature of: {', '.join(missing)}"))
    return checks


def _roots_and_order(document: Mapping[str, Any]) -> list[Check]:
    roll, ledger = document["roll"], document["ledger"]
    voter_ids = [str(entry["voter"]) for entry in roll["voters"]]
    receipts = [str(entry["receipt"]) for entry in ledger["ballots"]]
    fingerprint = (document.get("meeting") or {}).get("roll_fingerprint")
    return [
        Check("roll root", merkle_root(roll["voters"]) == roll["root"], "the roll's voters do not give its root"),
        Check(
            "roll fingerprint",
            fingerprint in (None, roll["root"]),
            "the roll's root is not the fingerprint of the roll frozen when voting opened",
        ),
        Check("ledger root", merkle_root(ledger["ballots"]) == ledger["root"], "the ballots do not give its root"),
        Check(
            "roll order",
            voter_ids == sorted(set(voter_ids)),
            "the roll is not ordered by voter id, or a voter is listed twice",
        ),
        Check(
            "ledger order",
            receipts == sorted(set(receipts)),
            "the ledger is not ordered by receipt, or a receipt is listed twice",
        ),
    ]


def _voters(document: Mapping[str, Any]) -> list[Check]:
    on_roll = {str(entry["voter"]) for entry in document["roll"]["voters"]}
    voters = Counter(str(entry["voter"]) for entry in document["ledger"]["ballots"])
    strangers = sorted(voter for voter in voters if voter not in on_roll)
    twice = sorted(voter for voter, n in voters.items() if n > 1)
    not_one_head = [str(entry["voter"]) for entry in document["roll"]["voters"] if entry.get("heads") != 1]
    return [
        Check("voters on the roll", not strangers, f"ballots of voters not on the roll: {', '.join(strangers[:5])}"),
        Check("one ballot per voter", not twice, f"voters with more than one ballot: {', '.join(twice[:5])}"),
        # SPC interpretation Art 9: each voter of the roll is one head (the engine merged their units already)
        Check(
            "one head per voter", not not_one_head, f"roll entries that are not one head: {', '.join(not_one_head[:5])}"
        ),
    ]


def _choices_name_matters(document: Mapping[str, Any]) -> Check:
    """A /1 package's plaintext choices answer the package's matters only."""
    matter_ids = {str(matter["id"]) for matter in document["matters"]}
    unknown = sorted(
        {str(key) for entry in document["ledger"]["ballots"] for key in entry["choices"] if str(key) not in matter_ids}
    )
    return Check(
        "choices name the matters", not unknown, f"answers to matters not in the package: {', '.join(unknown[:5])}"
    )


def _tally(document: Mapping[str, Any]) -> Check:
    recounted = count(
        document["settings"],
        engine_matters(document["matters"]),
        engine_roll(document["roll"]["voters"]),
        document["ledger"]["ballots"],
        str(document["ledger"]["root"]),
    )
    different = differences(recounted, document["tally"])
    return Check("tally", not different, f"the recount differs from the signed tally in: {different}")
