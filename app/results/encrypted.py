"""The encrypted count of `gongjue.result-package/2` (issue 17; DOMAIN §9): each counted ballot is published as its
receipt, its voter's pseudonym and encrypted marks with their proofs; the totals of every option, by heads and by
area, are computed on the ciphertexts, decrypted by the trustees with proofs, and decided by the counting engine
(`app.rules.tally.tally_totals`). Nobody reading the package learns how a ballot voted, and anybody can recount.

Pure: plain data in, plain data out, no database and no configuration, so that `gongjue verify` recomputes every
check with exactly this code. The group, the encodings, the proofs and the hash inputs are `crypto.group`,
`crypto.elgamal`, `crypto.proofs` and `crypto.questions`; docs/result-package.md describes them for an independent
verifier.

- **Questions.** A motion is one question (options yes, no, abstain, invalid; blank is what they leave); an election
  matter (or one part of separate lists) is one question (one option per candidate, blank, invalid).
- **Marks.** The engine's own classification decides what a choice means (`classify_motion_answer`,
  `classify_election_answer`): a paper ballot's invalid answer becomes the invalid mark, a list over the seats too.
- **Randomness.** Each ciphertext's randomness is derived from a secret seed, the receipt, the question and the
  option (`randomness`), so that the platform can show an owner, from their own link, the randomness of their
  ballot and they can check that its published ciphertexts hold exactly their choices. The seed reveals every
  ballot, as the named plaintext kept for disputes does: it never leaves the platform.
- **Context of every proof:** {"meeting", "roll_root", "ballot": the receipt} (plus the question and option, added
  by `crypto.questions`): a proof is bound to its meeting, its roll and its ballot.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.results.package import (
    engine_matters,
    engine_roll,
    matter_document,
    merkle_root,
    plain_answer,
    roll_entries,
    settings_document,
)
from app.rules.areas import parse_area
from app.rules.case_format import read_settings, result_document
from app.rules.elections import classify_election_answer
from app.rules.model import Election, Matter, Settings
from app.rules.motions import ANSWERS, Weight, classify_motion_answer
from app.rules.tally import MatterTotals, tally_totals
from app.rules.voters import VoterRoll
from crypto import group, proofs
from crypto.canonical import canonical_json
from crypto.elgamal import Ciphertext, DiscreteLog, combined, decrypt_with, encrypt
from crypto.questions import EncryptedQuestion, Question, encrypt_question, verify_question

ENCRYPTED_FORMAT = "gongjue.result-package/2"
GROUP = "edwards25519-prime-order/1"
#: the trustees who share the election key: no one of them can decrypt alone
TRUSTEE_ROLES = ("platform", "township")
DIMENSIONS = ("heads", "area")

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]


def questions_of(matters: Sequence[Matter]) -> list[Question]:
    """One question per matter, in the matters' order."""
    return [
        Question.election(m.matter_id, m.candidates, max(1, m.marks))
        if isinstance(m, Election)
        else Question.motion(m.matter_id)
        for m in matters
    ]


def marks_of(matter: Matter, question: Question, answer: object) -> list[int]:
    """The 0/1 marks of one answer, one per option of the question, as the engine classifies the answer."""
    if isinstance(matter, Election):
        kind, names = classify_election_answer(answer, matter)
        chosen = set(names) if kind == "valid" else {kind}
    else:
        kind = classify_motion_answer(answer)
        chosen = set() if kind == "blank" else {kind}
    return [1 if option in chosen else 0 for option in question.options]


def ballot_context(meeting_id: int, roll_root: str, receipt: str) -> dict[str, Any]:
    return {"meeting": meeting_id, "roll_root": roll_root, "ballot": receipt}


def randomness(seed: bytes, receipt: str, question: str, option: str) -> int:
    """The randomness of one ciphertext: HMAC-SHA-512 under the meeting's secret seed of the canonical JSON
    [receipt, question, option], read little-endian, reduced modulo ℓ (never 0)."""
    digest = hmac.new(seed, canonical_json([receipt, question, option]), hashlib.sha512).digest()
    return int.from_bytes(digest, "little") % (group.ORDER - 1) + 1


# --- the trustees' key ---------------------------------------------------------------------------------------


def key_context(meeting_id: int, role: str) -> dict[str, Any]:
    return {"meeting": meeting_id, "trustee": role}


def trustee_entries(meeting_id: int, secrets: Mapping[str, int]) -> list[dict[str, Any]]:
    """Each trustee's public key with its proof of knowledge of the secret, in `TRUSTEE_ROLES` order."""
    return [
        {
            "role": role,
            "public_key": group.base_mul(secrets[role]).hex(),
            "proof": proofs.prove_key(secrets[role], key_context(meeting_id, role)),
        }
        for role in TRUSTEE_ROLES
    ]


def election_key(trustees: Sequence[Mapping[str, Any]]) -> bytes:
    """H = Σ Hᵢ."""
    return group.total(group.decode_element(str(trustee["public_key"])) for trustee in trustees)


# --- encrypting the ballots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlainBallot:
    """A counted ballot as the platform holds it (never published as such)."""

    receipt: str
    voter: str
    channel: str
    cast_at: str
    choices: Mapping[str, Any]


Totals = dict[str, dict[str, dict[str, Ciphertext]]]
"""For each question and option, the ciphertext of each dimension's total ("heads", "area")."""


def _encrypt_ballot(
    ballot: PlainBallot,
    matters: Sequence[Matter],
    questions: Sequence[Question],
    public_key: bytes,
    context: tuple[int, str, bytes],
) -> tuple[dict[str, Any], list[EncryptedQuestion]]:
    meeting_id, roll_root, seed = context
    proof_context = ballot_context(meeting_id, roll_root, ballot.receipt)
    made = []
    for matter, question in zip(matters, questions, strict=True):
        marks = marks_of(matter, question, plain_answer(ballot.choices.get(matter.matter_id)))
        chance = [randomness(seed, ballot.receipt, question.id, option) for option in question.options]
        made.append(encrypt_question(public_key, question, marks, chance, proof_context))
    entry = {
        "receipt": ballot.receipt,
        "voter": ballot.voter,
        "channel": ballot.channel,
        "cast_at": ballot.cast_at,
        "questions": {question.id: found.encoded() for question, found in zip(questions, made, strict=True)},
    }
    return entry, made


def encrypt_ballot(
    ballot: PlainBallot,
    matters: Sequence[Matter],
    public_key: bytes,
    meeting_id: int,
    roll_root: str,
    seed: bytes,
) -> dict[str, Any]:
    """The ledger entry of one ballot: receipt, voter, channel, day, and each question encrypted with its proofs."""
    return _encrypt_ballot(ballot, matters, questions_of(matters), public_key, (meeting_id, roll_root, seed))[0]


def partial_totals(ballots: Sequence[tuple[Sequence[EncryptedQuestion], int]], questions: Sequence[Question]) -> Totals:
    """The totals of some ballots (each: its questions' ciphertexts and its voter's area in 0.01 m²): for each
    option, the sum of the ciphertexts (heads) and of each ciphertext multiplied by its voter's area (area).

    The ballots are grouped by area first: Σ aᵢ·cᵢ = Σₐ a·(Σ_{aᵢ = a} cᵢ), one multiplication per distinct area
    (a community's flats share a few floor plans) rather than one per ballot."""
    by_area: dict[int, list[Sequence[EncryptedQuestion]]] = {}
    for read, area in ballots:
        by_area.setdefault(area, []).append(read)
    totals: Totals = {}
    for index, question in enumerate(questions):
        totals[question.id] = {}
        for option_index, option in enumerate(question.options):
            sums = {
                area: combined(read[index].ciphertexts[option_index] for read in same) for area, same in by_area.items()
            }
            totals[question.id][option] = {
                "heads": combined(sums.values()),
                "area": combined(total.times(area) for area, total in sums.items()),
            }
    return totals


def added_totals(first: Totals | None, second: Totals) -> Totals:
    """The totals of two sets of ballots together (``first`` None: none yet)."""
    if first is None:
        return second
    return {
        question: {
            option: {
                dimension: ciphertext + second[question][option][dimension] for dimension, ciphertext in dims.items()
            }
            for option, dims in options.items()
        }
        for question, options in first.items()
    }


def totals_document(totals: Totals) -> dict[str, Any]:
    return {
        question: {option: {d: c.encoded() for d, c in dims.items()} for option, dims in options.items()}
        for question, options in totals.items()
    }


def read_totals(document: Mapping[str, Any]) -> Totals:
    return {
        question: {option: {d: Ciphertext.decode(c) for d, c in dims.items()} for option, dims in options.items()}
        for question, options in document.items()
    }


#: what one job of `encrypt_chunk` takes: the ballots with their voters' areas, the matters, the election key and
#: (meeting id, roll root, seed)
EncryptJob = tuple[Sequence[tuple[PlainBallot, int]], Sequence[Matter], bytes, tuple[int, str, bytes]]


def encrypt_chunk(job: EncryptJob) -> tuple[list[dict[str, Any]], Totals]:
    """Encrypt some ballots: their ledger entries, and their totals (from the ciphertexts as made: nothing is
    decoded again). The unit of work of a process pool, and of a Celery task of the count."""
    ballots, matters, public_key, context = job
    questions = questions_of(matters)
    entries, read = [], []
    for ballot, area in ballots:
        entry, made = _encrypt_ballot(ballot, matters, questions, public_key, context)
        entries.append(entry)
        read.append((made, area))
    return entries, partial_totals(read, questions)


def chunks_of(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


#: ballots per unit of work: enough that a process's share of the totals is worth sending back, few enough that
#: both cores stay busy to the end and the progress bar moves
CHUNK = 50


def encrypt_ledger(
    ballots: Iterable[PlainBallot],
    matters: Sequence[Matter],
    public_key: bytes,
    areas: Mapping[str, int],
    context: tuple[int, str, bytes],
    mapper: Mapper = map,
) -> tuple[list[dict[str, Any]], Totals]:
    """Every ballot's entry, ordered by receipt, and the encrypted totals; ``mapper`` spreads the chunks (a process
    pool's `imap`)."""
    ordered = [(b, areas[b.voter]) for b in sorted(ballots, key=lambda b: b.receipt)]
    jobs = [(chunk, matters, public_key, context) for chunk in chunks_of(ordered, CHUNK)]
    ledger: list[dict[str, Any]] = []
    totals = partial_totals([], questions_of(matters))  # no ballot: every total is the encryption of 0, r = 0
    for entries, partial in mapper(encrypt_chunk, jobs):
        ledger += entries
        totals = added_totals(totals, partial)
    return ledger, totals


# --- decrypting the totals ------------------------------------------------------------------------------------


def share_context(meeting_id: int, roll_root: str, question: str, option: str, dimension: str) -> dict[str, Any]:
    return {"meeting": meeting_id, "roll_root": roll_root, "question": question, "option": option, "total": dimension}


def decrypt_totals(
    totals: Totals,
    secrets: Mapping[str, int],
    meeting_id: int,
    bounds: Mapping[str, int],
    roll_root: str,
) -> dict[str, Any]:
    """Each trustee's share of every total with its proof, and the totals found: the tally section of the package.
    ``bounds``: what a total cannot exceed, per dimension (the ballots' heads and their area)."""
    count = sum(len(options) for options in totals.values())
    finders = {dimension: DiscreteLog(bound, count) for dimension, bound in bounds.items()}
    section: dict[str, Any] = {}
    for question_id, options in totals.items():
        section[question_id] = {}
        for option, dimensions in options.items():
            section[question_id][option] = {}
            for dimension, ciphertext in dimensions.items():
                context = share_context(meeting_id, roll_root, question_id, option, dimension)
                made = [(role, *proofs.prove_share(secrets[role], ciphertext.alpha, context)) for role in TRUSTEE_ROLES]
                shares = [{"trustee": role, "share": share.hex(), "proof": proof} for role, share, proof in made]
                value = finders[dimension](decrypt_with(ciphertext, [share for _role, share, _proof in made]))
                section[question_id][option][dimension] = {
                    "ciphertext": ciphertext.encoded(),
                    "shares": shares,
                    "total": value,
                }
    return section


def matter_totals(
    matters: Sequence[Matter], decrypted: Mapping[str, Mapping[str, Mapping[str, Any]]], returned: Weight
) -> dict[str, MatterTotals]:
    """The engine's totals from the decrypted ones: a motion's blank, and an election's valid, are what the returned
    ballots leave (every ballot's weight is public)."""

    def weight(question: str, option: str) -> Weight:
        found = decrypted[question][option]
        return Weight(int(found["area"]["total"]), int(found["heads"]["total"]))

    def rest(*parts: Weight) -> Weight:
        return Weight(
            returned.area_centi - sum(p.area_centi for p in parts), returned.heads - sum(p.heads for p in parts)
        )

    totals: dict[str, MatterTotals] = {}
    for matter in matters:
        qid = matter.matter_id
        if isinstance(matter, Election):
            blank, invalid = weight(qid, "blank"), weight(qid, "invalid")
            counts = {"valid": rest(blank, invalid), "blank": blank, "invalid": invalid}
            totals[qid] = MatterTotals(counts, {c: weight(qid, c) for c in matter.candidates})
        else:
            known = {kind: weight(qid, kind) for kind in ("yes", "no", "abstain", "invalid")}
            blank = rest(*known.values())
            totals[qid] = MatterTotals({kind: known.get(kind, blank) for kind in ANSWERS})
    return totals


# --- checking a published ballot -------------------------------------------------------------------------------


def ballot_read(
    entry: Mapping[str, Any], questions: Sequence[Question], public_key: bytes, meeting_id: int, roll_root: str
) -> list[EncryptedQuestion] | None:
    """One ledger entry's questions, read, if every one is well formed and its proofs hold; None otherwise (never
    an exception)."""
    context = ballot_context(meeting_id, roll_root, str(entry.get("receipt")))
    published = entry.get("questions")
    if not isinstance(published, Mapping) or set(published) != {q.id for q in questions}:
        return None
    try:
        read = [EncryptedQuestion.decode(published[q.id], q) for q in questions]
        if all(verify_question(public_key, q, found, context) for q, found in zip(questions, read, strict=True)):
            return read
    except (ValueError, KeyError, TypeError):
        pass
    return None


def ballot_valid(
    entry: Mapping[str, Any], questions: Sequence[Question], public_key: bytes, meeting_id: int, roll_root: str
) -> bool:
    """Every question of one ledger entry is well formed and its proofs hold (False, never an exception)."""
    return ballot_read(entry, questions, public_key, meeting_id, roll_root) is not None


# --- the package body ------------------------------------------------------------------------------------------


def question_document(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "options": list(question.options),
        "coefficients": list(question.coefficients),
        "lowest": question.lowest,
        "limit": question.limit,
    }


def returned_weight(ledger: Sequence[Mapping[str, Any]], areas: Mapping[str, int]) -> Weight:
    return Weight(sum(areas[str(entry["voter"])] for entry in ledger), len(ledger))


def voter_areas(roll: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Each voter's area in 0.01 m², from the roll's entries."""
    return {str(entry["voter"]): parse_area(str(entry["area"])) for entry in roll}


def build_body(
    *,
    community: Mapping[str, Any],
    meeting: Mapping[str, Any],
    settings: Settings,
    matters: list[Matter],
    labels: Mapping[str, Any],
    voters: Iterable[tuple[str, int]],
    ballots: Iterable[PlainBallot],
    secrets: Mapping[str, int],
    seed: bytes,
    excluded: Sequence[Mapping[str, Any]] | None = None,
    mapper: Mapper = map,
) -> dict[str, Any]:
    """The body of a `gongjue.result-package/2` in one go (`finish_body` on `encrypt_ledger`): the roll, the
    trustees' key, the encrypted ledger, the encrypted totals with their decryptions, and the engine's result on the
    decrypted totals. The count in the worker makes the same body a chunk at a time (app.results.count_runs)."""
    roll = roll_entries(voters)
    public_key = group.total(group.base_mul(secrets[role]) for role in TRUSTEE_ROLES)
    context = (int(meeting["id"]), merkle_root(roll), seed)
    ledger, totals = encrypt_ledger(ballots, matters, public_key, voter_areas(roll), context, mapper)
    return finish_body(
        community=community,
        meeting=meeting,
        settings=settings,
        matters=matters,
        labels=labels,
        roll=roll,
        ledger=ledger,
        totals=totals,
        secrets=secrets,
        excluded=excluded,
    )


def finish_body(
    *,
    community: Mapping[str, Any],
    meeting: Mapping[str, Any],
    settings: Settings,
    matters: list[Matter],
    labels: Mapping[str, Any],
    roll: list[dict[str, Any]],
    ledger: list[dict[str, Any]],
    totals: Totals,
    secrets: Mapping[str, int],
    excluded: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The package body from the encrypted ledger (ordered by receipt) and its totals: the trustees decrypt the
    totals with their proofs, and the counting engine decides on what they find."""
    meeting_id = int(meeting["id"])
    roll_root = merkle_root(roll)
    trustees = trustee_entries(meeting_id, secrets)
    public_key = election_key(trustees)
    questions = questions_of(matters)
    returned = returned_weight(ledger, voter_areas(roll))
    decrypted = decrypt_totals(
        totals, secrets, meeting_id, {"heads": returned.heads, "area": returned.area_centi}, roll_root
    )
    ledger_root = merkle_root(ledger)
    settings_doc = settings_document(settings)
    return {
        "format": ENCRYPTED_FORMAT,
        "community": dict(community),
        "meeting": dict(meeting),
        "settings": settings_doc,
        "matters": [matter_document(matter) for matter in matters],
        "labels": dict(labels),
        "roll": {"root": roll_root, "voters": roll},
        "election_key": {"group": GROUP, "trustees": trustees, "public_key": public_key.hex()},
        "questions": [question_document(question) for question in questions],
        "ledger": {"root": ledger_root, "ballots": ledger},
        "excluded": list(excluded or []),
        "encrypted_tally": decrypted,
        "tally": count_totals(settings_doc, matters, engine_roll(roll), returned, decrypted, ledger_root),
    }


def count_totals(
    settings: Mapping[str, Any],
    matters: list[Matter],
    roll: VoterRoll,
    returned: Weight,
    decrypted: Mapping[str, Any],
    lots_seed: str,
) -> dict[str, Any]:
    """The engine's result on the decrypted totals, as the package carries it (`gongjue.tally-result/1` without
    `roll`): the same document a /1 package carries for the same ballots."""
    engine_settings = read_settings(dict(settings))
    totals = matter_totals(matters, decrypted, returned)
    document = result_document(tally_totals(roll, matters, returned, totals, engine_settings, lots_seed))
    document.pop("roll")
    return document


# --- the owner's own check -------------------------------------------------------------------------------------

MY_BALLOT_FORMAT = "gongjue.my-ballot/1"


def my_ballot(
    receipt: str, choices: Mapping[str, Any], matters: Sequence[Matter], seed: bytes, meeting_id: int
) -> dict[str, Any]:
    """What an owner downloads from their own link once the result is published: each option's mark and the
    randomness that encrypted it. With the package's election key they can encrypt their marks again and find
    the published ciphertexts (`my_ballot_matches`). It reveals the ballot to whoever holds it: the owner's alone."""
    questions = {}
    for matter, question in zip(matters, questions_of(matters), strict=True):
        marks = marks_of(matter, question, plain_answer(choices.get(matter.matter_id)))
        questions[question.id] = {
            option: {"mark": mark, "randomness": group.encode_scalar(randomness(seed, receipt, question.id, option))}
            for option, mark in zip(question.options, marks, strict=True)
        }
    return {"format": MY_BALLOT_FORMAT, "meeting": meeting_id, "receipt": receipt, "questions": questions}


def my_ballot_matches(document: Mapping[str, Any], mine: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether the package's ballot of ``mine``'s receipt holds exactly ``mine``'s marks (re-encrypted with its
    randomness under the package's election key), and if not, why."""
    if mine.get("format") != MY_BALLOT_FORMAT:
        return False, f"the ballot file's format must be {MY_BALLOT_FORMAT!r}"
    entry = next((e for e in document["ledger"]["ballots"] if e["receipt"] == mine.get("receipt")), None)
    if entry is None:
        return False, "no ballot of this receipt in the package"
    public_key = group.decode_element(str(document["election_key"]["public_key"]))
    for question in questions_of(engine_matters(document["matters"])):
        published = EncryptedQuestion.decode(entry["questions"][question.id], question).ciphertexts
        given = mine["questions"][question.id]
        for option, ciphertext in zip(question.options, published, strict=True):
            mark, chance = int(given[option]["mark"]), group.decode_scalar(str(given[option]["randomness"]))
            if encrypt(public_key, mark, chance) != ciphertext:
                return False, f"question {question.id}, option {option}: the published ciphertext is not your mark"
    return True, ""
