"""Exponential ElGamal and its proofs (crypto.group, crypto.elgamal, crypto.proofs; issue 17 item 6): what is
encrypted is what is decrypted, sums and weighted sums hold, honest proofs verify, and proofs of false statements,
changed ciphertexts, proofs, shares or contexts never do."""

from __future__ import annotations

from math import isqrt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import group, proofs
from crypto.elgamal import Ciphertext, DiscreteLog, combined, decrypt_with, discrete_log, encrypt, weighted_sum

CONTEXT = {"meeting": 7, "roll_root": "ab" * 32, "ballot": "cd" * 32, "item": "m1/yes"}
SLOW = settings(max_examples=15, deadline=None)


def trustees(n: int = 2) -> tuple[list[int], bytes]:
    secrets = [group.random_scalar() for _ in range(n)]
    return secrets, group.total(group.base_mul(x) for x in secrets)


def decrypt(ciphertext: Ciphertext, secrets: list[int], bound: int) -> int:
    shares = []
    for x in secrets:
        share, proof = proofs.prove_share(x, ciphertext.alpha, CONTEXT)
        assert proofs.verify_share(group.base_mul(x), ciphertext.alpha, share, proof, CONTEXT)
        shares.append(share)
    return discrete_log(decrypt_with(ciphertext, shares), bound)


def test_the_group_refuses_what_is_not_an_element() -> None:
    assert group.is_element(group.BASE)
    assert group.is_element(group.IDENTITY)
    assert not group.is_element(bytes(32))  # y = 0: a point of order 4
    assert not group.is_element(group.BASE[:31])
    small_order = bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")  # order 2
    assert not group.is_element(small_order)
    with pytest.raises(ValueError, match="lower-case"):
        group.decode_element(group.base_mul(7).hex().upper())
    with pytest.raises(ValueError, match="reduced"):
        group.decode_scalar(group.ORDER.to_bytes(32, "little").hex())  # not reduced
    assert group.mul(group.ORDER, group.BASE) == group.IDENTITY
    assert group.add(group.base_mul(5), group.base_mul(group.ORDER - 5)) == group.IDENTITY


@SLOW
@given(st.lists(st.integers(0, 1), min_size=1, max_size=6), st.lists(st.integers(1, 40_000), min_size=6, max_size=6))
def test_sums_and_weighted_sums_decrypt_to_the_plain_totals(marks: list[int], areas: list[int]) -> None:
    secrets, key = trustees()
    ciphertexts = [encrypt(key, mark, group.random_scalar()) for mark in marks]
    weights = areas[: len(marks)]
    assert decrypt(combined(ciphertexts), secrets, len(marks)) == sum(marks)
    area_total = sum(mark * weight for mark, weight in zip(marks, weights, strict=True))
    assert decrypt(weighted_sum(ciphertexts, weights), secrets, sum(weights)) == area_total


def test_one_trustee_alone_cannot_decrypt() -> None:
    secrets, key = trustees()
    ciphertext = encrypt(key, 1, group.random_scalar())
    share, _proof = proofs.prove_share(secrets[0], ciphertext.alpha, CONTEXT)
    assert decrypt_with(ciphertext, [share]) not in (group.IDENTITY, group.BASE)


def test_a_total_beyond_its_bound_is_refused() -> None:
    assert discrete_log(group.base_mul(1000), 1000) == 1000
    with pytest.raises(ValueError, match="bound"):
        discrete_log(group.base_mul(1001), 1000)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 50_000), st.integers(1, 300), st.data())
def test_one_table_finds_every_total_within_its_bound_and_none_beyond(bound: int, count: int, data: st.DataObject):
    """`DiscreteLog(bound, count)`: the baby steps made once (their number between √bound and 2¹⁸, sized for
    ``count`` totals) find every m ≤ bound, the edges included, and refuse bound + 1."""
    find = DiscreteLog(bound, count)
    assert isqrt(bound) < find.step <= bound + 1
    for m in {0, bound, data.draw(st.integers(0, bound))}:
        assert find(group.base_mul(m)) == m
    with pytest.raises(ValueError, match="bound"):
        find(group.base_mul(bound + 1))


@SLOW
@given(st.integers(0, 1), st.integers(0, 3))
def test_an_honest_zero_or_one_proof_verifies_and_any_change_breaks_it(mark: int, change: int) -> None:
    _secrets, key = trustees()
    r = group.random_scalar()
    ciphertext = encrypt(key, mark, r)
    proof = proofs.prove_one_of(key, ciphertext, mark, r, (0, 1), CONTEXT)
    assert proofs.verify_one_of(key, ciphertext, (0, 1), proof, CONTEXT)
    if change == 0:  # another ciphertext
        assert not proofs.verify_one_of(key, ciphertext + encrypt(key, 0, 5), (0, 1), proof, CONTEXT)
    elif change == 1:  # another context: the proof of one ballot's item is not another's
        assert not proofs.verify_one_of(key, ciphertext, (0, 1), proof, {**CONTEXT, "item": "m1/no"})
    elif change == 2:  # a changed response
        c, z = proof[0]
        bent = [[c, group.encode_scalar(group.decode_scalar(z) + 1)], proof[1]]
        assert not proofs.verify_one_of(key, ciphertext, (0, 1), bent, CONTEXT)
    else:  # the branches swapped
        assert not proofs.verify_one_of(key, ciphertext, (0, 1), proof[::-1], CONTEXT)


@SLOW
@given(st.integers(2, 5))
def test_no_proof_makes_a_two_pass_for_a_zero_or_one(message: int) -> None:
    """A ciphertext of 2 (or more): the prover cannot make the proof, and a proof of a valid ciphertext, or one made
    by claiming the set {0, …, message}, does not verify against {0, 1}."""
    _secrets, key = trustees()
    r = group.random_scalar()
    cheat = encrypt(key, message, r)
    with pytest.raises(ValueError, match="not one of the values"):
        proofs.prove_one_of(key, cheat, message, r, (0, 1), CONTEXT)
    honest = encrypt(key, 1, r)
    borrowed = proofs.prove_one_of(key, honest, 1, r, (0, 1), CONTEXT)
    assert not proofs.verify_one_of(key, cheat, (0, 1), borrowed, CONTEXT)
    wide = proofs.prove_one_of(key, cheat, message, r, tuple(range(message + 1)), CONTEXT)
    assert proofs.verify_one_of(key, cheat, tuple(range(message + 1)), wide, CONTEXT)
    with pytest.raises(proofs.ProofError):
        proofs.verify_one_of(key, cheat, (0, 1), wide, CONTEXT)  # a proof of another shape is not read


def test_a_range_proof_for_an_election_part() -> None:
    """Marks of a part (at most its seats), seats·invalid added: the sum is one of 0 … seats."""
    _secrets, key = trustees()
    seats, values = 3, (0, 1, 2, 3)
    randomness = [group.random_scalar() for _ in range(5)]
    marks = [1, 0, 1, 1, 0]
    part = combined(encrypt(key, m, r) for m, r in zip(marks, randomness, strict=True))
    total_r = sum(randomness) % group.ORDER
    proof = proofs.prove_one_of(key, part, sum(marks), total_r, values, CONTEXT)
    assert proofs.verify_one_of(key, part, values, proof, CONTEXT)
    assert sum(marks) == seats


def test_a_decryption_share_made_with_another_secret_fails() -> None:
    secrets, key = trustees()
    ciphertext = encrypt(key, 1, group.random_scalar())
    share, proof = proofs.prove_share(secrets[0], ciphertext.alpha, CONTEXT)
    assert proofs.verify_share(group.base_mul(secrets[0]), ciphertext.alpha, share, proof, CONTEXT)
    assert not proofs.verify_share(group.base_mul(secrets[1]), ciphertext.alpha, share, proof, CONTEXT)
    wrong = group.add(share, group.BASE)  # a share that would shift the total by one
    assert not proofs.verify_share(group.base_mul(secrets[0]), ciphertext.alpha, wrong, proof, CONTEXT)


def test_a_trustee_proves_it_knows_its_key() -> None:
    secret = group.random_scalar()
    proof = proofs.prove_key(secret, CONTEXT)
    assert proofs.verify_key(group.base_mul(secret), proof, CONTEXT)
    assert not proofs.verify_key(group.base_mul(secret + 1), proof, CONTEXT)


def test_ciphertexts_are_read_only_as_elements() -> None:
    _secrets, key = trustees()
    ciphertext = encrypt(key, 1, group.random_scalar())
    assert Ciphertext.decode(ciphertext.encoded()) == ciphertext
    for bad in ([ciphertext.alpha.hex()], [bytes(32).hex(), ciphertext.beta.hex()], "x"):
        with pytest.raises(ValueError, match=r"pair|element|hex"):
            Ciphertext.decode(bad)
