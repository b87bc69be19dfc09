"""Staff accounts, their scoped roles, and personal API tokens.

Owners are not accounts: they vote through a personal QR link per meeting.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Role(StrEnum):
    """What an account may do, and over which scope."""

    ADMIN = "admin"  #: platform administrator: townships and their officials
    TOWNSHIP_OFFICIAL = "township_official"  #: one township: its communities and their accounts
    GROUP_MEMBER = "group_member"  #: one community's preparatory group (筹备组)
    TELLER = "teller"  #: enters paper ballots (scoped to a community; narrowed to a meeting with meetings)
    OBSERVER = "observer"  #: read-only, over a township or a community
    #: a member of a body that acts between meetings (property management committee, owners' committee, re-election
    #: group), with rights while the body is in office and within its term (DOMAIN §7 item 10)
    BODY_MEMBER = "body_member"


class GroupRole(StrEnum):
    """A member's place in the preparatory group (Shaoxing Art 12)."""

    LEADER = "leader"  #: the township's representative, who leads the group
    OWNER_REPRESENTATIVE = "owner_representative"
    RESIDENTS_COMMITTEE = "residents_committee"  #: 居(村)民委员会 representative
    DEVELOPER = "developer"  #: 建设单位 representative


class BodyOffice(StrEnum):
    """A body member's office: the chair of a committee, the leader of a re-election group or a property management
    committee (the township's representative), or a member."""

    CHAIR = "chair"
    MEMBER = "member"


def new_session_token() -> str:
    """A random identifier for a login session; rotating it logs the account out everywhere."""
    return secrets.token_urlsafe(32)


class User(db.Model):  # type: ignore[name-defined]
    """A staff account (administrator, township official, group member, teller or observer)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower-case
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    #: argon2id hash (argon2-cffi)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: what flask-login keeps in the session cookie; rotated on password change or deactivation
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the keyed hash of the staff member's mobile number (app.privacy.lookup_hash, "staff-phone:" + number), if
    #: given: a proxy's phone may not be a staff member's (issue 16 item 2)
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, role: Role) -> bool:
        return any(grant.role == role for grant in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)


class RoleGrant(db.Model):  # type: ignore[name-defined]
    """One role of one account, with its scope: nothing (admin), a township, or a community in a township."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(
            "(role = 'admin' AND township_id IS NULL AND community_id IS NULL)"
            " OR (role = 'township_official' AND township_id IS NOT NULL AND community_id IS NULL)"
            " OR (role = 'group_member' AND community_id IS NOT NULL AND group_role IS NOT NULL)"
            " OR (role = 'teller' AND community_id IS NOT NULL)"
            " OR (role = 'observer' AND township_id IS NOT NULL)"
            " OR (role = 'body_member' AND community_id IS NOT NULL AND body_id IS NOT NULL"
            " AND group_role IS NOT NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    #: the township of the scope; set for every role but admin (for a community scope, its township)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    #: the community of the scope, for group members, tellers and community observers
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    #: the member's role inside the preparatory group (GroupRole), for group members only
    group_role: Mapped[str | None] = mapped_column(String(32))
    #: the body of a body member's account, whose office (BodyOffice) is kept in ``group_role``
    body_id: Mapped[int | None] = mapped_column(ForeignKey("governing_bodies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: the first characters of the token, to recognise it in a list
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the token stops working after this time (default 90 days after it was made: issue 16 item 6)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        """Not revoked, and not past its expiry."""
        return self.revoked_at is None and (self.expires_at is None or utcnow() < self.expires_at)
