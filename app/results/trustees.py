"""The trustees of a meeting's election key (issue 17 item 3; docs/encrypted-ballots.md).

When voting opens, the platform and the township each get a secret share of the meeting's election key; the
public halves are published in the result package with proofs that their holders know the secrets. Each secret is
stored encrypted under a key of its own holder (app.privacy purposes ``trustee/platform`` and
``trustee/township/<township id>``), and is read once, when the meeting is counted, to decrypt the totals: never a
ballot. Both purposes are derived today from the platform's data key, so the split guards against staff and against
a leak of one purpose's key, not against the platform's operator, who can read every named ballot anyway (DOMAIN
§8). A key the township holds itself (a passphrase or a hardware token entered at the count) is the next step.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.privacy import decrypt, encrypt
from app.results.encrypted import TRUSTEE_ROLES
from app.results.models import ElectionTrustee
from crypto import group


def _purpose(role: str, township_id: int) -> bytes:
    return b"trustee/platform" if role == "platform" else b"trustee/township/%d" % township_id


def create_for(meeting_id: int, township_id: int) -> str:
    """The trustees' shares of a new meeting's election key; returns the election key (hex)."""
    publics = []
    for role in TRUSTEE_ROLES:
        secret = group.random_scalar()
        public = group.base_mul(secret)
        publics.append(public)
        db.session.add(
            ElectionTrustee(
                meeting_id=meeting_id,
                role=role,
                public_key=public.hex(),
                secret_cipher=encrypt(group.encode_scalar(secret), _purpose(role, township_id)),
            )
        )
    db.session.flush()
    return group.total(publics).hex()


def of_meeting(meeting_id: int) -> list[ElectionTrustee]:
    """The meeting's trustees in `TRUSTEE_ROLES` order; none for a meeting opened before encrypted ballots."""
    found = {
        t.role: t for t in db.session.scalars(select(ElectionTrustee).where(ElectionTrustee.meeting_id == meeting_id))
    }
    return [found[role] for role in TRUSTEE_ROLES if role in found]


def election_key_of(meeting_id: int) -> str:
    """The meeting's election key H = Σ Hᵢ (hex), from its trustees' public keys."""
    return group.total(bytes.fromhex(t.public_key) for t in of_meeting(meeting_id)).hex()


def secrets_of(meeting_id: int, township_id: int) -> dict[str, int] | None:
    """The trustees' secrets, to decrypt the totals at the count (the caller audits it); None without trustees."""
    trustees = of_meeting(meeting_id)
    if len(trustees) != len(TRUSTEE_ROLES):
        return None
    return {t.role: group.decode_scalar(decrypt(t.secret_cipher, _purpose(t.role, township_id))) for t in trustees}
