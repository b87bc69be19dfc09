"""The encrypted count (app.results.encrypted; issue 17 items 1 and 2): the decrypted totals of a
`gongjue.result-package/2` decide exactly as counting the plaintext ballots does, and the package publishes no
choice in the clear."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.results import encrypted
from app.results.encrypted import PlainBallot
from app.results.verify import verify_package
from app.rules.model import Settings
from crypto import group
from crypto.questions import EncryptedQuestion
from tests.results.builders import (
    COMMUNITY,
    LABELS,
    MATTERS,
    MEETING,
    make_ballots,
    make_body,
    make_voters,
    sign_counted,
)

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
        published = EncryptedQuestion.decode(entry["questions"][question.id], question).ciphertexts
        for option, mark, ciphertext in zip(question.options, marks, published, strict=True):
            r = encrypted.randomness(SEED, ballot.receipt, question.id, option)
            assert encrypt(key, mark, r) == ciphertext
            assert encrypt(key, 1 - mark, r) != ciphertext


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 10_000), st.booleans())
def test_random_communities_count_the_same_encrypted(seed: int, blank_takes_part: bool) -> None:
    voters = make_voters(12, seed)
    plain = make_ballots(voters, seed + 1)
    rules = Settings(blank_and_invalid_take_part=blank_takes_part)
    assert encrypted_body(voters, plain, rules)["tally"] == make_body(voters, plain, rules)["tally"]


# --- verifying a /2 package (issue 17 item 5) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed(case: tuple[dict[str, Any], dict[str, Any], list[Any]]) -> dict[str, Any]:
    return sign_counted(copy.deepcopy(case[1]))


def test_a_sound_encrypted_package_passes_every_check(signed: dict[str, Any]) -> None:
    checks = verify_package(signed)
    assert [c for c in checks if not c.ok] == []
    names = {c.name for c in checks}
    assert {"election key", "questions", "ballot proofs", "encrypted totals", "decryptions", "tally"} <= names


def _flip(hex_text: str) -> str:
    """The same hex with its first character changed."""
    return ("1" if hex_text[0] != "1" else "2") + hex_text[1:]


QUESTIONS = {q.id: q for q in encrypted.questions_of(list(MATTERS))}


def _question(package: dict[str, Any], index: int, question: str) -> EncryptedQuestion:
    return EncryptedQuestion.decode(package["ledger"]["ballots"][index]["questions"][question], QUESTIONS[question])


def _replace(package: dict[str, Any], index: int, question: str, changed: EncryptedQuestion) -> None:
    package["ledger"]["ballots"][index]["questions"][question] = changed.encoded()


def _other_ciphertext(p: dict[str, Any]) -> None:
    mine, other = _question(p, 0, "m1"), _question(p, 1, "m1")
    _replace(p, 0, "m1", dataclasses.replace(mine, ciphertexts=(other.ciphertexts[0], *mine.ciphertexts[1:])))


def _other_option_proof(p: dict[str, Any]) -> None:
    mine, other = _question(p, 0, "m2"), _question(p, 1, "m2")
    _replace(
        p,
        0,
        "m2",
        dataclasses.replace(
            mine, option_proofs=(mine.option_proofs[0], other.option_proofs[1], *mine.option_proofs[2:])
        ),
    )


def _other_rule_proof(p: dict[str, Any]) -> None:
    mine, other = _question(p, 2, "committee"), _question(p, 3, "committee")
    _replace(p, 2, "committee", dataclasses.replace(mine, rule_proof=other.rule_proof))


def _flipped_character(p: dict[str, Any]) -> None:
    text = p["ledger"]["ballots"][4]["questions"]["m4"]
    p["ledger"]["ballots"][4]["questions"]["m4"] = text[:100] + ("A" if text[100] != "A" else "B") + text[101:]


MUTATIONS = {
    "a ballot's ciphertext": _other_ciphertext,
    "a mark's proof": _other_option_proof,
    "a rule proof": _other_rule_proof,
    "a character of a ballot": _flipped_character,
    "a voter's area": lambda p: p["roll"]["voters"][3].__setitem__("area", "999.99"),
    "a total": lambda p: p["encrypted_tally"]["m1"]["yes"]["heads"].__setitem__(
        "total", p["encrypted_tally"]["m1"]["yes"]["heads"]["total"] + 1
    ),
    "a share": lambda p: p["encrypted_tally"]["m3"]["no"]["area"]["shares"][0].__setitem__(
        "share", p["encrypted_tally"]["m3"]["yes"]["area"]["shares"][0]["share"]
    ),
    "an encrypted total": lambda p: p["encrypted_tally"]["committee"]["c1"]["area"].__setitem__(
        "ciphertext", p["encrypted_tally"]["committee"]["c2"]["area"]["ciphertext"]
    ),
    "a trustee's key": lambda p: p["election_key"]["trustees"][1].__setitem__(
        "public_key", p["election_key"]["trustees"][0]["public_key"]
    ),
    "the tally": lambda p: p["tally"]["participation"].__setitem__("heads", 1),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_change_fails_verification(signed: dict[str, Any], name: str) -> None:
    """Beyond the signatures (which fail for any change of the body), the check that owns the field fails too:
    verification does not lean on the signatures alone."""
    package = copy.deepcopy(signed)
    MUTATIONS[name](package)
    failing = {c.name for c in verify_package(package) if not c.ok}
    assert (
        failing
        - {"signature platform", "signature convener", "signatures present"}
        - {c for c in failing if c.startswith("signature")}
    ), name


def test_a_ballot_that_encrypts_two_is_caught_by_its_proof(signed: dict[str, Any]) -> None:
    """A forged ballot whose "yes" holds 2 (encrypted, with the proof of a real ballot) fails its proofs."""
    from crypto.elgamal import Ciphertext, encrypt

    package = copy.deepcopy(signed)
    key = bytes.fromhex(package["election_key"]["public_key"])
    forged: Ciphertext = encrypt(key, 2, group.random_scalar())
    mine = _question(package, 0, "m1")
    _replace(package, 0, "m1", dataclasses.replace(mine, ciphertexts=(forged, *mine.ciphertexts[1:])))
    assert "ballot proofs" in {c.name for c in verify_package(package) if not c.ok}


def test_gongjue_verify_checks_a_package_2_in_two_processes(signed: dict[str, Any], tmp_path: Any) -> None:
    from click.testing import CliRunner

    from app.results.cli import verify_command

    path = tmp_path / "package.json"
    path.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
    outcome = CliRunner().invoke(verify_command, [str(path), "--jobs", "2"])
    assert outcome.exit_code == 0, outcome.output
    assert "每张加密选票的零知识证明" in outcome.output
    changed = copy.deepcopy(signed)
    MUTATIONS["a rule proof"](changed)
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    outcome = CliRunner().invoke(verify_command, [str(path), "--jobs", "2"])
    assert outcome.exit_code == 1
    assert "✗ 每张加密选票的零知识证明" in outcome.output


def test_an_old_plaintext_package_is_read_only_when_asked() -> None:
    """`verify_package(old_format=False)`, for when the count publishes /2: a /1 package publishes every ballot's
    choices in the clear, and is refused with the reason unless asked to read an old one."""
    from tests.results.builders import make_package

    [check] = verify_package(make_package(), old_format=False)
    assert (check.name, check.ok) == ("format", False)
    assert "--old-format" in check.detail
    assert all(c.ok for c in verify_package(make_package()))


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.case.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_documented_example_counts_the_same_encrypted(path: Path) -> None:
    """Issue 17, done when: the decrypted totals equal the plaintext recount of the same ballots for every example
    in docs/examples/ (the lots, if any, drawn from the same ledger root)."""
    from app.results.package import count, engine_roll, plain_answer
    from app.rules.case_format import read_case
    from app.rules.voters import build_voters

    case = read_case(json.loads(path.read_text(encoding="utf-8")))
    roll = build_voters(case.units, case.developer, case.settings)
    plain = [
        PlainBallot(f"{index:064x}", roll.voter_by_unit[b.unit_id], "phone", "2026-06-01", b.choices)
        for index, b in enumerate(case.ballots)
    ]
    body = encrypted.build_body(
        community=COMMUNITY,
        meeting=MEETING,
        settings=case.settings,
        matters=list(case.matters),
        labels={},
        voters=[(v.voter_id, v.area_centi) for v in roll.voters],
        ballots=plain,
        secrets=trustee_secrets(),
        seed=SEED,
    )
    clear = count(
        body["settings"],
        list(case.matters),
        engine_roll(body["roll"]["voters"]),
        [{"voter": b.voter, "choices": {k: plain_answer(v) for k, v in b.choices.items()}} for b in plain],
        body["ledger"]["root"],
    )
    assert body["tally"] == clear


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["yes", "no", "abstain", None]), st.sampled_from([8932, 8932, 12050, 1])), max_size=8
    )
)
def test_totals_grouped_by_area_are_the_weighted_sums_of_the_ballots(ballots: list[tuple[str | None, int]]) -> None:
    """`partial_totals` multiplies once per distinct area (Σₐ a·Σcᵢ); it equals Σ aᵢ·cᵢ ballot by ballot, and two
    chunks added are the totals of all their ballots."""
    from crypto.elgamal import weighted_sum
    from crypto.questions import Question, encrypt_question

    key = group.base_mul(group.random_scalar())
    question = Question.motion("m1")
    read = []
    for index, (answer, area) in enumerate(ballots):
        marks = [1 if option == answer else 0 for option in question.options]
        chance = [group.random_scalar() for _ in marks]
        read.append(([encrypt_question(key, question, marks, chance, {"ballot": index})], area))
    totals = encrypted.partial_totals(read, [question])
    half = len(read) // 2
    split = encrypted.added_totals(
        encrypted.partial_totals(read[:half], [question]), encrypted.partial_totals(read[half:], [question])
    )
    for index, option in enumerate(question.options):
        ciphertexts = [found[0].ciphertexts[index] for found, _area in read]
        expected_area = weighted_sum(ciphertexts, [area for _found, area in read])
        expected_heads = weighted_sum(ciphertexts, [1] * len(read))
        assert totals["m1"][option] == {"heads": expected_heads, "area": expected_area}
        assert split["m1"][option] == totals["m1"][option]
