"""The prime-order group of the encrypted ballots: the subgroup of prime order ℓ = 2^252 + 2774231777737235353585193779
0883648493 of the twisted Edwards curve edwards25519 (RFC 8032, the curve of Ed25519 signatures), through libsodium's
audited core operations as PyNaCl binds them (`crypto_scalarmult_ed25519_noclamp`, `crypto_core_ed25519_add`,
`crypto_core_ed25519_is_valid_point`).

Pure: no configuration, no database. Encodings, for anyone writing an independent verifier (docs/result-package.md):

- an **element** is the 32-byte RFC 8032 encoding of a point (the y coordinate, little-endian, with the sign of x in
  the top bit), written as 64 lower-case hex characters. An element read from a package must be canonical, on the
  curve and in the prime-order subgroup (`is_element`; libsodium's `is_valid_point`, which also refuses the small-
  order points): only then is every exponent below taken modulo ℓ. The neutral element (encoding 01 00 … 00) is
  an element too, written out as such; libsodium refuses it as an input to a multiplication and never returns it,
  so `mul` and `base_mul` answer it themselves.
- a **scalar** is an integer modulo ℓ, written as 64 hex characters of its 32-byte little-endian encoding.
- the generator `BASE` is the Ed25519 base point B.

Why this library and not a hand-written group: the constant-time scalar multiplication and the subgroup checks are
the parts that go wrong when written by hand; libsodium's are audited and kept, and PyNaCl is the binding the
Python Cryptographic Authority keeps. libsodium has no multi-scalar multiplication, so each product of powers costs
one multiplication per factor (docs/performance.md counts them).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from nacl import bindings
from nacl.exceptions import RuntimeError as NaclRuntimeError

from crypto.canonical import canonical_json

__all__ = [
    "BASE",
    "IDENTITY",
    "ORDER",
    "add",
    "base_mul",
    "decode_element",
    "decode_scalar",
    "encode_scalar",
    "hash_to_scalar",
    "is_element",
    "mul",
    "random_scalar",
    "sub",
]

#: ℓ, the order of the group
ORDER = 2**252 + 27742317777372353535851937790883648493
#: the neutral element: x = 0, y = 1
IDENTITY = bytes([1]) + bytes(31)


def _scalar_bytes(n: int) -> bytes:
    return (n % ORDER).to_bytes(32, "little")


def _base_mul(n: int) -> bytes:
    n %= ORDER
    return IDENTITY if n == 0 else bindings.crypto_scalarmult_ed25519_base_noclamp(_scalar_bytes(n))


#: 0·B … 63·B, made once: the proofs' values (a mark 0 or 1, a rule's sums up to the seats) are small
_SMALL_MULTIPLES = tuple(_base_mul(n) for n in range(64))


def base_mul(n: int) -> bytes:
    """n·B."""
    return _SMALL_MULTIPLES[n] if 0 <= n < len(_SMALL_MULTIPLES) else _base_mul(n)


#: the generator B
BASE = base_mul(1)


def mul(n: int, element: bytes) -> bytes:
    """n·P for an element P of the group (checked by the caller when it was read)."""
    n %= ORDER
    if n == 0 or element == IDENTITY:
        return IDENTITY
    return bindings.crypto_scalarmult_ed25519_noclamp(_scalar_bytes(n), element)


def add(p: bytes, q: bytes) -> bytes:
    """P + Q."""
    return bindings.crypto_core_ed25519_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    """P − Q."""
    return bindings.crypto_core_ed25519_sub(p, q)


def total(elements: Iterable[bytes]) -> bytes:
    """The sum of the elements (the neutral element for none)."""
    result = IDENTITY
    for element in elements:
        result = add(result, element)
    return result


def is_element(encoded: bytes) -> bool:
    """Whether 32 bytes are the canonical encoding of an element of the prime-order subgroup."""
    if len(encoded) != 32:
        return False
    if encoded == IDENTITY:
        return True
    try:
        return bool(bindings.crypto_core_ed25519_is_valid_point(encoded))
    except NaclRuntimeError:
        return False


def decode_element(text: str) -> bytes:
    """An element from its 64 hex characters; ValueError for anything else (a package is then refused)."""
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        raise ValueError("an element is 64 lower-case hex characters")
    encoded = bytes.fromhex(text)
    if not is_element(encoded):
        raise ValueError("not an element of the prime-order group")
    return encoded


def encode_scalar(n: int) -> str:
    return _scalar_bytes(n).hex()


def decode_scalar(text: str) -> int:
    """A scalar from its 64 hex characters, which must be reduced (below ℓ): one scalar, one encoding."""
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        raise ValueError("a scalar is 64 lower-case hex characters")
    n = int.from_bytes(bytes.fromhex(text), "little")
    if n >= ORDER:
        raise ValueError("a scalar must be reduced modulo the group order")
    return n


def random_scalar() -> int:
    """A uniformly random non-zero scalar from the operating system's generator."""
    return 1 + secrets.randbelow(ORDER - 1)


def hash_to_scalar(domain: str, statement: object) -> int:
    """The Fiat–Shamir challenge: SHA-512 of the canonical JSON (RFC 8785) of {"domain": …, "statement": …},
    read as a little-endian integer and reduced modulo ℓ. Every proof names its own domain, so that a hash made for
    one kind of proof is never a valid challenge of another."""
    digest = hashlib.sha512(canonical_json({"domain": domain, "statement": statement})).digest()
    return int.from_bytes(digest, "little") % ORDER
