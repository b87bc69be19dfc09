"""RFC 9162 (Certificate Transparency v2) Merkle tree hash and inclusion proofs."""

import hashlib
import time
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.canonical import CanonicalizationError, canonical_json
from crypto.merkle import (
    EMPTY_ROOT,
    canonical_leaf,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    root_hex,
    verify_inclusion,
)

# ---------------------------------------------------------------------------
# Independent reference: a literal transcription of RFC 9162 sections 2.1.1 and 2.1.3.1.


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _split_point(n)
    return _sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split_point(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_sides(m: int, n: int) -> list[str]:
    """Side of each PATH element relative to the path ("R": sibling on the right), bottom-up."""
    if n == 1:
        return []
    k = _split_point(n)
    if m < k:
        return [*ref_sides(m, k), "R"]
    return [*ref_sides(m - k, n - k), "L"]


def numbered_leaves(n: int) -> list[bytes]:
    return [f"leaf-{i}".encode() for i in range(n)]


# ---------------------------------------------------------------------------
# Known values.

EMPTY_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# The certificate-transparency reference test vectors (merkle_tree_test.cc, also in
# transparency-dev/merkle testonly): leaves and MTH of the first n leaves for n = 1..8.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (index, tree size, PATH) from the same test suite.
CT_INCLUSION_PROOFS = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def test_empty_tree_is_sha256_of_empty_string() -> None:
    assert EMPTY_ROOT.hex() == EMPTY_HEX
    assert merkle_root([]) == EMPTY_ROOT
    assert root_hex([]) == EMPTY_HEX
    assert ref_mth([]).hex() == EMPTY_HEX


def test_leaf_and_node_hashes_use_the_rfc_prefixes() -> None:
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert leaf_hash(b"abcdefg").hex() == "6b43f785b72386e132b275bc918c25dbc687ab8427836bef6ce4509b64f4f54d"
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"", b"").hex() == "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"
    assert node_hash(b"abcd", b"efgh").hex() == "41561b1297f692dad705e28ece8bf47060fba1abeeebda0aa67c43570a36bf79"
    # Domain separation: a leaf is never hashed like an interior node.
    assert leaf_hash(b"ab") != node_hash(b"a", b"b")


def test_one_leaf_tree_root_is_its_leaf_hash_and_proof_is_empty() -> None:
    assert merkle_root([b"only"]) == leaf_hash(b"only") == hashlib.sha256(b"\x00only").digest()
    assert inclusion_proof([b"only"], 0) == []
    assert verify_inclusion(b"only", 0, 1, [], leaf_hash(b"only"))
    assert not verify_inclusion(b"other", 0, 1, [], leaf_hash(b"only"))


@pytest.mark.parametrize("size", range(1, len(CT_LEAVES) + 1))
def test_certificate_transparency_root_vectors(size: int) -> None:
    assert root_hex(CT_LEAVES[:size]) == CT_ROOTS[size - 1]
    assert ref_mth(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION_PROOFS)
def test_certificate_transparency_inclusion_vectors(index: int, size: int, path: list[str]) -> None:
    proof = [bytes.fromhex(h) for h in path]
    assert inclusion_proof(CT_LEAVES[:size], index) == proof
    root = bytes.fromhex(CT_ROOTS[size - 1])
    assert verify_inclusion(CT_LEAVES[index], index, size, proof, root)


def test_worked_example_from_the_docstring() -> None:
    a, b, c = b"a", b"b", b"c"
    h_ab = node_hash(leaf_hash(a), leaf_hash(b))
    root = node_hash(h_ab, leaf_hash(c))
    assert merkle_root([a, b, c]) == root
    assert inclusion_proof([a, b, c], 2) == [h_ab]
    assert inclusion_proof([a, b, c], 0) == [leaf_hash(b), leaf_hash(c)]
    assert inclusion_proof([a, b, c], 1) == [leaf_hash(a), leaf_hash(c)]
    assert verify_inclusion(c, 2, 3, [h_ab], root)
    assert verify_inclusion(a, 0, 3, [leaf_hash(b), leaf_hash(c)], root)


# ---------------------------------------------------------------------------
# Agreement with the reference, every index of every small tree.


@pytest.mark.parametrize("size", range(41))
def test_root_matches_reference(size: int) -> None:
    leaves = numbered_leaves(size)
    assert merkle_root(leaves) == ref_mth(leaves)
    assert root_hex(leaves) == ref_mth(leaves).hex()


@pytest.mark.parametrize("size", range(1, 41))
def test_every_index_has_a_proof_that_verifies(size: int) -> None:
    leaves = numbered_leaves(size)
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = inclusion_proof(leaves, index)
        assert proof == ref_path(index, leaves), (size, index)
        assert verify_inclusion(leaf, index, size, proof, root), (size, index)
        # Accepts a tuple and bytearray inputs too.
        assert verify_inclusion(bytearray(leaf), index, size, tuple(proof), bytearray(root))  # type: ignore[arg-type]


def test_root_depends_on_order_and_content() -> None:
    leaves = numbered_leaves(5)
    assert merkle_root(leaves) != merkle_root(list(reversed(leaves)))
    assert merkle_root(leaves) != merkle_root([*leaves[:4], b"leaf-X"])
    assert merkle_root(leaves) != merkle_root(leaves[:4])
    # Duplicating the last leaf (the Bitcoin-style padding) is a different tree.
    assert merkle_root(leaves[:3]) != merkle_root([*leaves[:3], leaves[2]])


# ---------------------------------------------------------------------------
# Wrong or tampered proofs fail.


@pytest.mark.parametrize("size", range(1, 21))
def test_proof_fails_for_another_leaf_index_or_root(size: int) -> None:
    leaves = numbered_leaves(size)
    root = merkle_root(leaves)
    other_root = merkle_root(numbered_leaves(size + 1))
    for index, leaf in enumerate(leaves):
        proof = inclusion_proof(leaves, index)
        assert not verify_inclusion(leaf + b"!", index, size, proof, root)
        assert not verify_inclusion(b"leaf-X", index, size, proof, root)
        assert not verify_inclusion(leaf, index, size, proof, other_root)
        if size > 1:  # (a one-leaf tree's root *is* its leaf hash)
            assert not verify_inclusion(leaf, index, size, proof, leaf_hash(leaf))
        for other_index in range(size):
            if other_index != index:
                assert not verify_inclusion(leaf, other_index, size, proof, root), (size, index, other_index)
                # Nor does another leaf's data verify with this leaf's proof at this index.
                assert not verify_inclusion(leaves[other_index], index, size, proof, root)


@pytest.mark.parametrize("size", range(1, 21))
def test_proof_for_another_size_fails_unless_the_path_has_the_same_shape(size: int) -> None:
    """The verifier binds the tree size only through the shape of the path (RFC 9162 section 2.1.3.2)."""
    leaves = numbered_leaves(size)
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = inclusion_proof(leaves, index)
        for other_size in range(1, 25):
            if other_size == size:
                continue
            same_shape = index < other_size and ref_sides(index, other_size) == ref_sides(index, size)
            assert verify_inclusion(leaf, index, other_size, proof, root) is same_shape, (size, index, other_size)
    if size == 8:
        # A leaf deep in the tree: sizes 7 and 9 give paths of another shape.
        proof = inclusion_proof(leaves, 6)
        assert not verify_inclusion(leaves[6], 6, 7, proof, root)
        assert not verify_inclusion(leaves[6], 6, 9, proof, root)


def test_same_shape_sizes_are_a_documented_limitation() -> None:
    leaves = numbered_leaves(5)
    proof = inclusion_proof(leaves, 0)
    assert ref_sides(0, 5) == ref_sides(0, 6) == ["R", "R", "R"]
    assert verify_inclusion(leaves[0], 0, 6, proof, merkle_root(leaves))


@pytest.mark.parametrize("size", [2, 3, 5, 8, 13, 21, 32, 40])
def test_tampered_proofs_fail(size: int) -> None:
    leaves = numbered_leaves(size)
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = inclusion_proof(leaves, index)
        assert proof  # size > 1
        for position, element in enumerate(proof):
            for byte in (0, 17, 31):
                flipped = bytearray(element)
                flipped[byte] ^= 0x01
                tampered = [*proof[:position], bytes(flipped), *proof[position + 1 :]]
                assert not verify_inclusion(leaf, index, size, tampered, root)
            substituted = [*proof[:position], leaf_hash(leaf), *proof[position + 1 :]]
            assert not verify_inclusion(leaf, index, size, substituted, root)
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)  # truncated
        assert not verify_inclusion(leaf, index, size, proof[1:], root)
        assert not verify_inclusion(leaf, index, size, [*proof, proof[-1]], root)  # extended
        assert not verify_inclusion(leaf, index, size, [EMPTY_ROOT, *proof], root)
        assert not verify_inclusion(leaf, index, size, [], root)
        if len(proof) > 1:
            assert not verify_inclusion(leaf, index, size, list(reversed(proof)), root)
    # Flipping any single bit of the root fails too.
    proof = inclusion_proof(leaves, 0)
    for bit in range(256):
        bad_root = bytearray(root)
        bad_root[bit // 8] ^= 1 << (bit % 8)
        assert not verify_inclusion(leaves[0], 0, size, proof, bytes(bad_root))


def test_a_subtree_hash_is_not_accepted_as_a_leaf() -> None:
    """Second-preimage resistance: the interior node h_ab cannot pose as a leaf of a 2-leaf tree."""
    leaves = numbered_leaves(4)
    root = merkle_root(leaves)
    h01 = node_hash(leaf_hash(leaves[0]), leaf_hash(leaves[1]))
    h23 = node_hash(leaf_hash(leaves[2]), leaf_hash(leaves[3]))
    assert root == node_hash(h01, h23)
    assert not verify_inclusion(h01, 0, 2, [h23], root)
    assert not verify_inclusion(b"\x01" + leaf_hash(leaves[0]) + leaf_hash(leaves[1]), 0, 2, [h23], root)


# ---------------------------------------------------------------------------
# Malformed input: verify_inclusion returns False, never raises.

GOOD_LEAVES = numbered_leaves(7)
GOOD_ROOT = merkle_root(GOOD_LEAVES)
GOOD_PROOF = inclusion_proof(GOOD_LEAVES, 3)


@pytest.mark.parametrize(
    ("leaf", "index", "tree_size", "proof", "root"),
    [
        pytest.param(GOOD_LEAVES[3], -1, 7, GOOD_PROOF, GOOD_ROOT, id="negative-index"),
        pytest.param(GOOD_LEAVES[3], 7, 7, GOOD_PROOF, GOOD_ROOT, id="index-equals-size"),
        pytest.param(GOOD_LEAVES[3], 99, 7, GOOD_PROOF, GOOD_ROOT, id="index-beyond-size"),
        pytest.param(GOOD_LEAVES[3], 0, 0, [], EMPTY_ROOT, id="empty-tree"),
        pytest.param(GOOD_LEAVES[3], 3, -7, GOOD_PROOF, GOOD_ROOT, id="negative-size"),
        pytest.param(GOOD_LEAVES[3], 3, 2**70, GOOD_PROOF, GOOD_ROOT, id="huge-size"),
        pytest.param(GOOD_LEAVES[3], 3.0, 7, GOOD_PROOF, GOOD_ROOT, id="float-index"),
        pytest.param(GOOD_LEAVES[3], "3", 7, GOOD_PROOF, GOOD_ROOT, id="str-index"),
        pytest.param(GOOD_LEAVES[3], 3, 7.0, GOOD_PROOF, GOOD_ROOT, id="float-size"),
        pytest.param(GOOD_LEAVES[3], 3, None, GOOD_PROOF, GOOD_ROOT, id="none-size"),
        pytest.param(GOOD_LEAVES[0], False, 7, inclusion_proof(GOOD_LEAVES, 0), GOOD_ROOT, id="bool-index"),
        pytest.param(GOOD_LEAVES[3], 3, 7, None, GOOD_ROOT, id="none-proof"),
        pytest.param(GOOD_LEAVES[3], 3, 7, 42, GOOD_ROOT, id="int-proof"),
        pytest.param(GOOD_LEAVES[3], 3, 7, b"".join(GOOD_PROOF), GOOD_ROOT, id="concatenated-proof"),
        pytest.param(GOOD_LEAVES[3], 3, 7, "".join(p.hex() for p in GOOD_PROOF), GOOD_ROOT, id="str-proof"),
        pytest.param(GOOD_LEAVES[3], 3, 7, [p.hex() for p in GOOD_PROOF], GOOD_ROOT, id="hex-elements"),
        pytest.param(GOOD_LEAVES[3], 3, 7, [*GOOD_PROOF[:-1], GOOD_PROOF[-1][:31]], GOOD_ROOT, id="short-element"),
        pytest.param(GOOD_LEAVES[3], 3, 7, [*GOOD_PROOF[:-1], GOOD_PROOF[-1] + b"\0"], GOOD_ROOT, id="long-element"),
        pytest.param(GOOD_LEAVES[3], 3, 7, [*GOOD_PROOF[:-1], None], GOOD_ROOT, id="none-element"),
        pytest.param(GOOD_LEAVES[3], 3, 7, {0: GOOD_PROOF[0]}, GOOD_ROOT, id="mapping-proof"),
        pytest.param(GOOD_LEAVES[3], 3, 7, GOOD_PROOF, GOOD_ROOT.hex(), id="hex-root"),
        pytest.param(GOOD_LEAVES[3], 3, 7, GOOD_PROOF, GOOD_ROOT[:16], id="short-root"),
        pytest.param(GOOD_LEAVES[3], 3, 7, GOOD_PROOF, None, id="none-root"),
        pytest.param(GOOD_LEAVES[3].decode(), 3, 7, GOOD_PROOF, GOOD_ROOT, id="str-leaf"),
        pytest.param(None, 3, 7, GOOD_PROOF, GOOD_ROOT, id="none-leaf"),
        pytest.param(5, 3, 7, GOOD_PROOF, GOOD_ROOT, id="int-leaf"),
    ],
)
def test_malformed_input_returns_false(
    leaf: object, index: object, tree_size: object, proof: object, root: object
) -> None:
    assert verify_inclusion(leaf, index, tree_size, proof, root) is False  # type: ignore[arg-type]


def test_the_malformed_cases_are_otherwise_valid() -> None:
    assert verify_inclusion(GOOD_LEAVES[3], 3, 7, GOOD_PROOF, GOOD_ROOT)
    assert verify_inclusion(GOOD_LEAVES[0], 0, 7, inclusion_proof(GOOD_LEAVES, 0), GOOD_ROOT)


@given(
    leaf=st.binary(max_size=8),
    index=st.integers(min_value=-3, max_value=70),
    tree_size=st.integers(min_value=-3, max_value=70),
    proof=st.lists(st.binary(min_size=30, max_size=34), max_size=10),
    root=st.binary(min_size=31, max_size=33),
)
def test_verify_never_raises_on_garbage(
    leaf: bytes, index: int, tree_size: int, proof: list[bytes], root: bytes
) -> None:
    assert verify_inclusion(leaf, index, tree_size, proof, root) in (True, False)


def test_inclusion_proof_rejects_bad_indices() -> None:
    leaves = numbered_leaves(3)
    for index in (-1, 3, 10):
        with pytest.raises(IndexError):
            inclusion_proof(leaves, index)
    with pytest.raises(IndexError):
        inclusion_proof([], 0)
    with pytest.raises(TypeError):
        inclusion_proof(leaves, True)
    with pytest.raises(TypeError):
        inclusion_proof(leaves, 1.0)  # type: ignore[arg-type]


def test_merkle_root_rejects_non_bytes_leaves() -> None:
    with pytest.raises(TypeError):
        merkle_root(b"abc")  # type: ignore[arg-type]  # a bytes object is a sequence of ints, not of leaves
    with pytest.raises(TypeError):
        merkle_root(["abc"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        merkle_root([b"a", 1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        leaf_hash(5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Owner-roll leaves.


def test_canonical_leaf_is_canonical_json() -> None:
    entry = {"voter": "v-7f3a", "area": "89.50", "heads": 1}
    assert canonical_leaf(entry) == b'{"area":"89.50","heads":1,"voter":"v-7f3a"}'
    assert canonical_leaf(entry) == canonical_json(entry)
    assert canonical_leaf({"heads": 1, "area": "89.50", "voter": "v-7f3a"}) == canonical_leaf(entry)
    with pytest.raises(CanonicalizationError):
        canonical_leaf({"voter": "v-7f3a", "area": 89.5, "heads": 1})


def test_owner_roll_proof_round_trip() -> None:
    roll = [{"voter": f"v-{i:05d}", "area": f"{80 + i % 40}.50", "heads": 1} for i in range(37)]
    leaves = [canonical_leaf(entry) for entry in roll]
    root = merkle_root(leaves)
    assert root == ref_mth(leaves)
    proof = inclusion_proof(leaves, 17)
    assert verify_inclusion(canonical_leaf(roll[17]), 17, len(roll), proof, root)
    forged = dict(roll[17], area="189.50")
    assert not verify_inclusion(canonical_leaf(forged), 17, len(roll), proof, root)


def test_twenty_thousand_leaves_are_fast() -> None:
    leaves = [canonical_leaf({"voter": f"v-{i:06d}", "area": "89.50", "heads": 1}) for i in range(20_000)]
    started = time.perf_counter()
    root = merkle_root(leaves)
    elapsed = time.perf_counter() - started
    # ~0.05-0.07 s on the dev box; the bound is generous against CI noise.
    assert elapsed < 1.0, f"merkle_root of 20,000 leaves took {elapsed:.3f} s"
    proof = inclusion_proof(leaves, 12_345)
    assert len(proof) == 15  # ceil(log2(20000))
    assert verify_inclusion(leaves[12_345], 12_345, len(leaves), proof, root)


# ---------------------------------------------------------------------------
# Properties over random leaf lists.


@given(st.lists(st.binary(max_size=12), min_size=1, max_size=48), st.data())
def test_random_trees_match_reference_and_verify(leaves: list[bytes], data: st.DataObject) -> None:
    size = len(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    root = merkle_root(leaves)
    assert root == ref_mth(leaves)
    proof = inclusion_proof(leaves, index)
    assert proof == ref_path(index, leaves)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    other = data.draw(st.binary(max_size=12).filter(lambda b: b != leaves[index]), label="other leaf")
    assert not verify_inclusion(other, index, size, proof, root)
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="tampered element")
        bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
        flipped = bytearray(proof[position])
        flipped[bit // 8] ^= 1 << (bit % 8)
        tampered = [*proof[:position], bytes(flipped), *proof[position + 1 :]]
        assert not verify_inclusion(leaves[index], index, size, tampered, root)
