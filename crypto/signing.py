"""Ed25519 signatures over canonical JSON documents.

Documents (result sheets, ballot receipts, audit checkpoints, ...) are signed
with Ed25519 (RFC 8032) over their RFC 8785 canonical JSON encoding (see
:mod:`crypto.canonical`), so a signature depends only on the logical content
of a document, not on key order or whitespace.  Ed25519 signatures are
deterministic: the same key and document always give the same signature.

Keys travel as PEM: private keys as unencrypted PKCS #8 (RFC 5208/5958),
public keys as SubjectPublicKeyInfo (RFC 5280, RFC 8410).  Signatures travel
as standard base64 (RFC 4648, section 4) of the 64 raw signature bytes.  Keep
private key PEMs out of the database and logs; encrypting them at rest is the
caller's responsibility.
"""

import base64
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crypto.canonical import CanonicalizationError, canonical_json, sha256_hex

__all__ = [
    "generate_private_key_pem",
    "key_fingerprint",
    "public_key_pem",
    "sign_document",
    "verify_document",
]


def generate_private_key_pem() -> bytes:
    """Generate a new Ed25519 private key as unencrypted PKCS #8 PEM."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def public_key_pem(private_pem: bytes) -> bytes:
    """Return the SubjectPublicKeyInfo PEM of the public half of ``private_pem``.

    Raises ``ValueError`` if ``private_pem`` is not an unencrypted Ed25519
    private key.
    """
    public_key = _load_private_key(private_pem).public_key()
    return public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )


def sign_document(private_pem: bytes, document: Mapping[str, object]) -> str:
    """Sign ``canonical_json(document)`` and return the base64 signature.

    Raises ``ValueError`` for an unusable key and
    :class:`~crypto.canonical.CanonicalizationError` (a ``ValueError``) for a
    document that cannot be canonicalised.
    """
    signature = _load_private_key(private_pem).sign(canonical_json(document))
    return base64.b64encode(signature).decode("ascii")


def verify_document(public_pem: bytes, document: Mapping[str, object], signature_b64: str) -> bool:
    """Return whether ``signature_b64`` is a valid signature of ``document``.

    Returns ``False`` -- never raises -- for a wrong signature, a signature
    that is not valid base64 (or not ASCII), and a document that cannot be
    canonicalised (no signature made by :func:`sign_document` can cover it),
    so it is safe to call on untrusted input.  An unusable *public key* is a
    configuration error and raises ``ValueError``.
    """
    public_key = _load_public_key(public_pem)
    signature = _decode_signature(signature_b64)
    if signature is None:
        return False
    try:
        message = canonical_json(document)
    except CanonicalizationError:
        return False
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def key_fingerprint(public_pem: bytes) -> str:
    """Return the SHA-256 hex digest of the raw 32-byte Ed25519 public key."""
    raw = _load_public_key(public_pem).public_bytes(
        encoding=serialization.Encoding.Raw,
        format=serialization.PublicFormat.Raw,
    )
    return sha256_hex(raw)


def _load_private_key(private_pem: bytes) -> Ed25519PrivateKey:
    """Parse an unencrypted PEM private key, insisting that it is Ed25519."""
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except TypeError as exc:  # raised by cryptography for password-protected keys
        raise ValueError("encrypted private keys are not supported here") from exc
    except ValueError as exc:
        raise ValueError(f"not a readable PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def _load_public_key(public_pem: bytes) -> Ed25519PublicKey:
    """Parse a SubjectPublicKeyInfo PEM public key, insisting that it is Ed25519."""
    try:
        key = serialization.load_pem_public_key(public_pem)
    except ValueError as exc:
        raise ValueError(f"not a readable PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__}")
    return key


def _decode_signature(signature_b64: str) -> bytes | None:
    """Strictly decode standard base64, returning ``None`` if malformed."""
    try:
        return base64.b64decode(signature_b64, validate=True)
    except ValueError:  # binascii.Error (bad padding/alphabet) or a non-ASCII string
        return None
