"""Exponential ElGamal over the prime-order group of `crypto.group`, with a key shared by trustees.

A message m (a small non-negative integer: a mark 0 or 1, or a weighted total) is encrypted under the public key H
with randomness r as the pair (α, β) = (r·B, m·B + r·H). Adding ciphertexts adds their messages, and multiplying a
ciphertext by an integer k multiplies its message by k: this is how the tally is made without opening a ballot
(Cramer, Gennaro, Schoenmakers 1997; Helios; Belenios; ElectionGuard).

The key is shared "all of n" (ElectionGuard's baseline, Helios's trustees): each trustee i holds a secret x_i and
publishes H_i = x_i·B; the election key is H = Σ H_i, so no single trustee can decrypt. To decrypt a ciphertext,
each trustee publishes the share D_i = x_i·α with a Chaum–Pedersen proof (`crypto.proofs.prove_share`), and
m·B = β − Σ D_i. The small m is then found by baby-step giant-step within a bound the caller knows (the totals).

Pure: no configuration, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import isqrt

from crypto import group

__all__ = ["Ciphertext", "DiscreteLog", "decrypt_with", "discrete_log", "encrypt", "weighted_sum"]


@dataclass(frozen=True)
class Ciphertext:
    """(α, β) = (r·B, m·B + r·H)."""

    alpha: bytes
    beta: bytes

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(group.add(self.alpha, other.alpha), group.add(self.beta, other.beta))

    def times(self, k: int) -> Ciphertext:
        """The ciphertext of k·m (k a non-negative integer, such as an area in 0.01 m²); itself for k = 1, which
        costs no multiplication (the coefficients of a question's rule are mostly 1)."""
        if k == 1:
            return self
        return Ciphertext(group.mul(k, self.alpha), group.mul(k, self.beta))

    def encoded(self) -> list[str]:
        return [self.alpha.hex(), self.beta.hex()]

    @classmethod
    def decode(cls, value: object) -> Ciphertext:
        """From [α, β] in hex; ValueError unless both are elements of the group."""
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("a ciphertext is a pair [alpha, beta]")
        return cls(group.decode_element(value[0]), group.decode_element(value[1]))


ZERO = Ciphertext(group.IDENTITY, group.IDENTITY)


def encrypt(public_key: bytes, message: int, randomness: int) -> Ciphertext:
    return Ciphertext(group.base_mul(randomness), group.add(group.base_mul(message), group.mul(randomness, public_key)))


def combined(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The ciphertext of the sum of the messages."""
    result = ZERO
    for ciphertext in ciphertexts:
        result = result + ciphertext
    return result


def weighted_sum(ciphertexts: Sequence[Ciphertext], weights: Sequence[int]) -> Ciphertext:
    """The ciphertext of Σ wᵢ·mᵢ (the area tally: each ballot's mark times its voter's area in 0.01 m²)."""
    return combined(ciphertext.times(weight) for ciphertext, weight in zip(ciphertexts, weights, strict=True))


def decrypt_with(ciphertext: Ciphertext, shares: Iterable[bytes]) -> bytes:
    """m·B from the trustees' decryption shares D_i = x_i·α (each checked by its proof first)."""
    return group.sub(ciphertext.beta, group.total(shares))


class DiscreteLog:
    """The m in [0, bound] with m·B = element, for many elements under one bound (baby-step giant-step).

    The table of baby steps 0·B … (s−1)·B is made once, so that finding ``count`` totals costs about
    s + count·bound/s additions; s = √(bound·count), kept between √bound and 2¹⁸ entries (some 30 MB). The bound is
    what the totals cannot exceed: the number of ballots for heads, the sum of their areas for area.
    """

    def __init__(self, bound: int, count: int = 1) -> None:
        self.bound = bound
        self.step = min(bound + 1, max(isqrt(bound) + 1, min(isqrt(bound * count) + 1, 1 << 18)))
        self.baby: dict[bytes, int] = {}
        point = group.IDENTITY
        for j in range(self.step):
            self.baby.setdefault(point, j)
            point = group.add(point, group.BASE)
        self.giant = group.base_mul(self.step)

    def __call__(self, element: bytes) -> int:
        """ValueError if no m in [0, bound] fits."""
        current = element
        for i in range(self.bound // self.step + 1):
            found = self.baby.get(current)
            if found is not None and i * self.step + found <= self.bound:
                return i * self.step + found
            current = group.sub(current, self.giant)
        raise ValueError("the decrypted total is not within its bound")


def discrete_log(element: bytes, bound: int) -> int:
    """The m in [0, bound] with m·B = element (`DiscreteLog` for one element); ValueError if none."""
    return DiscreteLog(bound)(element)
