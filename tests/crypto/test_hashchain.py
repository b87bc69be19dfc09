"""The audit-log hash chain: construction, verification and tamper detection."""

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.canonical import canonical_json, sha256_hex
from crypto.hashchain import (
    GENESIS_HASH,
    ChainLink,
    ChainVerification,
    link_hash,
    make_link,
    verify_chain,
)

OK_EMPTY = ChainVerification(ok=True, links_checked=0, first_broken_seq=None, reason=None)


def build_chain(payloads: Iterable[Mapping[str, object]]) -> list[ChainLink]:
    links: list[ChainLink] = []
    for payload in payloads:
        links.append(make_link(links[-1] if links else None, payload))
    return links


def sample_chain(length: int = 6) -> list[ChainLink]:
    return build_chain(
        [{"action": "community.update", "object_id": str(n), "summary": {"名称": f"小区{n}"}} for n in range(length)]
    )


def rebuilt_from(links: list[ChainLink], index: int, **changes: object) -> list[ChainLink]:
    """Return a copy of ``links`` with link ``index`` replaced by ``dataclasses.replace(link, **changes)``."""
    copy = list(links)
    copy[index] = dataclasses.replace(copy[index], **changes)  # type: ignore[arg-type]
    return copy


def test_genesis_hash_is_64_zeros() -> None:
    assert GENESIS_HASH == "0" * 64


def test_link_hash_is_sha256_of_canonical_previous_hash_and_payload() -> None:
    payload = {"b": 2, "a": "业主"}
    canonical = ('{"payload":{"a":"业主","b":2},"previous_hash":"' + GENESIS_HASH + '"}').encode()
    assert canonical_json({"previous_hash": GENESIS_HASH, "payload": payload}) == canonical
    assert link_hash(GENESIS_HASH, payload) == sha256_hex(canonical)
    # Pinned: changing the hashing scheme would invalidate every stored audit log.
    assert link_hash(GENESIS_HASH, payload) == "48c0b8e58ed0d03f75dd9be7e964d79f1669463441dd3fe9f243d6dd0b3a057d"


def test_link_hash_ignores_key_order_but_not_values() -> None:
    assert link_hash(GENESIS_HASH, {"a": 1, "b": 2}) == link_hash(GENESIS_HASH, {"b": 2, "a": 1})
    assert link_hash(GENESIS_HASH, {"a": 1}) != link_hash(GENESIS_HASH, {"a": "1"})
    assert link_hash(GENESIS_HASH, {"a": 1}) != link_hash("1" * 64, {"a": 1})


def test_make_link_numbers_and_chains_links() -> None:
    first, second = build_chain([{"n": 1}, {"n": 2}])
    assert (first.seq, first.previous_hash) == (1, GENESIS_HASH)
    assert first.hash == link_hash(GENESIS_HASH, {"n": 1})
    assert (second.seq, second.previous_hash) == (2, first.hash)
    assert second.hash == link_hash(first.hash, {"n": 2})


def test_links_are_frozen() -> None:
    link = make_link(None, {"n": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.hash = "f" * 64  # type: ignore[misc]


def test_empty_chain_is_ok() -> None:
    assert verify_chain([]) == OK_EMPTY
    assert verify_chain(iter(())) == OK_EMPTY


def test_intact_chain_verifies() -> None:
    assert verify_chain(sample_chain(6)) == ChainVerification(
        ok=True, links_checked=6, first_broken_seq=None, reason=None
    )


@pytest.mark.parametrize("k", [0, 2, 5])
def test_edited_payload_is_a_hash_mismatch_at_that_link(k: int) -> None:
    links = sample_chain(6)
    payload = dict(links[k].payload)
    payload["object_id"] = "forged"
    result = verify_chain(rebuilt_from(links, k, payload=payload))
    assert result == ChainVerification(ok=False, links_checked=k + 1, first_broken_seq=k + 1, reason="hash_mismatch")


def test_edited_nested_payload_value_is_detected() -> None:
    links = sample_chain(4)
    result = verify_chain(rebuilt_from(links, 1, payload={**links[1].payload, "summary": {"名称": "别的小区"}}))
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 2, "hash_mismatch")


@pytest.mark.parametrize("k", [0, 2, 4])
def test_edited_and_rehashed_link_breaks_its_successor(k: int) -> None:
    links = sample_chain(6)
    forged_payload = {**links[k].payload, "object_id": "forged"}
    forged = links[k]
    forged = dataclasses.replace(forged, payload=forged_payload, hash=link_hash(forged.previous_hash, forged_payload))
    result = verify_chain(rebuilt_from(links, k, payload=forged.payload, hash=forged.hash))
    assert result == ChainVerification(
        ok=False, links_checked=k + 2, first_broken_seq=k + 2, reason="previous_hash_mismatch"
    )


def test_replaced_stored_hash_is_a_hash_mismatch() -> None:
    links = sample_chain(3)
    result = verify_chain(rebuilt_from(links, 1, hash="f" * 64))
    assert (result.ok, result.links_checked, result.first_broken_seq, result.reason) == (
        False,
        2,
        2,
        "hash_mismatch",
    )


@pytest.mark.parametrize("k", [1, 3, 4])
def test_deleted_link_is_a_sequence_gap_at_its_successor(k: int) -> None:
    links = sample_chain(6)
    del links[k]
    result = verify_chain(links)
    assert result == ChainVerification(ok=False, links_checked=k + 1, first_broken_seq=k + 2, reason="sequence_gap")


def test_deleted_first_link_is_a_sequence_gap() -> None:
    result = verify_chain(sample_chain(3)[1:])
    assert result == ChainVerification(ok=False, links_checked=1, first_broken_seq=2, reason="sequence_gap")


def test_first_link_must_start_from_genesis() -> None:
    first = make_link(None, {"n": 1})
    not_genesis = dataclasses.replace(first, previous_hash="1" * 64, hash=link_hash("1" * 64, {"n": 1}))
    result = verify_chain([not_genesis])
    assert result == ChainVerification(ok=False, links_checked=1, first_broken_seq=1, reason="previous_hash_mismatch")


def test_swapped_links_are_detected() -> None:
    links = sample_chain(4)
    links[1], links[2] = links[2], links[1]
    result = verify_chain(links)
    assert (result.first_broken_seq, result.reason) == (3, "sequence_gap")


def test_non_canonicalizable_stored_payload_is_a_hash_mismatch_not_an_exception() -> None:
    links = sample_chain(3)
    result = verify_chain(rebuilt_from(links, 2, payload={"amount": 1.5}))
    assert result == ChainVerification(ok=False, links_checked=3, first_broken_seq=3, reason="hash_mismatch")


def test_verification_streams_and_stops_at_the_first_broken_link() -> None:
    """An endless generator, broken at link 50, must not be materialised."""
    consumed = 0

    def endless() -> Iterator[ChainLink]:
        nonlocal consumed
        previous = None
        for n in itertools.count(1):
            link = make_link(previous, {"n": n})
            consumed += 1
            yield dataclasses.replace(link, payload={"n": -n}) if n == 50 else link
            previous = link

    result = verify_chain(endless())
    assert result == ChainVerification(ok=False, links_checked=50, first_broken_seq=50, reason="hash_mismatch")
    assert consumed == 50


def test_long_generated_chain_verifies() -> None:
    def generate(count: int) -> Iterator[ChainLink]:
        previous = None
        for n in range(count):
            previous = make_link(previous, {"n": n})
            yield previous

    assert verify_chain(generate(5_000)) == ChainVerification(
        ok=True, links_checked=5_000, first_broken_seq=None, reason=None
    )


# --- property-based tests -------------------------------------------------------------------------------

SAFE_INT = 2**53 - 1
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
hex_hashes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(st.lists(payloads, max_size=12))
def test_any_chain_built_with_link_hash_verifies(chain_payloads: list[dict[str, object]]) -> None:
    result = verify_chain(build_chain(chain_payloads))
    assert result == ChainVerification(ok=True, links_checked=len(chain_payloads), first_broken_seq=None, reason=None)


EXPECTED_REASON = {
    "seq": "sequence_gap",
    "previous_hash": "previous_hash_mismatch",
    "hash": "hash_mismatch",
    "payload": "hash_mismatch",
}


@st.composite
def mutated_chains(draw: st.DrawFn) -> tuple[list[ChainLink], int, str]:
    """A valid chain, with exactly one field of one link changed to a different value."""
    links = build_chain(draw(st.lists(payloads, min_size=1, max_size=8)))
    k = draw(st.integers(0, len(links) - 1))
    field = draw(st.sampled_from(sorted(EXPECTED_REASON)))
    original = links[k]
    new_value: object
    if field == "seq":
        new_value = draw(st.integers(-(2**31), 2**31).filter(lambda seq: seq != original.seq))
    elif field in ("previous_hash", "hash"):
        current = getattr(original, field)
        new_value = draw((hex_hashes | st.text(max_size=70)).filter(lambda value: value != current))
    else:
        before = canonical_json(original.payload)
        new_value = draw(payloads.filter(lambda payload: canonical_json(payload) != before))
    return rebuilt_from(links, k, **{field: new_value}), k, field


@given(mutated_chains())
def test_any_single_field_mutation_is_detected_at_that_link(case: tuple[list[ChainLink], int, str]) -> None:
    links, k, field = case
    result = verify_chain(links)
    assert not result.ok
    # "At that link or earlier"; since links before k are untouched, that means exactly at link k.
    assert result.links_checked == k + 1
    assert result.first_broken_seq == links[k].seq
    assert result.reason == EXPECTED_REASON[field]


@given(st.lists(payloads, min_size=2, max_size=8), st.data())
def test_any_single_deletion_is_detected(chain_payloads: list[dict[str, object]], data: st.DataObject) -> None:
    links = build_chain(chain_payloads)
    k = data.draw(st.integers(0, len(links) - 2))  # deleting the last link is truncation: see module docs
    del links[k]
    result = verify_chain(links)
    assert (result.ok, result.links_checked, result.reason) == (False, k + 1, "sequence_gap")
