"""An encrypted question (crypto.questions; issue 17 item 1): honest ballots verify and tally to their plain marks;
a mark of 2, two answers to a motion, more candidates than seats, or an invalid part that also marks a candidate
cannot be proved; and no proof moves to another ballot, question or option."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import group, proofs
from crypto.elgamal import Ciphertext, combined, decrypt_with, discrete_log, encrypt
from crypto.questions import EncryptedQuestion, Question, encrypt_question, verify_question

CONTEXT = {"meeting": 3, "roll_root": "12" * 32, "ballot": "34" * 32}
SLOW = settings(max_examples=10, deadline=None)
MOTION = Question.motion("m1")
ELECTION = Question.election("m2", ("c1", "c2", "c3", "c4"), 2)


def keys() -> tuple[int, bytes]:
    secret = group.random_scalar()
    return secret, group.base_mul(secret)


def randomness(n: int) -> list[int]:
    return [group.random_scalar() for _ in range(n)]


def motion_marks(answer: str | None) -> list[int]:
    return [1 if option == answer else 0 for option in MOTION.options]


@SLOW
@given(st.sampled_from(["yes", "no", "abstain", "invalid", None]))
def test_every_motion_answer_verifies(answer: str | None) -> None:
    _secret, key = keys()
    encrypted = encrypt_question(key, MOTION, motion_marks(answer), randomness(4), CONTEXT)
    assert verify_question(key, MOTION, encrypted, CONTEXT)
    assert EncryptedQuestion.decode(encrypted.encoded(), MOTION) == encrypted


@SLOW
@given(st.lists(st.integers(0, 1), min_size=4, max_size=4).filter(lambda marks: sum(marks) <= 2), st.booleans())
def test_an_election_part_verifies_up_to_its_seats_or_invalid(marks: list[int], invalid: bool) -> None:
    _secret, key = keys()
    full = [0, 0, 0, 0, 0, 1] if invalid else [*marks, 0 if any(marks) else 1, 0]
    encrypted = encrypt_question(key, ELECTION, full, randomness(6), CONTEXT)
    assert verify_question(key, ELECTION, encrypted, CONTEXT)


@pytest.mark.parametrize(
    ("question", "marks"),
    [
        (MOTION, [1, 1, 0, 0]),  # yes and no
        (MOTION, [2, 0, 0, 0]),  # a 2
        (ELECTION, [1, 1, 1, 0, 0, 0]),  # three candidates for two seats
        (ELECTION, [1, 0, 0, 0, 0, 1]),  # invalid, and a candidate marked
        (ELECTION, [0, 1, 0, 0, 1, 0]),  # blank, and a candidate marked
        (ELECTION, [0, 0, 0, 0, 1, 1]),  # blank and invalid
        (ELECTION, [0, 0, 0, 0, 0, 0]),  # nothing at all: a blank part says so
    ],
)
def test_marks_that_break_the_rule_cannot_be_encrypted(question: Question, marks: list[int]) -> None:
    _secret, key = keys()
    with pytest.raises(ValueError, match="break its rule"):
        encrypt_question(key, question, marks, randomness(len(marks)), CONTEXT)


def test_a_forged_over_vote_is_caught_by_its_rule_proof() -> None:
    """A cheat encrypts three candidates for two seats, proves each mark (true: each is 0 or 1) and borrows the rule
    proof of an honest ballot: the rule proof fails."""
    _secret, key = keys()
    honest = encrypt_question(key, ELECTION, [1, 1, 0, 0, 0, 0], randomness(6), CONTEXT)
    r = randomness(6)
    cheat_marks = [1, 1, 1, 0, 0, 0]
    cheat = tuple(encrypt(key, m, x) for m, x in zip(cheat_marks, r, strict=True))
    option_proofs = tuple(
        proofs.prove_one_of(key, c, m, x, (0, 1), {**CONTEXT, "question": "m2", "option": option})
        for c, m, x, option in zip(cheat, cheat_marks, r, ELECTION.options, strict=True)
    )
    forged = EncryptedQuestion(cheat, option_proofs, honest.rule_proof)
    assert not verify_question(key, ELECTION, forged, CONTEXT)


def test_a_proof_does_not_move_to_another_ballot_or_option() -> None:
    _secret, key = keys()
    encrypted = encrypt_question(key, MOTION, motion_marks("yes"), randomness(4), CONTEXT)
    assert not verify_question(key, MOTION, encrypted, {**CONTEXT, "ballot": "56" * 32})
    swapped = EncryptedQuestion(
        encrypted.ciphertexts,
        (encrypted.option_proofs[1], encrypted.option_proofs[0], *encrypted.option_proofs[2:]),
        encrypted.rule_proof,
    )
    assert not verify_question(key, MOTION, swapped, CONTEXT)
    moved = EncryptedQuestion(
        (encrypted.ciphertexts[1], encrypted.ciphertexts[0], *encrypted.ciphertexts[2:]),
        encrypted.option_proofs,
        encrypted.rule_proof,
    )
    assert not verify_question(key, MOTION, moved, CONTEXT)


@SLOW
@given(st.lists(st.sampled_from(["yes", "no", "abstain", "invalid", None]), min_size=1, max_size=8))
def test_the_encrypted_tally_of_a_motion_is_the_plain_count(answers: list[str | None]) -> None:
    secret, key = keys()
    ballots = [encrypt_question(key, MOTION, motion_marks(a), randomness(4), CONTEXT) for a in answers]
    for index, option in enumerate(MOTION.options):
        total: Ciphertext = combined(ballot.ciphertexts[index] for ballot in ballots)
        share = group.mul(secret, total.alpha)
        assert discrete_log(decrypt_with(total, [share]), len(answers)) == answers.count(option)


def test_an_encrypted_question_is_read_only_from_its_exact_encoding() -> None:
    _secret, key = keys()
    encrypted = encrypt_question(key, MOTION, motion_marks("no"), randomness(4), CONTEXT)
    text = encrypted.encoded()
    assert len(text) == 4 * (((6 * 4 + 2 * 2) * 32 + 2) // 3)  # (2n + 4n + 2k)·32 bytes, base64
    assert EncryptedQuestion.decode(text, MOTION) == encrypted
    raw = bytearray(base64.b64decode(text))
    for bad in (
        text[:-4],  # too short
        text + "AAAA",  # too long
        text.rstrip("="),  # unpadded
        base64.b64encode(bytes(raw[:-32]) + group.ORDER.to_bytes(32, "little")).decode(),  # a scalar not reduced
        base64.b64encode(bytes(32) + bytes(raw[32:])).decode(),  # an element of order 4
        ["not", "a", "string"],
    ):
        with pytest.raises(ValueError, match=r"question m1|scalar|element"):
            EncryptedQuestion.decode(bad, MOTION)
