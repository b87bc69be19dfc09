"""One changed digit anywhere in a package's JSON text makes it fail, without an exception.

The text is the canonical JSON (RFC 8785) of the whole package, the township's signature included. Hypothesis
picks a part of the package (so that the small parts, the keys and the signatures, are drawn as often as the
big ledger), a digit in it and another digit, and re-parses the text. Draws whose text is no longer JSON (a
leading zero: "seats": 05) are skipped.

No field turned out to be uncovered. An exhaustive run over every digit of every position (43,798 parsable
changes, about four minutes) found two problems, both fixed, each with its own test below:
- a changed digit of a public key's PEM can make it another algorithm's key (OID 1.3.101.112 → 1.3.69.112),
  and the `cryptography` library then raised UnsupportedAlgorithm, which verify_package let through as an
  exception;
- the last base64 character of a signature carries four bits that the decoder ignores, so some one-character
  changes (a digit for another digit among them) decoded to the same signature and still verified.
"""

from __future__ import annotations

import base64
import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.results.verify import passed, verify_package
from crypto.canonical import canonical_json
from tests.results.builders import certify, failed, make_package

PACKAGE = certify(make_package())
TEXT = canonical_json(PACKAGE).decode()
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _parts() -> dict[str, list[int]]:
    """The positions of the digits of the text, by top-level member (keys are ASCII, so RFC 8785 sorts them)."""
    parts: dict[str, list[int]] = {}
    position = 1  # after "{"
    for key in sorted(PACKAGE):
        member = canonical_json(key).decode() + ":" + canonical_json(PACKAGE[key]).decode()
        assert TEXT[position : position + len(member)] == member
        parts[key] = [position + i for i, ch in enumerate(member) if ch.isdigit()]
        position += len(member) + 1
    return {key: digits for key, digits in parts.items() if digits}


PARTS = _parts()


def changed(position: int, digit: str) -> str:
    return TEXT[:position] + digit + TEXT[position + 1 :]


@st.composite
def one_digit_changes(draw: st.DrawFn) -> tuple[int, str]:
    part = draw(st.sampled_from(sorted(PARTS)))
    position = draw(st.sampled_from(PARTS[part]))
    digit = draw(st.sampled_from([d for d in "0123456789" if d != TEXT[position]]))
    return position, digit


def test_the_unchanged_text_passes() -> None:
    assert passed(verify_package(json.loads(TEXT), require_township=True))
    assert set(PARTS) >= {"keys", "signatures", "roll", "ledger", "tally", "settings", "matters", "meeting"}


@settings(max_examples=300, deadline=None, database=None)
@given(one_digit_changes())
def test_one_changed_digit_anywhere_fails(change: tuple[int, str]) -> None:
    position, digit = change
    try:
        document = json.loads(changed(position, digit))
    except ValueError:
        assume(False)  # no longer JSON: the command refuses such a file with exit 2
        return
    checks = verify_package(document, require_township=True)
    assert not passed(checks), f"unnoticed: {TEXT[max(0, position - 60) : position + 10]!r} → {digit}"
    assert any(not check.ok and check.detail for check in checks)


def test_every_changed_digit_of_a_public_key_fails_without_an_exception() -> None:
    for index, key in enumerate(PACKAGE["keys"]):
        pem = key["public_key"]
        for position in (i for i, ch in enumerate(pem) if ch.isdigit()):
            for digit in "0123456789":
                if digit != pem[position]:
                    document = json.loads(TEXT)
                    document["keys"][index]["public_key"] = pem[:position] + digit + pem[position + 1 :]
                    assert failed(document), (index, position, digit)


def test_a_public_key_of_another_algorithm_fails_on_structure() -> None:
    pem = PACKAGE["keys"][0]["public_key"]
    # "MCowBQYDK2VwAyEA" is the DER prefix of an Ed25519 key: OID 1.3.101.112; "K2" → "K0" makes it 1.3.69.112
    assert pem.splitlines()[1].startswith("MCowBQYDK2VwAyEA")
    package = make_package()
    package["keys"][0]["public_key"] = pem.replace("MCowBQYDK2VwAyEA", "MCowBQYDK0VwAyEA", 1)
    assert "structure" in failed(package)


def test_a_signature_in_another_base64_spelling_of_the_same_bytes_fails() -> None:
    package = make_package()
    signature = package["signatures"][0]
    text = signature["signature"]
    assert text.endswith("==")  # 64 bytes: the last character before "==" carries 2 bits and 4 unused ones
    last = BASE64.index(text[-3])
    signature["signature"] = text[:-3] + BASE64[last ^ 0b0101] + "=="
    assert base64.b64decode(signature["signature"]) == base64.b64decode(text)
    assert failed(package) == {"signature platform", "signatures present"}
