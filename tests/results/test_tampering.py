"""Every way of changing a signed package is detected, and the checks that fail name what was changed.

Each change is made twice where it matters: as it is (the roots and the tally no longer fit the lists), and by a
forger who also recomputes the roots and the tally, so that only the signatures can give it away.
"""

from __future__ import annotations

from typing import Any

from app.results.package import count, engine_matters, engine_roll, merkle_root
from app.results.verify import verify_package
from crypto.signing import key_fingerprint
from tests.results.builders import (
    SIGNATURES,
    failed,
    flip_signature_byte,
    key_pair,
    make_package,
    pseudonym,
)


def recompute(package: dict[str, Any]) -> dict[str, Any]:
    """What a forger would do after a change: recompute both roots and the tally (but cannot re-sign)."""
    package["roll"]["root"] = merkle_root(package["roll"]["voters"])
    package["ledger"]["root"] = merkle_root(package["ledger"]["ballots"])
    package["tally"] = count(
        package["settings"],
        engine_matters(package["matters"]),
        engine_roll(package["roll"]["voters"]),
        package["ledger"]["ballots"],
    )
    return package


def ballot_of(package: dict[str, Any], answer: str, matter: str = "m1") -> dict[str, Any]:
    return next(b for b in package["ledger"]["ballots"] if b["choices"].get(matter) == answer)


def test_a_changed_vote() -> None:
    package = make_package()
    ballot_of(package, "yes")["choices"]["m1"] = "no"
    assert failed(package) == SIGNATURES | {"ledger root", "tally"}
    tally = next(c for c in verify_package(package) if c.name == "tally")
    assert "matter m1" in tally.detail
    assert failed(recompute(package)) == SIGNATURES


def test_a_changed_candidate_on_an_election_ballot() -> None:
    package = make_package()
    marks = next(
        b["choices"]["committee"] for b in package["ledger"]["ballots"] if 3 <= len(b["choices"]["committee"]) <= 5
    )
    marks[0] = next(c for c in ("c1", "c2", "c3", "c4", "c5", "c6") if c not in marks)
    assert failed(package) == SIGNATURES | {"ledger root", "tally"}


def test_a_changed_area() -> None:
    package = make_package()
    package["roll"]["voters"][3]["area"] = "299.99"
    assert failed(package) == SIGNATURES | {"roll root", "tally"}
    assert failed(recompute(package)) == SIGNATURES


def test_a_changed_signature_byte() -> None:
    package = make_package()
    signature = package["signatures"][0]
    signature["signature"] = flip_signature_byte(signature["signature"])
    assert failed(package) == {f"signature {signature['role']}", "signatures present"}
    detail = next(c.detail for c in verify_package(package) if c.name.startswith(f"signature {signature['role']}"))
    assert detail == "does not match the package"


def test_a_changed_signing_time() -> None:
    package = make_package()
    package["signatures"][1]["signed_at"] = "2026-06-13T18:30:00+08:00"
    assert failed(package) == {"signature convener", "signatures present"}


def test_a_removed_ballot() -> None:
    package = make_package()
    del package["ledger"]["ballots"][5]
    assert failed(package) == SIGNATURES | {"ledger root", "tally"}
    assert failed(recompute(package)) == SIGNATURES


def test_an_added_ballot_of_a_voter_not_on_the_roll() -> None:
    package = make_package()
    stranger = dict(package["ledger"]["ballots"][0], voter=pseudonym(999), receipt="0" * 64)
    package["ledger"]["ballots"].insert(0, stranger)  # "000…" sorts first: the ledger stays in order
    names = failed(package)
    assert names >= SIGNATURES | {"ledger root", "voters on the roll"}
    assert names <= SIGNATURES | {"ledger root", "voters on the roll", "tally", "structure"}
    detail = next(c.detail for c in verify_package(package) if c.name == "voters on the roll")
    assert pseudonym(999) in detail


def test_a_second_ballot_of_a_voter_on_the_roll() -> None:
    package = make_package()
    voter = package["ledger"]["ballots"][3]["voter"]
    package["ledger"]["ballots"].append(dict(package["ledger"]["ballots"][3], receipt="f" * 64))
    names = failed(package)
    assert names >= SIGNATURES | {"ledger root", "one ballot per voter"}
    assert "voters on the roll" not in names
    detail = next(c.detail for c in verify_package(package) if c.name == "one ballot per voter")
    assert voter in detail


def test_an_added_voter_on_the_roll() -> None:
    package = make_package()
    package["roll"]["voters"].append({"voter": "f" * 32, "area": "88.00", "heads": 1})
    assert failed(package) == SIGNATURES | {"roll root", "tally"}


def test_a_reordered_ledger() -> None:
    package = make_package()
    ballots = package["ledger"]["ballots"]
    ballots[0], ballots[1] = ballots[1], ballots[0]
    assert failed(package) == SIGNATURES | {"ledger root", "ledger order"}
    package["ledger"]["root"] = merkle_root(ballots)
    assert failed(package) == SIGNATURES | {"ledger order"}


def test_a_reordered_roll() -> None:
    package = make_package()
    voters = package["roll"]["voters"]
    voters[0], voters[-1] = voters[-1], voters[0]
    assert failed(package) == SIGNATURES | {"roll root", "roll order"}


def test_a_changed_tally_number() -> None:
    package = make_package()
    package["tally"]["participation"]["heads"] += 1
    assert failed(package) == SIGNATURES | {"tally"}
    detail = next(c.detail for c in verify_package(package) if c.name == "tally")
    assert "participation" in detail


def test_a_changed_election_outcome() -> None:
    package = make_package()
    election = package["tally"]["matters"]["committee"]
    election["members"][0], election["alternates"][0] = election["alternates"][0], election["members"][0]
    assert failed(package) == SIGNATURES | {"tally"}
    detail = next(c.detail for c in verify_package(package) if c.name == "tally")
    assert "matter committee" in detail


def test_a_changed_settings_value() -> None:
    package = make_package()
    package["settings"]["blank_and_invalid_take_part"] = False
    assert failed(package) == SIGNATURES | {"tally"}
    assert failed(recompute(package)) == SIGNATURES


def test_a_changed_matter_category() -> None:
    package = make_package()
    package["matters"][2]["category"] = 4  # the maintenance fund (three quarters) passed off as a majority matter
    assert failed(package) == SIGNATURES | {"tally"}


def test_changed_words_outside_the_lists_are_covered_by_the_signatures() -> None:
    for field, value in (("community", {"name": "别的小区"}), ("labels", {}), ("excluded", []), ("meeting", {})):
        package = make_package()
        package[field] = value
        assert failed(package) == SIGNATURES, field


def test_a_key_swapped_for_another_key() -> None:
    package = make_package()
    other = key_pair("someone else")
    platform_key = package["keys"][0]
    # the other key under its own id: the platform's signature has no key left to be checked with
    package["keys"][0] = {"id": key_fingerprint(other.public_pem.encode()), "public_key": other.public_pem}
    assert failed(package) == {"signature platform", "signatures present"}
    # the other key under the platform key's id: the id is not the key's hash
    package["keys"][0] = {"id": platform_key["id"], "public_key": other.public_pem}
    assert failed(package) == {"key", "signature platform", "signatures present"}


def test_a_signature_by_the_wrong_key_under_the_right_name() -> None:
    package = make_package()
    convener_key = next(s["key"] for s in package["signatures"] if s["role"] == "convener")
    platform = package["signatures"][0]
    platform["key"] = convener_key  # claims the convener's key made the platform's signature
    assert failed(package) == {"signature platform", "signatures present"}


def test_a_roll_entry_of_two_heads_or_an_answer_to_an_unlisted_matter_fails_even_when_re_signed() -> None:
    """What the recount alone would not see: the checks name them (SPC interpretation Art 9; the package's matters)."""
    import copy

    from app.results.package import body_of, merkle_root, sign
    from app.results.verify import verify_package
    from crypto.signing import generate_private_key_pem, public_key_pem

    def resigned(package: dict) -> dict:
        body = body_of(package)
        body["roll"]["root"] = merkle_root(body["roll"]["voters"])
        body["ledger"]["root"] = merkle_root(body["ledger"]["ballots"])
        for role in ("platform", "convener"):
            private = generate_private_key_pem()
            sign(body, role=role, public_pem=public_key_pem(private).decode(), private_pem=private, signed_at="x")
        return body

    from tests.results.builders import make_package

    two_heads = copy.deepcopy(make_package())
    two_heads["roll"]["voters"][0]["heads"] = 2
    failed = {c.name for c in verify_package(resigned(two_heads)) if not c.ok}
    assert "one head per voter" in failed
    stray = copy.deepcopy(make_package())
    stray["ledger"]["ballots"][0]["choices"]["999"] = "yes"
    failed = {c.name for c in verify_package(resigned(stray)) if not c.ok}
    assert "choices name the matters" in failed
