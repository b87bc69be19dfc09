"""The checks of a `gongjue.result-package/2` beyond those every package has (app.results.verify; issue 17 item 5):

1. **election key**: the trustees are the platform and the township, each proves it knows its secret, and the
   election key is the sum of theirs;
2. **questions**: one per matter, as the matters define them (options, coefficients, range);
3. **ballot proofs**: every published ballot's ciphertexts are elements of the group, each mark is proved 0 or 1
   and each question's rule holds, under proofs bound to the meeting, the roll and the ballot's receipt;
4. **encrypted totals**: each option's totals recomputed from the ledger: the sum of the ciphertexts (heads), and
   of each ciphertext times its voter's area in 0.01 m² (area);
5. **decryptions**: each trustee's share proved made with its key, and the published total t satisfying
   t·B = β − Σ shares;
6. **tally**: the counting engine's result on the decrypted totals equals the signed one.

Pure: no database, no configuration. ``mapper`` spreads the ballots' proofs over processes (`gongjue verify
--jobs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.results.encrypted import (
    CHUNK,
    GROUP,
    TRUSTEE_ROLES,
    Mapper,
    Totals,
    added_totals,
    ballot_read,
    chunks_of,
    count_totals,
    key_context,
    partial_totals,
    question_document,
    questions_of,
    returned_weight,
    share_context,
    voter_areas,
)
from app.results.package import engine_matters, engine_roll
from app.results.verify_checks import Check, differences
from crypto import group, proofs
from crypto.elgamal import Ciphertext, decrypt_with
from crypto.questions import Question


def encrypted_checks(document: Mapping[str, Any], mapper: Mapper = map) -> list[Check]:
    meeting_id = int(document["meeting"]["id"])
    roll_root = str(document["roll"]["root"])
    key_check, public_key = _election_key(document["election_key"], meeting_id)
    matters = engine_matters(document["matters"])
    questions = questions_of(matters)
    checks = [key_check, _questions(document["questions"], questions)]
    if not key_check.ok:
        return checks
    ledger = document["ledger"]["ballots"]
    areas = voter_areas(document["roll"]["voters"])
    weighted = [(entry, areas.get(str(entry.get("voter")), 0)) for entry in ledger]
    jobs = [(chunk, questions, public_key, meeting_id, roll_root) for chunk in chunks_of(weighted, CHUNK)]
    bad: list[str] = []
    recomputed = partial_totals([], questions)
    for failed, partial in mapper(_ballots_job, jobs):
        bad += failed
        recomputed = added_totals(recomputed, partial)
    checks.append(Check("ballot proofs", not bad, f"ballots whose proofs fail: {', '.join(bad[:5])}"))
    if bad:
        return checks
    published = document["encrypted_tally"]
    checks.append(_totals(published, recomputed))
    checks.append(_decryptions(published, questions, document["election_key"]["trustees"], meeting_id, roll_root))
    recounted = count_totals(
        document["settings"],
        matters,
        engine_roll(document["roll"]["voters"]),
        returned_weight(ledger, areas),
        published,
        str(document["ledger"]["root"]),
    )
    different = differences(recounted, document["tally"])
    checks.append(Check("tally", not different, f"the recount differs from the signed tally in: {different}"))
    return checks


def _ballots_job(
    job: tuple[Sequence[tuple[Mapping[str, Any], int]], Sequence[Question], bytes, int, str],
) -> tuple[list[str], Totals]:
    """Check some ballots' proofs (one unit of work of `--jobs`) and, as they are read once, add up their totals:
    the receipts (16 characters) of those whose proofs fail, and the totals of the others."""
    ballots, questions, public_key, meeting_id, roll_root = job
    bad, read = [], []
    for entry, area in ballots:
        decoded = ballot_read(entry, questions, public_key, meeting_id, roll_root)
        if decoded is None:
            bad.append(str(entry.get("receipt"))[:16])
        else:
            read.append((decoded, area))
    return bad, partial_totals(read, questions)


def _election_key(section: Mapping[str, Any], meeting_id: int) -> tuple[Check, bytes]:
    trustees = section["trustees"]
    roles = [str(trustee["role"]) for trustee in trustees]
    problems = [] if section.get("group") == GROUP else [f"the group must be {GROUP!r}"]
    if roles != list(TRUSTEE_ROLES):
        problems.append(f"the trustees must be {', '.join(TRUSTEE_ROLES)}")
    keys = []
    for trustee in trustees:
        public = group.decode_element(str(trustee["public_key"]))
        keys.append(public)
        if not proofs.verify_key(public, trustee["proof"], key_context(meeting_id, str(trustee["role"]))):
            problems.append(f"the {trustee['role']} trustee's proof of its key fails")
    public_key = group.decode_element(str(section["public_key"]))
    if public_key != group.total(keys):
        problems.append("the election key is not the sum of the trustees' keys")
    return Check("election key", not problems, "; ".join(problems)), public_key


def _questions(published: Iterable[Mapping[str, Any]], questions: Sequence[Question]) -> Check:
    ok = list(published) == [question_document(question) for question in questions]
    return Check("questions", ok, "the questions are not those the matters define")


def _totals(published: Mapping[str, Any], recomputed: Mapping[str, Mapping[str, Mapping[str, Ciphertext]]]) -> Check:
    wrong = [
        f"{question}/{option}/{dimension}"
        for question, options in recomputed.items()
        for option, dimensions in options.items()
        for dimension, ciphertext in dimensions.items()
        if published[question][option][dimension]["ciphertext"] != ciphertext.encoded()
    ]
    detail = f"totals that are not the sum of the ballots: {', '.join(wrong[:5])}"
    return Check("encrypted totals", not wrong and set(published) == set(recomputed), detail)


def _decryptions(
    published: Mapping[str, Any],
    questions: Sequence[Question],
    trustees: Sequence[Mapping[str, Any]],
    meeting_id: int,
    roll_root: str,
) -> Check:
    keys = {str(t["role"]): group.decode_element(str(t["public_key"])) for t in trustees}
    wrong = []
    for question in questions:
        for option in question.options:
            for dimension in ("heads", "area"):
                found = published[question.id][option][dimension]
                ciphertext = Ciphertext.decode(found["ciphertext"])
                context = share_context(meeting_id, roll_root, question.id, option, dimension)
                shares = found["shares"]
                ok = [str(s["trustee"]) for s in shares] == list(TRUSTEE_ROLES) and all(
                    proofs.verify_share(
                        keys[str(s["trustee"])],
                        ciphertext.alpha,
                        group.decode_element(str(s["share"])),
                        s["proof"],
                        context,
                    )
                    for s in shares
                )
                total = found["total"]
                opened = decrypt_with(ciphertext, [group.decode_element(str(s["share"])) for s in shares])
                if not (ok and type(total) is int and total >= 0 and group.base_mul(total) == opened):
                    wrong.append(f"{question.id}/{option}/{dimension}")
    return Check("decryptions", not wrong, f"totals whose decryption fails: {', '.join(wrong[:5])}")
