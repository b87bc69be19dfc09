"""Tamper-evident hash chain for the audit log.

Each audit record ("link") stores the hash of the record before it, and its
own hash is computed over that previous hash together with its payload::

    hash_n = SHA-256( JCS({"previous_hash": hash_{n-1}, "payload": payload_n}) )

where JCS is RFC 8785 canonical JSON (see :mod:`crypto.canonical`) and the
first link uses :data:`GENESIS_HASH` as its previous hash.  Editing, inserting
or deleting any record in the middle of the chain breaks either that record's
own hash or the ``previous_hash`` link of its successor, which
:func:`verify_chain` detects.

Limitation: removing records from the *end* of the chain (truncation) leaves a
shorter but internally consistent chain.  Detecting that requires anchoring the
latest hash (and sequence number) somewhere outside the log, for example in a
signed checkpoint or a published result document.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from crypto.canonical import CanonicalizationError, canonical_json, sha256_hex

__all__ = [
    "GENESIS_HASH",
    "ChainLink",
    "ChainVerification",
    "FailureReason",
    "link_hash",
    "make_link",
    "verify_chain",
]

GENESIS_HASH: Final[str] = "0" * 64
"""The ``previous_hash`` of the first link (sequence number 1)."""

FailureReason = Literal["hash_mismatch", "previous_hash_mismatch", "sequence_gap"]
"""Stable machine-readable codes reported in :attr:`ChainVerification.reason`."""

HASH_MISMATCH: Final = "hash_mismatch"
PREVIOUS_HASH_MISMATCH: Final = "previous_hash_mismatch"
SEQUENCE_GAP: Final = "sequence_gap"


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One stored record of the chain.

    ``seq`` starts at 1 and increases by exactly 1; ``previous_hash`` is the
    ``hash`` of the preceding link (or :data:`GENESIS_HASH` for the first);
    ``hash`` is :func:`link_hash` of ``previous_hash`` and ``payload``.
    ``payload`` must be canonical-JSON compatible (see
    :mod:`crypto.canonical`).
    """

    seq: int
    previous_hash: str
    hash: str
    payload: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """Outcome of :func:`verify_chain`.

    ``ok`` is true when every link verified.  ``links_checked`` counts the
    links examined, *including* the first broken one, so on failure it is the
    1-based position of the broken link in the iteration.  ``first_broken_seq``
    is the stored ``seq`` of that link and ``reason`` one of
    ``"hash_mismatch"``, ``"previous_hash_mismatch"`` or ``"sequence_gap"``;
    both are ``None`` when ``ok`` is true.
    """

    ok: bool
    links_checked: int
    first_broken_seq: int | None
    reason: FailureReason | None


def link_hash(previous_hash: str, payload: Mapping[str, object]) -> str:
    """Return the hex SHA-256 hash of a link with this predecessor and payload.

    Raises :class:`~crypto.canonical.CanonicalizationError` if ``payload`` is
    not canonical-JSON compatible.
    """
    document = {"previous_hash": previous_hash, "payload": payload}
    return sha256_hex(canonical_json(document))


def make_link(previous: ChainLink | None, payload: Mapping[str, object]) -> ChainLink:
    """Build the link that follows ``previous`` (or the first link if ``None``)."""
    if previous is None:
        seq, previous_hash = 1, GENESIS_HASH
    else:
        seq, previous_hash = previous.seq + 1, previous.hash
    return ChainLink(
        seq=seq,
        previous_hash=previous_hash,
        hash=link_hash(previous_hash, payload),
        payload=payload,
    )


def verify_chain(links: Iterable[ChainLink]) -> ChainVerification:
    """Verify links in the given order, stopping at the first broken one.

    The input is consumed as a stream: only the previous link's ``seq`` and
    ``hash`` are kept, so a generator over millions of database rows can be
    verified in constant memory.  Checks per link, in this order:

    1. ``sequence_gap``: ``seq`` is not the previous ``seq`` + 1 (the first
       link must have ``seq`` 1);
    2. ``previous_hash_mismatch``: ``previous_hash`` differs from the previous
       link's ``hash`` (:data:`GENESIS_HASH` for the first link);
    3. ``hash_mismatch``: the stored ``hash`` differs from :func:`link_hash`
       recomputed from ``previous_hash`` and ``payload``.  A payload that
       cannot be canonicalised at all (e.g. a float injected into a stored
       row) is reported as ``hash_mismatch`` too, since no hash produced by
       :func:`link_hash` can match it.

    An empty iterable is a valid (empty) chain.
    """
    expected_seq = 1
    expected_previous_hash = GENESIS_HASH
    checked = 0
    for link in links:
        checked += 1
        reason = _link_failure(link, expected_seq, expected_previous_hash)
        if reason is not None:
            return ChainVerification(
                ok=False,
                links_checked=checked,
                first_broken_seq=link.seq,
                reason=reason,
            )
        expected_seq = link.seq + 1
        expected_previous_hash = link.hash
    return ChainVerification(ok=True, links_checked=checked, first_broken_seq=None, reason=None)


def _link_failure(link: ChainLink, expected_seq: int, expected_previous_hash: str) -> FailureReason | None:
    """Return why ``link`` does not fit at this position, or ``None``."""
    if type(link.seq) is not int or link.seq != expected_seq:
        return SEQUENCE_GAP
    if link.previous_hash != expected_previous_hash:
        return PREVIOUS_HASH_MISMATCH
    try:
        recomputed = link_hash(link.previous_hash, link.payload)
    except CanonicalizationError:
        return HASH_MISMATCH
    if link.hash != recomputed:
        return HASH_MISMATCH
    return None
