"""Ed25519 (RFC 8032) signatures over RFC 8785 canonical JSON."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crypto.canonical import canonical_json
from crypto.signing import (
    generate_private_key_pem,
    key_fingerprint,
    public_key_pem,
    sign_document,
    verify_document,
)

# RFC 8032 section 7.1, TEST 1.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")

DOCUMENT = {"assembly_id": 7, "议题": "续聘物业", "tally": {"agree": 120, "disagree": 3}, "final": True}


def rfc8032_private_pem() -> bytes:
    return Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def private_pem() -> bytes:
    return generate_private_key_pem()


@pytest.fixture(scope="module")
def public_pem(private_pem: bytes) -> bytes:
    return public_key_pem(private_pem)


def test_generated_key_is_unencrypted_pkcs8_ed25519_pem(private_pem: bytes) -> None:
    assert private_pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(private_pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)


def test_generated_keys_differ() -> None:
    assert generate_private_key_pem() != generate_private_key_pem()


def test_public_key_pem_is_subject_public_key_info(public_pem: bytes) -> None:
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert isinstance(serialization.load_pem_public_key(public_pem), Ed25519PublicKey)


def test_public_key_derivation_matches_rfc8032_vector() -> None:
    public = serialization.load_pem_public_key(public_key_pem(rfc8032_private_pem()))
    assert public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == RFC8032_PUBLIC


def test_fingerprint_is_sha256_of_raw_public_key() -> None:
    fingerprint = key_fingerprint(public_key_pem(rfc8032_private_pem()))
    assert fingerprint == hashlib.sha256(RFC8032_PUBLIC).hexdigest()
    assert fingerprint == "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"


def test_round_trip(private_pem: bytes, public_pem: bytes) -> None:
    signature = sign_document(private_pem, DOCUMENT)
    assert len(base64.b64decode(signature, validate=True)) == 64
    assert verify_document(public_pem, DOCUMENT, signature) is True


def test_signature_covers_exactly_the_canonical_json() -> None:
    private_pem = rfc8032_private_pem()
    signature = base64.b64decode(sign_document(private_pem, DOCUMENT))
    Ed25519PublicKey.from_public_bytes(RFC8032_PUBLIC).verify(signature, canonical_json(DOCUMENT))


def test_signatures_are_deterministic_and_pinned() -> None:
    """Ed25519 is deterministic, so the wire format (JCS bytes + standard base64) can be pinned."""
    private_pem = rfc8032_private_pem()
    document = {"b": "投票结果", "a": 1}
    assert sign_document(private_pem, document) == sign_document(private_pem, document)
    expected_signature = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET).sign('{"a":1,"b":"投票结果"}'.encode())
    assert sign_document(private_pem, document) == base64.b64encode(expected_signature).decode("ascii")
    assert sign_document(private_pem, document) == (
        "oNo0+K12UK/NtFk8ipFevxuGCBChf+XfIolEdNe0c6GXh7M+N4MJzFX5Awjp4Aijja23+q1xDByy/KSe4cVDAA=="
    )


def test_key_order_does_not_affect_the_signature(private_pem: bytes, public_pem: bytes) -> None:
    signature = sign_document(private_pem, DOCUMENT)
    reordered = dict(reversed(list(DOCUMENT.items())))
    assert sign_document(private_pem, reordered) == signature
    assert verify_document(public_pem, reordered, signature) is True


@pytest.mark.parametrize(
    "tampered",
    [
        {**DOCUMENT, "tally": {"agree": 121, "disagree": 3}},
        {**DOCUMENT, "议题": "解聘物业"},
        {**DOCUMENT, "final": False},
        {**DOCUMENT, "extra": None},
        {key: value for key, value in DOCUMENT.items() if key != "final"},
        {**DOCUMENT, "assembly_id": "7"},
    ],
)
def test_tampered_document_fails(private_pem: bytes, public_pem: bytes, tampered: dict[str, object]) -> None:
    signature = sign_document(private_pem, DOCUMENT)
    assert verify_document(public_pem, tampered, signature) is False


def test_wrong_key_fails(private_pem: bytes) -> None:
    signature = sign_document(private_pem, DOCUMENT)
    other_public_pem = public_key_pem(generate_private_key_pem())
    assert verify_document(other_public_pem, DOCUMENT, signature) is False


def flipped_bit(signature_b64: str) -> str:
    raw = bytearray(base64.b64decode(signature_b64))
    raw[10] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


@pytest.mark.parametrize(
    "make_garbage",
    [
        lambda good: "",
        lambda good: "not base64 at all!",
        lambda good: good[:-4],
        lambda good: good + "AAAA",
        lambda good: good.replace("=", "") + "===",
        lambda good: base64.b64encode(b"\x00" * 64).decode(),
        lambda good: base64.b64encode(b"short").decode(),
        lambda good: "签名签名",
        lambda good: flipped_bit(good),
        lambda good: good.replace("+", "-").replace("/", "_") if ("+" in good or "/" in good) else "-_-_",
    ],
    ids=[
        "empty",
        "not-base64",
        "truncated",
        "too-long",
        "bad-padding",
        "zero-bytes",
        "short",
        "non-ascii",
        "flipped-bit",
        "urlsafe-alphabet",
    ],
)
def test_garbage_signature_returns_false(private_pem: bytes, public_pem: bytes, make_garbage: object) -> None:
    good = sign_document(private_pem, DOCUMENT)
    garbage = make_garbage(good)  # type: ignore[operator]
    assert garbage != good
    assert verify_document(public_pem, DOCUMENT, garbage) is False


def test_non_canonicalizable_document_does_not_verify(private_pem: bytes, public_pem: bytes) -> None:
    signature = sign_document(private_pem, DOCUMENT)
    assert verify_document(public_pem, {**DOCUMENT, "ratio": 0.5}, signature) is False


def test_signing_a_non_canonicalizable_document_raises(private_pem: bytes) -> None:
    with pytest.raises(ValueError, match="float"):
        sign_document(private_pem, {"ratio": 0.5})


def test_non_ed25519_keys_are_rejected() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_private_pem = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ec_public_pem = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="Ed25519"):
        public_key_pem(ec_private_pem)
    with pytest.raises(ValueError, match="Ed25519"):
        sign_document(ec_private_pem, DOCUMENT)
    with pytest.raises(ValueError, match="Ed25519"):
        key_fingerprint(ec_public_pem)
    with pytest.raises(ValueError, match="Ed25519"):
        verify_document(ec_public_pem, DOCUMENT, "AAAA")


def test_malformed_and_encrypted_keys_raise_value_error() -> None:
    with pytest.raises(ValueError, match="PEM private key"):
        public_key_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ValueError, match="PEM public key"):
        key_fingerprint(b"not a pem")
    with pytest.raises(ValueError, match="PEM public key"):
        verify_document(b"not a pem", DOCUMENT, "AAAA")
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    with pytest.raises(ValueError, match="encrypted"):
        public_key_pem(encrypted)
