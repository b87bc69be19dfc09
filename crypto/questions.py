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
    ciphertexts: tuple[Ciphertext, ...]
    option_proofs: tuple[proofs.Proof, ...]
    rule_proof: proofs.Proof

    def encoded(self) -> dict[str, Any]:
        return {
            "ciphertexts": [ciphertext.encoded() for ciphertext in self.ciphertexts],
            "option_proofs": list(self.option_proofs),
            "rule_proof": self.rule_proof,
        }

    @classmethod
    def decode(cls, value: Mapping[str, Any], question: Question) -> EncryptedQuestion:
        """From its JSON form; ValueError if it is not shaped for ``question``."""
        ciphertexts = tuple(Ciphertext.decode(item) for item in value["ciphertexts"])
        option_proofs = tuple(value["option_proofs"])
        if len(ciphertexts) != len(question.options) or len(option_proofs) != len(question.options):
            raise ValueError(f"question {question.id}: one ciphertext and one proof per option")
        return cls(ciphertexts, option_proofs, value["rule_proof"])


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
