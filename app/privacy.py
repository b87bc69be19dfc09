"""Personal data at rest: AES-GCM encryption, keyed lookup hashes and masking for display.

The key is GONGJUE_DATA_KEY (32 bytes). Encryption and lookup use keys derived from it with HKDF, so the
lookup hash reveals nothing even to someone who knows how ID numbers are built.
"""

from __future__ import annotations

import hmac
import os
import re
from functools import lru_cache
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.roll.documents import GB11643_TYPES

_NONCE_BYTES = 12
_VERSION = b"\x01"


@lru_cache(maxsize=8)
def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gongjue/" + purpose).derive(master)


def _master_key() -> bytes:
    key: bytes = current_app.config["DATA_KEY"]
    return key


def encrypt(plaintext: str, purpose: bytes = b"encrypt") -> bytes:
    """Encrypt a short value (version byte, random nonce, AES-GCM ciphertext) under the key derived for ``purpose``:
    personal data by default, b"signing-key" for private signing keys (a key for each kind of secret)."""
    nonce = os.urandom(_NONCE_BYTES)
    aead = AESGCM(_derive(_master_key(), purpose))
    return _VERSION + nonce + aead.encrypt(nonce, plaintext.encode(), _VERSION)


def decrypt(blob: bytes, purpose: bytes = b"encrypt") -> str:
    """Decrypt a value made by `encrypt` for the same ``purpose``; InvalidTag if it was altered."""
    version, nonce, ciphertext = blob[:1], blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    aead = AESGCM(_derive(_master_key(), purpose))
    return aead.decrypt(nonce, ciphertext, version).decode()


def lookup_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256) of a normalised value, for equality look-ups without decryption."""
    normalised = value.strip().upper().encode()
    return hmac.new(_derive(_master_key(), b"lookup"), normalised, sha256).hexdigest()


_NOT_DIGITS = re.compile(r"\D")


def phone_digits(phone: str) -> str:
    """Digits only, without the +86 / 0086 / 86 prefix of a mainland number: one number, one key."""
    digits = _NOT_DIGITS.sub("", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def phone_lookup(phone: str) -> str:
    """The keyed hash a mobile number is found by (its own purpose prefix: it equals no ID number's look-up): the roll
    keeps it for each owner's number (an owner signs in by it, app.owners.sign_in) and the text messages' rows for the
    per-number limit (app.voting.sms_outbox)."""
    return lookup_hash("sms-phone:" + phone_digits(phone))


def pseudonym_key(meeting_id: int) -> bytes:
    """The key of one meeting's voter pseudonyms (app.roll.weights.voter_pseudonym), derived from the data key: no
    page shows it, so nobody but the platform's operator can compute a named owner's pseudonym, and the same owner's
    pseudonyms in two meetings cannot be matched (issue 16 item 1)."""
    return _derive(_master_key(), b"pseudonym/meeting/%d" % meeting_id)


def ballot_seed(meeting_id: int) -> bytes:
    """The secret seed of a meeting's ballot randomness (app.results.encrypted.randomness): whoever holds it can
    read every ballot of the meeting, so it is derived here and never stored or shown; the platform uses it to
    encrypt at the count and to show an owner the randomness of their own ballot."""
    return _derive(_master_key(), b"ballot-randomness/meeting/%d" % meeting_id)


def mask_name(name: str) -> str:
    """Mask a name for public display: 张三华 → 张*华, 张伟 → 张*, 欧阳明华 → 欧**华."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """Mask an ID number, keeping the first 3 and last 4 characters: 330681********123X."""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


#: the characters of an ID number that the ballot asks for after the link (app.voting.credentials: the last six)
SECOND_FACTOR_TAIL = 6


def mask_id_for_notice(id_number: str, id_type: str = "resident_id") -> str:
    """Mask an ID number for a public notice (the roll's), so that what the notice shows and what the ballot asks
    never add up to more than half of the second factor (DOMAIN §8; issue 15 item 5): the first 3 characters (the
    province and city of issue) and the last one only. Of the six characters the ballot asks, the notice shows one;
    `mask_id_number` (first 3, last 4) would leave only the birth day unknown (at most 31 values).
    330681196205171234 → 330**************4. A shorter document (a passport, a travel permit), whose last six
    characters are most of it, shows nothing but its length; an organisation's code is masked alike."""
    if len(id_number) <= 4 or id_type not in GB11643_TYPES:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 4) + id_number[-1:]


def mask_phone(phone: str) -> str:
    """Mask a mobile number: 13812345678 → 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
