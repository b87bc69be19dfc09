"""An owner's check of their own ballot and roll entry in a result package (issue 7 item 8).

The owner has their receipt: the short code or the full SHA-256 the ballot page showed (app.voting.ballots). The
ballot is found in the ledger by either, and its Merkle inclusion proof (RFC 9162) against the ledger's root is
computed and checked here; so is the proof of their voter's entry in the roll against the roll's root. Both proofs
are shown, so that they can be checked again with any RFC 9162 implementation. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.voting.ballots import receipt_code
from crypto.merkle import canonical_leaf, inclusion_proof, verify_inclusion


def _normalise(given: str) -> str:
    return "".join(ch for ch in given.strip().upper() if ch.isalnum())


def find_ballot(document: Mapping[str, Any], given: str) -> int | None:
    """The ledger index of the ballot whose receipt hash or receipt code is `given` (any case, dashes ignored)."""
    wanted = _normalise(given)
    if not wanted:
        return None
    for index, entry in enumerate(document["ledger"]["ballots"]):
        receipt = str(entry["receipt"])
        if wanted in (receipt.upper(), _normalise(receipt_code(receipt))):
            return index
    return None


def _proof(entries: list[Mapping[str, Any]], index: int, root: str) -> dict[str, Any]:
    leaves = [canonical_leaf(entry) for entry in entries]
    proof = inclusion_proof(leaves, index)
    return {
        "entry": entries[index],
        "index": index,
        "size": len(leaves),
        "proof": [node.hex() for node in proof],
        "root": root,
        "verified": verify_inclusion(leaves[index], index, len(leaves), proof, bytes.fromhex(root)),
    }


def proofs_for(document: Mapping[str, Any], ledger_index: int) -> dict[str, Any]:
    """The ballot's proof in the ledger and its voter's proof in the roll."""
    ballots = list(document["ledger"]["ballots"])
    voters = list(document["roll"]["voters"])
    voter = ballots[ledger_index]["voter"]
    roll_index = next((i for i, entry in enumerate(voters) if entry["voter"] == voter), None)
    return {
        "ballot": _proof(ballots, ledger_index, str(document["ledger"]["root"])),
        "roll": None if roll_index is None else _proof(voters, roll_index, str(document["roll"]["root"])),
    }
