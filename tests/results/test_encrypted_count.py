"""The encrypted count (app.results.encrypted; issue 17 items 1 and 2): the decrypted totals of a
`gongjue.result-package/2` decide exactly as counting the plaintext ballots does, and the package publishes no
choice in the clear."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.results import encrypted
from app.results.encrypted import PlainBallot
from app.rules.model import Settings
from crypto import group
from tests.results.builders import COMMUNITY, LABELS, MATTERS, MEETING, make_ballots, make_body, make_voters

SEED = b"the meeting's secret seed, 32 b"


def trustee_secrets() -> dict[str, int]:
    return {role: group.random_scalar() for role in encrypted.TRUSTEE_ROLES}


def encrypted_body(voters: list[tuple[str, int]], plain: list[Any], rules: Settings | None = None) -> dict[str, Any]:
    return encrypted.build_body(
        community=COMMUNITY,
        meeting=MEETING,
        settings=rules or Settings(),
        matters=list(MATTERS),
        labels=LABELS,
        voters=voters,
        ballots=[PlainBallot(b.receipt, b.voter, b.channel, b.cast_at[:10], b.choices) for b in plain],
        secrets=trustee_secrets(),
        seed=SEED,
    )


@pytest.fixture(scope="module")
def case() -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    voters = make_voters(36)
    plain = make_ballots(voters)
    return make_body(voters, plain), encrypted_body(voters, plain), plain


def test_the_decrypted_totals_decide_as_the_plaintext_count(case: tuple[dict[str, Any], dict[str, Any], list[Any]]):
    clear, secret, _plain = case
    assert secret["format"] == "gongjue.result-package/2"
    assert secret["tally"] == clear["tally"]


def test_no_choice_is_published_in_the_clear(case: tuple[dict[str, Any], dict[str, Any], list[Any]]) -> None:
    _clear, secret, plain = case
    for entry in secret["ledger"]["ballots"]:
        assert set(entry) == {"receipt", "voter", "channel", "cast_at", "questions"}
    text = json.dumps(secret["ledger"], ensure_ascii=False)
    assert '"yes"' not in text
    assert '"choices"' not in text
    assert {b.receipt for b in plain} == {entry["receipt"] for entry in secret["ledger"]["ballots"]}


def test_every_published_ballot_proves_its_marks(case: tuple[dict[str, Any], dict[str, Any], list[Any]]) -> None:
    _clear, secret, _plain = case
    questions = encrypted.questions_of(list(MATTERS))
    key = bytes.fromhex(secret["election_key"]["public_key"])
    root = secret["roll"]["root"]
    entries = secret["ledger"]["ballots"]
    assert all(encrypted.ballot_valid(entry, questions, key, MEETING["id"], root) for entry in entries)
    moved = {**entries[0], "receipt": entries[1]["receipt"]}  # a ballot's proofs under another receipt
    assert not encrypted.ballot_valid(moved, questions, key, MEETING["id"], root)


def test_the_owner_can_check_their_ballot_with_its_randomness(
    case: tuple[dict[str, Any], dict[str, Any], list[Any]],
) -> None:
    """Shown the randomness of their ballot (derived from the meeting's seed), an owner re-encrypts their choices
    and finds the published ciphertexts; another choice gives other ciphertexts."""
    _clear, secret, plain = case
    ballot = plain[0]
    key = bytes.fromhex(secret["election_key"]["public_key"])
    [entry] = [e for e in secret["ledger"]["ballots"] if e["receipt"] == ballot.receipt]
    from crypto.elgamal import encrypt

    for matter, question in zip(MATTERS, encrypted.questions_of(list(MATTERS)), strict=True):
        marks = encrypted.marks_of(matter, question, ballot.choices.get(matter.matter_id))
        published = entry["questions"][question.id]["ciphertexts"]
        for option, mark, ciphertext in zip(question.options, marks, published, strict=True):
            r = encrypted.randomness(SEED, ballot.receipt, question.id, option)
            assert encrypt(key, mark, r).encoded() == ciphertext
            assert encrypt(key, 1 - mark, r).encoded() != ciphertext


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 10_000), st.booleans())
def test_random_communities_count_the_same_encrypted(seed: int, blank_takes_part: bool) -> None:
    voters = make_voters(12, seed)
    plain = make_ballots(voters, seed + 1)
    rules = Settings(blank_and_invalid_take_part=blank_takes_part)
    assert encrypted_body(voters, plain, rules)["tally"] == make_body(voters, plain, rules)["tally"]
