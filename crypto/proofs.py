"""Non-interactive zero-knowledge proofs for exponential ElGamal (`crypto.elgamal`), made non-interactive by the
Fiat–Shamir transform with domain separation (`crypto.group.hash_to_scalar`).

- **Chaum–Pedersen** (Crypto '92): log_B(X) = log_A(D) — a trustee's decryption share D = x·α is made with the
  secret x of its public key X = x·B (`prove_share`, `verify_share`); with A = B alone it is Schnorr's proof that
  the trustee knows its key (`prove_key`, `verify_key`).
- **Disjunctive Chaum–Pedersen** (Cramer, Damgård, Schoenmakers, Crypto '94; the "0/1" and "range" proofs of Helios
  and Belenios): a ciphertext (α, β) encrypts one of the listed values m₁ … m_k, without saying which
  (`prove_one_of`, `verify_one_of`). For each value j the prover shows (α, β − mⱼ·B) = (r·B, r·H) for the true one
  and simulates the others; the challenges cᵢ must add up to the hash.

Every proof is written as a list of [c, z] scalars in hex (one pair for a Chaum–Pedersen proof, one per value for a
disjunctive one); the commitments are recomputed by the verifier (t₁ = z·B − c·X, t₂ = z·A − c·D), so they are not
published. The hash input is {"domain", "statement"} in canonical JSON, where the statement names the context given
by the caller (the meeting, the roll root, the ballot and the item: docs/result-package.md), the public key, the
ciphertext or share, and the commitments, all in hex, in a fixed order.

Pure: no configuration, no database. The randomness comes from `crypto.group.random_scalar` unless given (tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crypto import group
from crypto.elgamal import Ciphertext

__all__ = [
    "ProofError",
    "prove_key",
    "prove_one_of",
    "prove_share",
    "verify_key",
    "verify_one_of",
    "verify_share",
]

ONE_OF = "gongjue.proof.one-of/1"
SHARE = "gongjue.proof.decryption-share/1"
KEY = "gongjue.proof.trustee-key/1"

Proof = list[list[str]]


class ProofError(ValueError):
    """A proof that cannot be read (wrong shape, not a scalar)."""


def _pairs(proof: object, count: int) -> list[tuple[int, int]]:
    if not isinstance(proof, list) or len(proof) != count:
        raise ProofError(f"the proof must be a list of {count} [c, z] pairs")
    pairs = []
    for pair in proof:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ProofError("each part of a proof is a pair [c, z]")
        try:
            pairs.append((group.decode_scalar(pair[0]), group.decode_scalar(pair[1])))
        except ValueError as error:
            raise ProofError(str(error)) from error
    return pairs


def _encoded(c: int, z: int) -> list[str]:
    return [group.encode_scalar(c), group.encode_scalar(z)]


# --- Chaum–Pedersen: log_B(X) = log_A(D) ------------------------------------------------------------------------


def _dleq_challenge(domain: str, context: Mapping[str, Any], parts: Sequence[bytes]) -> int:
    return group.hash_to_scalar(domain, {"context": dict(context), "elements": [part.hex() for part in parts]})


def _prove_dleq(domain: str, secret: int, a: bytes, context: Mapping[str, Any], nonce: int | None) -> Proof:
    x_public, d = group.base_mul(secret), group.mul(secret, a)
    w = nonce if nonce is not None else group.random_scalar()
    t1, t2 = group.base_mul(w), group.mul(w, a)
    c = _dleq_challenge(domain, context, (x_public, a, d, t1, t2))
    return [_encoded(c, (w + c * secret) % group.ORDER)]


def _verify_dleq(domain: str, x_public: bytes, a: bytes, d: bytes, proof: object, context: Mapping[str, Any]) -> bool:
    [(c, z)] = _pairs(proof, 1)
    t1 = group.sub(group.base_mul(z), group.mul(c, x_public))
    t2 = group.sub(group.mul(z, a), group.mul(c, d))
    return c == _dleq_challenge(domain, context, (x_public, a, d, t1, t2))


def prove_share(secret: int, alpha: bytes, context: Mapping[str, Any], nonce: int | None = None) -> tuple[bytes, Proof]:
    """A trustee's decryption share D = x·α of a ciphertext's α, and the proof that it used its key's x."""
    return group.mul(secret, alpha), _prove_dleq(SHARE, secret, alpha, context, nonce)


def verify_share(public: bytes, alpha: bytes, share: bytes, proof: object, context: Mapping[str, Any]) -> bool:
    return _verify_dleq(SHARE, public, alpha, share, proof, context)


def prove_key(secret: int, context: Mapping[str, Any], nonce: int | None = None) -> Proof:
    """That the trustee knows the secret of its public key X = x·B (Schnorr, as a Chaum–Pedersen proof with A = B)."""
    return _prove_dleq(KEY, secret, group.BASE, context, nonce)


def verify_key(public: bytes, proof: object, context: Mapping[str, Any]) -> bool:
    return _verify_dleq(KEY, public, group.BASE, public, proof, context)


# --- disjunctive Chaum–Pedersen: (α, β) encrypts one of m₁ … m_k ------------------------------------------------


def _one_of_challenge(
    public_key: bytes, ciphertext: Ciphertext, values: Sequence[int], commitments: Sequence[bytes], context: Any
) -> int:
    statement = {
        "context": dict(context),
        "public_key": public_key.hex(),
        "ciphertext": ciphertext.encoded(),
        "values": list(values),
        "commitments": [commitment.hex() for commitment in commitments],
    }
    return group.hash_to_scalar(ONE_OF, statement)


def _commitments(public_key: bytes, ciphertext: Ciphertext, value: int, c: int, z: int) -> tuple[bytes, bytes]:
    """The commitments a branch with challenge c and response z implies: z·B − c·α and z·H − c·(β − m·B)."""
    shifted = group.sub(ciphertext.beta, group.base_mul(value))
    return (
        group.sub(group.base_mul(z), group.mul(c, ciphertext.alpha)),
        group.sub(group.mul(z, public_key), group.mul(c, shifted)),
    )


def prove_one_of(
    public_key: bytes,
    ciphertext: Ciphertext,
    message: int,
    randomness: int,
    values: Sequence[int],
    context: Mapping[str, Any],
) -> Proof:
    """That ``ciphertext`` = encrypt(public_key, message, randomness) holds one of ``values`` (message among them)."""
    if message not in values:
        raise ValueError("the message is not one of the values: no proof can be made")
    real = values.index(message)
    w = group.random_scalar()
    branches: list[tuple[int, int] | None] = []
    commitments: list[bytes] = []
    for index, value in enumerate(values):
        if index == real:
            branches.append(None)
            commitments += [group.base_mul(w), group.mul(w, public_key)]
            continue
        c, z = group.random_scalar(), group.random_scalar()
        branches.append((c, z))
        commitments += _commitments(public_key, ciphertext, value, c, z)
    challenge = _one_of_challenge(public_key, ciphertext, values, commitments, context)
    c_real = (challenge - sum(branch[0] for branch in branches if branch is not None)) % group.ORDER
    z_real = (w + c_real * randomness) % group.ORDER
    return [_encoded(*(branch if branch is not None else (c_real, z_real))) for branch in branches]


def verify_one_of(
    public_key: bytes, ciphertext: Ciphertext, values: Sequence[int], proof: object, context: Mapping[str, Any]
) -> bool:
    """Whether ``proof`` shows that ``ciphertext`` holds one of ``values``; ProofError if it cannot be read."""
    pairs = _pairs(proof, len(values))
    commitments: list[bytes] = []
    for value, (c, z) in zip(values, pairs, strict=True):
        commitments += _commitments(public_key, ciphertext, value, c, z)
    challenge = _one_of_challenge(public_key, ciphertext, values, commitments, context)
    return sum(c for c, _z in pairs) % group.ORDER == challenge
