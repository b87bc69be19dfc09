"""Merkle tree hash and inclusion proofs (RFC 9162, Certificate Transparency v2).

A frozen owner roll is published as the Merkle tree hash (MTH) of its leaves,
so that any owner can later be shown a short *inclusion proof* that their own
entry is part of exactly that roll, without anyone having to publish the whole
roll.  The construction is the one of RFC 9162 section 2.1.1 (identical to
RFC 6962 section 2.1) with SHA-256:

* leaf hash:      ``SHA-256(0x00 || leaf bytes)``;
* interior node:  ``SHA-256(0x01 || left child hash || right child hash)``;
* ``MTH({})`` is ``SHA-256()`` of the empty string, ``e3b0c442...b855``;
* a tree of ``n > 1`` leaves ``D[0:n]`` is split at ``k``, the largest power
  of two *smaller than* ``n``: ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) ||
  MTH(D[k:n]))``.

The distinct 0x00/0x01 prefixes give second-preimage resistance: a leaf can
never be passed off as an interior node or vice versa.

Worked example, three leaves ``a``, ``b``, ``c`` (``k = 2``)::

            root = H(01 || h_ab || h_c)
             /                    \\
    h_ab = H(01 || h_a || h_b)     h_c = H(00 || c)
       /            \\
    h_a = H(00 || a)  h_b = H(00 || b)

The inclusion proof (RFC 9162 section 2.1.3.1) for ``c`` (index 2) is
``[h_ab]``; for ``a`` (index 0) it is ``[h_b, h_c]``.  A verifier holding only
``a``, its index, the tree size 3, that proof and the published root recomputes
``H(01 || H(01 || H(00 || a) || h_b) || h_c)`` and compares it with the root
(:func:`verify_inclusion`, RFC 9162 section 2.1.3.2).

The tree size is part of what a proof is checked against, exactly like the
root: take both from the same published (signed) statement, never from the
party presenting the proof.  A root and proof for ``n`` leaves can also pass
:func:`verify_inclusion` under another size whose path to that index has the
same shape (e.g. index 0 with sizes 5 and 6), as in every RFC 9162 verifier.

Leaf order matters: the same leaves in another order give another root.  The
caller that freezes a roll must fix a deterministic order (for example sorted
by pseudonymous voter id) and record it alongside the root.  Leaves of an owner
roll are the canonical JSON (RFC 8785, :mod:`crypto.canonical`) of one entry;
see :func:`canonical_leaf`.
"""

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Final

from crypto.canonical import canonical_json

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "canonical_leaf",
    "inclusion_proof",
    "leaf_hash",
    "merkle_root",
    "node_hash",
    "root_hex",
    "verify_inclusion",
]

HASH_SIZE: Final[int] = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

LEAF_PREFIX: Final[bytes] = b"\x00"
"""Domain-separation prefix of leaf hashes (RFC 9162 section 2.1.1)."""

NODE_PREFIX: Final[bytes] = b"\x01"
"""Domain-separation prefix of interior-node hashes (RFC 9162 section 2.1.1)."""

EMPTY_ROOT: Final[bytes] = hashlib.sha256(b"").digest()
"""``MTH({})``: the root of the empty tree, SHA-256 of the empty string."""

_BytesLike = bytes | bytearray


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 section 2.1.1 leaf hash ``SHA-256(0x00 || data)``.

    Example: ``leaf_hash(b"").hex()`` is
    ``"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"``,
    which is also the root of the one-leaf tree ``[b""]``.
    """
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 section 2.1.1 interior hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash ``MTH(D[n])`` of ``leaves`` (RFC 9162 section 2.1.1).

    ``leaves`` are the raw leaf bytes (not yet hashed), in tree order.  The
    empty sequence gives :data:`EMPTY_ROOT`; one leaf ``d`` gives
    ``leaf_hash(d)``; two leaves give ``node_hash(leaf_hash(a), leaf_hash(b))``.

    Computed bottom-up in ``O(n)`` hashes: pair up the nodes of each level
    left to right and carry a lone last node up unchanged.  This yields exactly
    the RFC's split at the largest power of two smaller than ``n`` (the left
    subtree is always a perfect tree, so it pairs off completely, and only the
    rightmost node of a level can be left without a partner).

    Raises ``TypeError`` if ``leaves`` is itself a ``bytes``/``str`` object or
    contains non-bytes items.
    """
    level = _leaf_level(leaves)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        level = _parent_level(level)
    return level[0]


def root_hex(leaves: Sequence[bytes]) -> str:
    """Return :func:`merkle_root` of ``leaves`` as 64 lowercase hex digits.

    Example: ``root_hex([])`` is
    ``"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"``.
    """
    return merkle_root(leaves).hex()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Return the inclusion proof ``PATH(index, D[n])`` (RFC 9162 section 2.1.3.1).

    The proof lists the sibling subtree hashes needed to recompute the root
    from leaf ``index``, from the bottom (the leaf's sibling) to the top (the
    root's other child).  For a one-leaf tree the proof is empty.  Example for
    leaves ``[a, b, c]``: ``inclusion_proof(leaves, 0) == [leaf_hash(b),
    leaf_hash(c)]`` and ``inclusion_proof(leaves, 2) == [node_hash(leaf_hash(a),
    leaf_hash(b))]``.

    Raises ``TypeError`` if ``index`` is not an ``int`` (``bool`` is refused)
    and ``IndexError`` unless ``0 <= index < len(leaves)``.
    """
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"leaf index must be an int, got {type(index).__name__}")
    level = _leaf_level(leaves)
    if not 0 <= index < len(level):
        raise IndexError(f"leaf index {index} out of range for a tree of {len(level)} leaves")
    # Same bottom-up levels as merkle_root: at each level the node on the path
    # has a sibling unless it is the lone last node that is carried up as is,
    # in which case that level contributes nothing to PATH.
    proof: list[bytes] = []
    position = index
    while len(level) > 1:
        sibling = position ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        level = _parent_level(level)
        position //= 2
    return proof


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Return whether ``proof`` shows ``leaf`` at ``index`` in the tree of ``tree_size`` leaves with ``root``.

    ``leaf`` is the raw leaf bytes (hashed here with :func:`leaf_hash`), and
    ``root`` the 32-byte Merkle tree hash.  Implements the verification
    algorithm of RFC 9162 section 2.1.3.2:

    1. fail if ``index >= tree_size``;
    2. ``fn = index``, ``sn = tree_size - 1``, ``r = leaf_hash(leaf)``;
    3. for each ``p`` in ``proof``: fail if ``sn == 0``; if ``fn`` is odd or
       ``fn == sn``, ``r = HASH(0x01 || p || r)`` and, if ``fn`` was even,
       right-shift ``fn`` and ``sn`` until ``fn`` is odd or zero; otherwise
       ``r = HASH(0x01 || r || p)``; then right-shift ``fn`` and ``sn`` once;
    4. succeed iff ``sn == 0`` and ``r == root``.

    Example: for leaves ``[a, b, c]``,
    ``verify_inclusion(c, 2, 3, [node_hash(leaf_hash(a), leaf_hash(b))], merkle_root([a, b, c]))``
    is true.

    Never raises: a wrong proof, an out-of-range index, a negative or non-int
    index or size, proof elements or a root that are not 32-byte ``bytes``,
    or a non-bytes leaf all give ``False``.
    """
    if not isinstance(leaf, _BytesLike) or not isinstance(root, _BytesLike) or len(root) != HASH_SIZE:
        return False
    if not _is_plain_int(index) or not _is_plain_int(tree_size) or not 0 <= index < tree_size:
        return False
    if not isinstance(proof, Sequence) or isinstance(proof, (str, bytes, bytearray, memoryview)):
        return False
    elements: list[bytes] = []
    for element in proof:
        if not isinstance(element, _BytesLike) or len(element) != HASH_SIZE:
            return False
        elements.append(bytes(element))

    fn, sn = index, tree_size - 1
    r = leaf_hash(leaf)
    for p in elements:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn != 0 and not fn & 1:  # only entered when fn was even, i.e. fn == sn
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, bytes(root))


def canonical_leaf(entry: Mapping[str, object]) -> bytes:
    """Return the leaf bytes of one owner-roll entry: its RFC 8785 canonical JSON.

    Example: ``canonical_leaf({"voter": "v-7f3a", "area": "89.50", "heads": 1})``
    is ``b'{"area":"89.50","heads":1,"voter":"v-7f3a"}'`` (keys sorted, no
    whitespace), so key order in the caller's dict never changes the root.
    Raises :class:`~crypto.canonical.CanonicalizationError` for values that are
    not canonical-JSON compatible (e.g. floats: pass areas as decimal strings).
    """
    return canonical_json(entry)


def _is_plain_int(value: object) -> bool:
    """Return whether ``value`` is an ``int`` but not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def _leaf_level(leaves: Sequence[bytes]) -> list[bytes]:
    """Return the leaf hashes of ``leaves``, refusing a bare bytes/str "sequence"."""
    if isinstance(leaves, (str, bytes, bytearray, memoryview)):
        raise TypeError("leaves must be a sequence of bytes objects, not a single bytes/str value")
    hashes: list[bytes] = []
    for item in leaves:
        if not isinstance(item, _BytesLike):
            raise TypeError(f"each leaf must be bytes, got {type(item).__name__}")
        hashes.append(leaf_hash(item))
    return hashes


def _parent_level(level: list[bytes]) -> list[bytes]:
    """Hash adjacent pairs of ``level``; a lone last node is carried up unchanged."""
    parents = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        parents.append(level[-1])
    return parents
