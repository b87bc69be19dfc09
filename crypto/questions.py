"""One question of an encrypted ballot: a ciphertext per option, each proved to hold 0 or 1, and one proof that the
marks obey the question's rule (issue 17 item 1).

A question is its options and a rule Σ coefficientᵢ·markᵢ ∈ {lowest, …, limit}:

- a **motion**: options yes, no, abstain, invalid, every coefficient 1, from 0 to 1: at most one of them, and none is
  a blank ballot (blank needs no ciphertext of its own: every ballot's weights are public, so the blank total is
  the ballots' total less the other four);
- an **election part**: one option per candidate with coefficient 1, then "blank" and "invalid" each with
  coefficient ``seats``, from 1 to ``seats``: one to ``seats`` candidates, or blank alone, or invalid alone (a
  blank or invalid part marks no candidate, and a part is never both). Blank needs a ciphertext here: the
  candidates' totals do not say how many ballots marked none.

The context of every proof is the caller's (meeting, roll root, ballot) with the question and the option added, so a
proof is bound to its place and cannot be moved to another ballot, question or option.

Pure: no configuration, no database.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crypto import group, proofs
from crypto.elgamal import Ciphertext, encrypt

__all__ = ["EncryptedQuestion", "Question", "encrypt_question", "verify_question"]

MARK = (0, 1)
#: a motion's options with a ciphertext (blank is what they leave)
MOTION_OPTIONS = ("yes", "no", "abstain", "invalid")


@dataclass(frozen=True)
class Question:
    """Its id (the matter's, or the matter and part), its options, their coefficients in the rule, and the range
    the weighted sum of the marks must fall in."""

    id: str
    options: tuple[str, ...]
    coefficients: tuple[int, ...]
    lowest: int
    limit: int

    @classmethod
    def motion(cls, question_id: str) -> Question:
        return cls(question_id, MOTION_OPTIONS, (1, 1, 1, 1), 0, 1)

    @classmethod
    def election(cls, question_id: str, candidates: Sequence[str], seats: int) -> Question:
        options = (*candidates, "blank", "invalid")
        return cls(question_id, options, (*([1] * len(candidates)), seats, seats), 1, seats)

    @property
    def sums(self) -> tuple[int, ...]:
        """The values the weighted sum may take."""
        return tuple(range(self.lowest, self.limit + 1))

    def allowed(self, marks: Sequence[int]) -> bool:
        """Whether plain marks obey the rule (each 0 or 1, the weighted sum within the range)."""
        weighted = sum(c * m for c, m in zip(self.coefficients, marks, strict=True))
        return all(mark in MARK for mark in marks) and weighted in self.sums


@dataclass(frozen=True)
class EncryptedQuestion:
    """The ciphertexts of a question's options, a proof per option that it holds 0 or 1, and the rule's proof.

    Published as one string (`encoded`): the standard base64 (RFC 4648 §4, padded) of the bytes α₁ β₁ … αₙ βₙ,
    then for each option its proof c₀ z₀ c₁ z₁, then the rule's proof c z per value of the sum, every element and
    scalar in its 32-byte encoding (crypto.group). A question of n options whose sum has k values is exactly
    (2n + 4n + 2k)·32 bytes. Packed so, a ballot of 59 options is some 17 KB of text, not the 37 KB of hex lists.
    """

    ciphertexts: tuple[Ciphertext, ...]
    option_proofs: tuple[proofs.Proof, ...]
    rule_proof: proofs.Proof

    def encoded(self) -> str:
        parts = [element for ciphertext in self.ciphertexts for element in (ciphertext.alpha, ciphertext.beta)]
        scalars = [text for proof in (*self.option_proofs, self.rule_proof) for pair in proof for text in pair]
        return base64.b64encode(b"".join(parts) + b"".join(bytes.fromhex(text) for text in scalars)).decode("ascii")

    @classmethod
    def decode(cls, value: object, question: Question) -> EncryptedQuestion:
        """From its published string; ValueError unless it is the one base64 spelling of exactly the bytes
        ``question`` needs, its elements are in the group and its scalars reduced."""
        if not isinstance(value, str):
            raise ValueError(f"question {question.id}: an encrypted question is a base64 string")
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise ValueError(f"question {question.id}: not base64 ({error})") from error
        n, k = len(question.options), len(question.sums)
        if len(raw) != (6 * n + 2 * k) * 32 or base64.b64encode(raw).decode("ascii") != value:
            raise ValueError(f"question {question.id}: not the encoding of {n} options and {k} sums")
        words = [raw[i : i + 32] for i in range(0, len(raw), 32)]
        elements = [group.decode_element(word.hex()) for word in words[: 2 * n]]
        for word in words[2 * n :]:
            group.decode_scalar(word.hex())  # refuses a scalar that is not reduced
        pairs = [[words[i].hex(), words[i + 1].hex()] for i in range(2 * n, len(words), 2)]
        ciphertexts = tuple(Ciphertext(elements[i], elements[i + 1]) for i in range(0, 2 * n, 2))
        option_proofs = tuple([pairs[2 * i], pairs[2 * i + 1]] for i in range(n))
        return cls(ciphertexts, option_proofs, pairs[2 * n :])


def _option_context(context: Mapping[str, Any], question: Question, option: str) -> dict[str, Any]:
    return {**context, "question": question.id, "option": option}


def _rule_context(context: Mapping[str, Any], question: Question) -> dict[str, Any]:
    return {**context, "question": question.id, "rule": [list(question.coefficients), question.lowest, question.limit]}


def _weighted(question: Question, ciphertexts: Sequence[Ciphertext]) -> Ciphertext:
    result = ciphertexts[0].times(question.coefficients[0])
    for coefficient, ciphertext in zip(question.coefficients[1:], ciphertexts[1:], strict=True):
        result = result + ciphertext.times(coefficient)
    return result


def encrypt_question(
    public_key: bytes,
    question: Question,
    marks: Sequence[int],
    randomness: Sequence[int],
    context: Mapping[str, Any],
) -> EncryptedQuestion:
    """Encrypt the marks (one per option, with the given randomness: the owner may be shown it to check their
    ballot) and prove each is 0 or 1 and that together they obey the question's rule."""
    if not question.allowed(marks):
        raise ValueError(f"question {question.id}: the marks break its rule")
    ciphertexts = tuple(encrypt(public_key, m, r) for m, r in zip(marks, randomness, strict=True))
    option_proofs = tuple(
        proofs.prove_one_of(public_key, ciphertext, m, r, MARK, _option_context(context, question, option))
        for ciphertext, m, r, option in zip(ciphertexts, marks, randomness, question.options, strict=True)
    )
    weighted_r = sum(c * r for c, r in zip(question.coefficients, randomness, strict=True)) % group.ORDER
    weighted_m = sum(c * m for c, m in zip(question.coefficients, marks, strict=True))
    rule_proof = proofs.prove_one_of(
        public_key,
        _weighted(question, ciphertexts),
        weighted_m,
        weighted_r,
        question.sums,
        _rule_context(context, question),
    )
    return EncryptedQuestion(ciphertexts, option_proofs, rule_proof)


def verify_question(
    public_key: bytes, question: Question, encrypted: EncryptedQuestion, context: Mapping[str, Any]
) -> bool:
    """Every option's proof and the rule's proof (ProofError if one cannot be read)."""
    for ciphertext, proof, option in zip(encrypted.ciphertexts, encrypted.option_proofs, question.options, strict=True):
        if not proofs.verify_one_of(public_key, ciphertext, MARK, proof, _option_context(context, question, option)):
            return False
    return proofs.verify_one_of(
        public_key,
        _weighted(question, encrypted.ciphertexts),
        question.sums,
        encrypted.rule_proof,
        _rule_context(context, question),
    )
