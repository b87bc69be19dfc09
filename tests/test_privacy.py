"""Personal data at rest: encryption, keyed look-up hashes, masking for display."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from app.privacy import decrypt, encrypt, lookup_hash, mask_id_number, mask_name, mask_phone

ID_NUMBER = "33068119580312002X"


def test_encryption_round_trips_and_hides_the_value(app):
    blob = encrypt(ID_NUMBER)
    assert ID_NUMBER.encode() not in blob
    assert decrypt(blob) == ID_NUMBER
    assert encrypt(ID_NUMBER) != blob  # a fresh nonce every time


def test_an_altered_ciphertext_is_refused(app):
    blob = bytearray(encrypt(ID_NUMBER))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt(bytes(blob))


def test_another_key_cannot_decrypt(app, tmp_path):
    import base64

    from tests.conftest import make_test_app

    blob = encrypt(ID_NUMBER)
    other = make_test_app("sqlite://", tmp_path, DATA_KEY_B64=base64.b64encode(b"o" * 32).decode())
    with other.app_context(), pytest.raises(InvalidTag):
        decrypt(blob)


def test_lookup_hash_is_stable_keyed_and_normalised(app):
    assert lookup_hash(ID_NUMBER) == lookup_hash(" 33068119580312002x ")
    assert lookup_hash(ID_NUMBER) != lookup_hash("330681195803120038")
    assert ID_NUMBER not in lookup_hash(ID_NUMBER)
    import hashlib

    assert lookup_hash(ID_NUMBER) != hashlib.sha256(ID_NUMBER.encode()).hexdigest()  # keyed, not a bare hash


@pytest.mark.parametrize(
    ("name", "masked"), [("张三华", "张*华"), ("张伟", "张*"), ("欧阳明华", "欧**华"), ("王", "王"), ("", "")]
)
def test_names_are_masked_as_on_public_notices(name, masked):
    assert mask_name(name) == masked


def test_id_and_phone_numbers_are_masked():
    assert mask_id_number(ID_NUMBER) == "330***********002X"
    assert mask_phone("13812345678") == "138****5678"


@given(st.from_regex(r"\A[0-9]{17}[0-9X]\Z"))
def test_the_notice_and_the_ballot_never_give_away_more_than_half_of_the_second_factor(id_number: str) -> None:
    """Issue 15 item 5: the ballot asks for the last six characters; of those, the public notice shows at most
    three (it shows one: the check character)."""
    from app.privacy import SECOND_FACTOR_TAIL, mask_id_for_notice

    shown = mask_id_for_notice(id_number)
    assert len(shown) == len(id_number)
    tail = range(len(id_number) - SECOND_FACTOR_TAIL, len(id_number))
    revealed = [i for i in tail if shown[i] != "*"]
    assert 2 * len(revealed) <= SECOND_FACTOR_TAIL
    assert revealed == [len(id_number) - 1]
