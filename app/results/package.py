"""The result package `gongjue.result-package/1`: one canonical JSON document that anyone can check offline
(DOMAIN §9; the format is docs/result-package.md).

Pure: plain data in, plain data out, no database and no configuration, so that `gongjue verify` (app/results/
verify.py) recomputes everything with exactly this code and the counting engine (app/rules/).

The package is a *body* and two lists beside it:
- the body: community, meeting, settings, matters (in the tally-case format of docs/tally-format.md) and their
  labels, the frozen roll's voters `{voter, area, heads}` with their Merkle root, the ballot ledger `{receipt,
  voter, channel, cast_at, choices}` with its Merkle root, the papers excluded from the count, and the tally (the
  engine's `gongjue.tally-result/1` without its `roll` statistics, which would need the units);
- `keys`: the public keys whose signatures follow (key id = SHA-256 of the raw Ed25519 key);
- `signatures`: each an Ed25519 signature over a statement naming the SHA-256 of the canonical body, the signer's
  role and key, and when. The platform and the convener sign when the result is counted; the township adds its
  signature when it certifies. Signatures and keys sit outside the body so that a later signature never changes
  what the earlier ones signed.

Voter ids are the roll's pseudonyms (app.roll.weights.voter_pseudonym: a hash of the owners' keyed ID look-ups),
so the package's roll root is the frozen roll's published fingerprint.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.rules.areas import format_area, parse_area
from app.rules.case_format import check_lists, read_matter, read_settings, result_document, runoff_document
from app.rules.model import Ballot, Election, Matter, Settings
from app.rules.tally import tally
from app.rules.voters import Voter, VoterRoll
from crypto.canonical import canonical_json, sha256_hex
from crypto.merkle import canonical_leaf, root_hex
from crypto.signing import key_fingerprint, sign_document, verify_document

PACKAGE_FORMAT = "gongjue.result-package/1"
STATEMENT_FORMAT = "gongjue.result-signature/1"
DEVELOPER = "developer"
#: who signs: the platform and the convening body when counted, the township when it certifies
ROLES = ("platform", "convener", "township")
COUNTED_ROLES = ("platform", "convener")
OUTSIDE_BODY = ("keys", "signatures")


@dataclass(frozen=True)
class LedgerBallot:
    """One stored ballot as the ledger publishes it: no name, the voter's pseudonym, the receipt hash it showed."""

    receipt: str
    voter: str
    channel: str
    cast_at: str
    choices: Mapping[str, Any]


def roll_entries(voters: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
    """The frozen roll's voters as `{voter, area, heads}`, ordered by voter id (the roll fingerprint's leaves)."""
    entries = [{"voter": voter, "area": format_area(area_centi), "heads": 1} for voter, area_centi in voters]
    return sorted(entries, key=lambda entry: str(entry["voter"]))


def ledger_entries(ballots: Iterable[LedgerBallot]) -> list[dict[str, Any]]:
    """The ledger, ordered by receipt hash (an order that says nothing about who voted when)."""
    entries = [
        {
            "receipt": b.receipt,
            "voter": b.voter,
            "channel": b.channel,
            "cast_at": b.cast_at,
            "choices": {key: plain_answer(value) for key, value in sorted(b.choices.items())},
        }
        for b in ballots
    ]
    return sorted(entries, key=lambda entry: str(entry["receipt"]))


def plain_answer(answer: Any) -> Any:
    """An election answer as a sorted list of candidate ids (text); a motion answer as it is."""
    if isinstance(answer, list | tuple):
        return sorted(str(item) for item in answer)
    return answer


def merkle_root(entries: Iterable[Mapping[str, Any]]) -> str:
    """RFC 9162 Merkle root over the entries' canonical JSON (crypto.merkle)."""
    return root_hex([canonical_leaf(entry) for entry in entries])


# --- counting a body -------------------------------------------------------------------------------------------------


def engine_roll(roll: Iterable[Mapping[str, Any]]) -> VoterRoll:
    """The engine's roll from the package's voters: each entry one voter of one head with its area."""
    voters = tuple(
        Voter(
            voter_id=str(entry["voter"]),
            owners=frozenset({str(entry["voter"])}),
            unit_ids=(str(entry["voter"]),),
            area_centi=parse_area(str(entry["area"])),
            is_developer=entry["voter"] == DEVELOPER,
        )
        for entry in roll
    )
    return VoterRoll(
        voters=voters,
        voter_by_unit={voter.voter_id: voter.voter_id for voter in voters},
        total_area_centi=sum(voter.area_centi for voter in voters),
        developer_unit_count=sum(1 for voter in voters if voter.is_developer),
    )


def engine_matters(matters: Iterable[Mapping[str, Any]]) -> list[Matter]:
    read = tuple(read_matter(dict(raw), f"matters[{index}]") for index, raw in enumerate(matters))
    check_lists(read)
    return list(read)


def count(
    settings: Mapping[str, Any],
    matters: list[Matter],
    roll: VoterRoll,
    ledger: Iterable[Mapping[str, Any]],
    lots_seed: str | None = None,
) -> dict[str, Any]:
    """The tally of the ledger on the roll, as the package carries it: `gongjue.tally-result/1` without `roll`.
    ``lots_seed``: the ledger's Merkle root, which draws the lots of a tie when the election rules say so."""
    engine_settings: Settings = read_settings(dict(settings))
    ballots = [Ballot(str(entry["voter"]), dict(entry["choices"])) for entry in ledger]
    document = result_document(tally(roll, matters, ballots, engine_settings, lots_seed))
    document.pop("roll")
    return document


def settings_document(settings: Settings) -> dict[str, Any]:
    return {
        "count_parking": settings.count_parking,
        "blank_and_invalid_take_part": settings.blank_and_invalid_take_part,
        "rank_by": list(settings.rank_by),
        "min_committee_members": settings.min_committee_members,
        "tie_rule": settings.tie_rule,
    }


def matter_document(matter: Matter) -> dict[str, Any]:
    """A matter in the tally-case format (docs/tally-format.md)."""
    if isinstance(matter, Election):
        document: dict[str, Any] = {
            "id": matter.matter_id,
            "type": "election",
            "category": matter.category,
            "seats": matter.seats,
            "max_alternates": matter.max_alternates,
            "candidates": list(matter.candidates),
        }
        if matter.by_election:
            document["by_election"] = True
        if matter.part is not None:
            document["list"] = matter.part
        if matter.runoff is not None:
            document["runoff"] = runoff_document(matter.runoff)
        return document
    return {"id": matter.matter_id, "type": "motion", "category": matter.category}


def build_body(
    *,
    community: Mapping[str, Any],
    meeting: Mapping[str, Any],
    settings: Settings,
    matters: list[Matter],
    labels: Mapping[str, Any],
    voters: Iterable[tuple[str, int]],
    ballots: Iterable[LedgerBallot],
    excluded: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The package body, counted: roots and tally computed here, from the same lists the body publishes."""
    roll = roll_entries(voters)
    ledger = ledger_entries(ballots)
    settings_doc = settings_document(settings)
    return {
        "format": PACKAGE_FORMAT,
        "community": dict(community),
        "meeting": dict(meeting),
        "settings": settings_doc,
        "matters": [matter_document(matter) for matter in matters],
        "labels": dict(labels),
        "roll": {"root": merkle_root(roll), "voters": roll},
        "ledger": {"root": merkle_root(ledger), "ballots": ledger},
        "excluded": list(excluded or []),
        "tally": count(settings_doc, matters, engine_roll(roll), ledger, merkle_root(ledger)),
    }


# --- hashing and signing ---------------------------------------------------------------------------------------------


def body_of(package: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in package.items() if key not in OUTSIDE_BODY}


def package_hash(package: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical body: what every signature names, and what a certificate's QR points to."""
    return sha256_hex(canonical_json(body_of(package)))


def statement(digest: str, role: str, key_id: str, signed_at: str) -> dict[str, Any]:
    """What a signature signs: the body's hash, who signs in which role with which key, and when."""
    return {"format": STATEMENT_FORMAT, "package": digest, "role": role, "key": key_id, "signed_at": signed_at}


def sign(package: dict[str, Any], *, role: str, public_pem: str, private_pem: bytes, signed_at: str) -> str:
    """Add the role's signature (and its public key, once) to the package; returns the key id."""
    if role not in ROLES:
        raise ValueError(f"unknown signing role {role!r}")
    key_id = key_fingerprint(public_pem.encode())
    keys = package.setdefault("keys", [])
    if not any(key["id"] == key_id for key in keys):
        keys.append({"id": key_id, "public_key": public_pem})
    said = statement(package_hash(package), role, key_id, signed_at)
    package.setdefault("signatures", []).append({**said, "signature": sign_document(private_pem, said)})
    return key_id


def signature_valid(digest: str, signature: Mapping[str, Any], public_pem: str) -> bool:
    """Whether the signature is the key's over a statement naming this body hash (`digest`)."""
    said = {key: signature.get(key) for key in ("format", "package", "role", "key", "signed_at")}
    if said["format"] != STATEMENT_FORMAT or said["package"] != digest:
        return False
    text = signature.get("signature")
    if not isinstance(text, str) or not _canonical_base64(text):
        return False
    return verify_document(public_pem.encode(), said, text)


def _canonical_base64(text: str) -> bool:
    """Whether `text` is the one standard base64 spelling of its bytes. The decoder ignores the unused low bits of
    the last character, so without this a signature has several spellings and a changed character can pass."""
    try:
        return base64.b64encode(base64.b64decode(text, validate=True)).decode("ascii") == text
    except ValueError:
        return False
