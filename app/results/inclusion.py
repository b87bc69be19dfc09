"""An owner's check of their own ballot and roll entry in a result package (issue 7 item 8).

The owner has their receipt: the short code or the full SHA-256 the ballot page showed (app.voting.ballots). The
ballot is found in the ledger by either, and its Merkle inclusion proof (RFC 9162) against the ledger's root is
computed and checked here; so is the proof of their voter's entry in the roll against the roll's root. Both proofs
are shown, so that they can be checked again with any RFC 9162 implementation.

`Ledger.of(document)` does the per-package work once (the leaves and the receipt codes); callers cache it per
package, so that one owner's check costs one proof, not the whole ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.voting.ballots import receipt_code
from crypto.merkle import canonical_leaf, inclusion_proof, verify_inclusion


def _normalise(given: str) -> str:
    return "".join(ch for ch in given.strip().upper() if ch.isalnum())


@dataclass(frozen=True)
class Tree:
    """One Merkle tree of the package: its entries, their leaves and its signed root."""

    entries: list[Mapping[str, Any]]
    leaves: list[bytes]
    root: str

    @classmethod
    def of(cls, section: Mapping[str, Any], key: str) -> Tree:
        entries = list(section[key])
        return cls(entries, [canonical_leaf(entry) for entry in entries], str(section["root"]))

    def proof(self, index: int) -> dict[str, Any]:
        proof = inclusion_proof(self.leaves, index)
        return {
            "entry": self.entries[index],
            "index": index,
            "size": len(self.leaves),
            "proof": [node.hex() for node in proof],
            "root": self.root,
            "verified": verify_inclusion(self.leaves[index], index, len(self.leaves), proof, bytes.fromhex(self.root)),
        }


@dataclass(frozen=True)
class Ledger:
    """The package's two trees and where each receipt (hash or code) and each voter stands."""

    ballots: Tree
    roll: Tree
    by_receipt: dict[str, int]
    by_voter: dict[str, int]

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Ledger:
        ballots, roll = Tree.of(document["ledger"], "ballots"), Tree.of(document["roll"], "voters")
        by_receipt: dict[str, int] = {}
        for index, entry in enumerate(ballots.entries):
            receipt = str(entry["receipt"])
            by_receipt[receipt.upper()] = by_receipt[_normalise(receipt_code(receipt))] = index
        by_voter = {str(entry["voter"]): index for index, entry in enumerate(roll.entries)}
        return cls(ballots, roll, by_receipt, by_voter)

    def find(self, given: str) -> int | None:
        """The ledger index of the ballot whose receipt hash or code is ``given`` (any case, dashes ignored)."""
        wanted = _normalise(given)
        return self.by_receipt.get(wanted) if wanted else None

    def proofs(self, index: int) -> dict[str, Any]:
        """The ballot's proof in the ledger and its voter's proof in the roll."""
        voter = str(self.ballots.entries[index]["voter"])
        roll_index = self.by_voter.get(voter)
        return {
            "ballot": self.ballots.proof(index),
            "roll": None if roll_index is None else self.roll.proof(roll_index),
        }
