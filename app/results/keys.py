"""Signing keys of the platform, each township and each convening body (DOMAIN §9; issue "keys and signatures").

- A key is made the first time its owner signs; its private half is stored encrypted (AES-GCM, app.privacy.encrypt)
  under a key derived from the configured data key for signing keys only, and decrypted only to sign.
- `rotate` retires the owner's key in force and makes a new one. A retired key signs nothing more; its public half
  stays published, so the packages it signed keep verifying.
- `published_keys` is the document served at /keys.json: every public key ever used, with its owner and dates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.audit import services as audit
from app.db_types import utcnow
from app.extensions import db
from app.privacy import decrypt, encrypt
from app.results.models import SigningKey
from crypto.signing import generate_private_key_pem, key_fingerprint, public_key_pem

KEYS_FORMAT = "gongjue.public-keys/1"
#: private keys are encrypted under a key of their own, derived from the data key (not the personal-data key)
SIGNING_KEY_PURPOSE = b"signing-key"


def _owner_filter(role: str, township_id: int | None, community_id: int | None) -> list[Any]:
    return [
        SigningKey.role == role,
        SigningKey.township_id.is_(None) if township_id is None else SigningKey.township_id == township_id,
        SigningKey.community_id.is_(None) if community_id is None else SigningKey.community_id == community_id,
    ]


def key_in_force(role: str, *, township_id: int | None = None, community_id: int | None = None) -> SigningKey:
    """The owner's current key, made now if it has none (the platform: no township, no community)."""
    found = db.session.scalars(
        select(SigningKey)
        .where(*_owner_filter(role, township_id, community_id), SigningKey.retired_at.is_(None))
        .order_by(SigningKey.id.desc())
    ).first()
    return found or _new_key(role, township_id, community_id)


def _new_key(role: str, township_id: int | None, community_id: int | None) -> SigningKey:
    private = generate_private_key_pem()
    public = public_key_pem(private).decode()
    key = SigningKey(
        key_id=key_fingerprint(public.encode()),
        role=role,
        township_id=township_id,
        community_id=community_id,
        public_pem=public,
        private_cipher=encrypt(private.decode(), SIGNING_KEY_PURPOSE),
    )
    db.session.add(key)
    db.session.flush()
    audit.record(
        "key.create",
        "signing_key",
        key.id,
        {"key_id": key.key_id, "role": role},
        township_id=township_id,
        community_id=community_id,
    )
    return key


def private_pem(key: SigningKey) -> bytes:
    """The private half, decrypted for one signature (never logged, never stored in plain text)."""
    return decrypt(key.private_cipher, SIGNING_KEY_PURPOSE).encode()


def rotate(role: str, *, township_id: int | None = None, community_id: int | None = None) -> SigningKey:
    """Retire the owner's keys in force and make a new one; old packages keep verifying with the retired keys."""
    now = utcnow()
    for key in db.session.scalars(
        select(SigningKey).where(*_owner_filter(role, township_id, community_id), SigningKey.retired_at.is_(None))
    ):
        key.retired_at = now
        audit.record(
            "key.retire",
            "signing_key",
            key.id,
            {"key_id": key.key_id, "role": role},
            township_id=township_id,
            community_id=community_id,
        )
    return _new_key(role, township_id, community_id)


def published_keys() -> dict[str, Any]:
    """Every public key ever used, retired ones included (served at /keys.json)."""
    keys = db.session.scalars(select(SigningKey).order_by(SigningKey.id)).all()
    return {
        "format": KEYS_FORMAT,
        "keys": [
            {
                "id": key.key_id,
                "role": key.role,
                "township": key.township_id,
                "community": key.community_id,
                "public_key": key.public_pem,
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
            }
            for key in keys
        ],
    }
