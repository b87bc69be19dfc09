"""Pure cryptographic building blocks for Gongjue.

This package is deliberately free of any web framework, ORM or application
imports (no ``flask``, ``sqlalchemy`` or ``app``) so that it can be reviewed,
tested and reused in isolation, e.g. by an independent auditor who wants to
re-verify an exported audit log or a signed result document.

Modules:

* :mod:`crypto.canonical` -- RFC 8785 JSON Canonicalization Scheme (JCS) and
  SHA-256 helpers; the single definition of "the bytes we hash or sign".
* :mod:`crypto.hashchain` -- a tamper-evident hash chain for the audit log.
* :mod:`crypto.signing` -- Ed25519 (RFC 8032) signatures over canonical JSON.
"""

from crypto.canonical import CanonicalizationError, canonical_json, sha256_hex
from crypto.hashchain import (
    GENESIS_HASH,
    ChainLink,
    ChainVerification,
    link_hash,
    make_link,
    verify_chain,
)
from crypto.signing import (
    generate_private_key_pem,
    key_fingerprint,
    public_key_pem,
    sign_document,
    verify_document,
)

__all__ = [
    "GENESIS_HASH",
    "CanonicalizationError",
    "ChainLink",
    "ChainVerification",
    "canonical_json",
    "generate_private_key_pem",
    "key_fingerprint",
    "link_hash",
    "make_link",
    "public_key_pem",
    "sha256_hex",
    "sign_document",
    "verify_chain",
    "verify_document",
]
