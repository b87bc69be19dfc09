"""Owners acting jointly (联名): how many heads a set of signatures holds, and the thresholds (DOMAIN §3, §7 item 8;
Property Management Regulations Art 13; Shaoxing Arts 13 ¶2, 23). PURE.

Heads are counted as a vote counts them (SPC interpretation Art 9): a voter is the exact set of owners of a unit
(identical sets merged), and is one head. A signature is one owner's and holds at most one head; a head is held by
at most one signature. So the heads a set of signatures holds is the largest matching between the signers and the
voters they are owners in:
- two co-owners of one flat (voter {A, B}) who both sign hold one head;
- A, who owns X alone and Y with B, signing with B: A holds X's head and B holds Y's, two heads;
- A signing alone: one head, whichever of A's voters it is.
The developer's voter (unsold and undelivered units) holds no signature: the developer is not among the owners who
propose.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

#: Property Management Regulations Art 13: 经20%以上的业主提议 (an interim meeting)
INTERIM_MEETING = (1, 5)
#: Shaoxing Art 23: 经人数占比五分之一以上的业主联名 (an audit of common income and the committee's expenses)
AUDIT = (1, 5)
#: Shaoxing Art 13 ¶2: 十名以上业主联名 (a joint nomination)
JOINT_NOMINATION_HEADS = 10

KINDS = ("interim_meeting", "audit", "joint_nomination")


def heads_needed(kind: str, total_heads: int) -> int:
    """The fewest heads that take a petition of ``kind`` into effect on a roll of ``total_heads`` heads ("以上"
    includes the bound): 20% of 1,000 heads is 200; of 1,001 heads, 201 (200.2 rounded up); a joint nomination, 10.
    """
    if kind == "joint_nomination":
        return JOINT_NOMINATION_HEADS
    numerator, denominator = INTERIM_MEETING if kind == "interim_meeting" else AUDIT
    return -(-total_heads * numerator // denominator)


def is_reached(kind: str, heads: int, total_heads: int) -> bool:
    """Whether ``heads`` of ``total_heads`` meet the threshold: heads × 5 ≥ total for the one-fifth petitions
    (exactly 200 of 1,000 does), at least ten for a nomination."""
    if kind == "joint_nomination":
        return heads >= JOINT_NOMINATION_HEADS
    numerator, denominator = INTERIM_MEETING if kind == "interim_meeting" else AUDIT
    return total_heads > 0 and heads * denominator >= total_heads * numerator


def heads_signed(voters: Iterable[Collection[str]], signers: Collection[str]) -> int:
    """The heads the ``signers`` (owner keys) hold among ``voters`` (each the set of its owners' keys): the size of
    a maximum matching of signers to voters they are owners in (module docstring), by augmenting paths (Kuhn's
    algorithm; a signer is an owner in few voters, so each search is short)."""
    signer_set = set(signers)
    voters_of: dict[str, list[int]] = {signer: [] for signer in signer_set}
    for index, owners in enumerate(voters):
        for owner in owners:
            if owner in signer_set:
                voters_of[owner].append(index)
    held_by: dict[int, str] = {}

    def assign(signer: str, seen: set[int]) -> bool:
        for voter in voters_of[signer]:
            if voter in seen:
                continue
            seen.add(voter)
            if voter not in held_by or assign(held_by[voter], seen):
                held_by[voter] = signer
                return True
        return False

    return sum(1 for signer in sorted(signer_set) if assign(signer, set()))
