"""Accounts, their roles, login and API tokens. Services flush; the request or task commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.auth.models import ApiToken, BodyOffice, GroupRole, Role, RoleGrant, User, new_session_token
from app.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password, weak_password
from app.communities.models import Community, Township
from app.db_types import utcnow
from app.errors import DomainError, NotFound
from app.extensions import db
from app.governance.body_models import GoverningBody
from app.privacy import lookup_hash
from app.roll.validation import normalise_phone
from app.text import required_text

API_TOKEN_PREFIX = "gjt_"  # noqa: S105  (a public prefix that marks Gongjue tokens, not a secret)
#: an API token works this long unless revoked sooner (issue 16 item 6)
API_TOKEN_LIFETIME = timedelta(days=90)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_new_account(username: str, password: str) -> str:
    name = normalise_username(username)
    if not name or len(name) > 64 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        raise DomainError(
            "invalid_username", _l("A login name uses letters, digits, '.', '_' or '-'."), field="username"
        )
    if db.session.scalar(select(func.count()).select_from(User).where(User.username == name)):
        raise DomainError("username_taken", _l("This login name is already in use."), status=409, field="username")
    _check_password(password, name, field="password")
    return name


def _check_password(password: str, *known: str, field: str) -> None:
    """At least MIN_PASSWORD_LENGTH characters, and not easy to guess (common passwords, the login name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "password_too_short", _l("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field
        )
    if weak_password(password, *known):
        raise DomainError(
            "password_too_weak",
            _l("This password is too easy to guess (a common password, or the login name): choose another."),
            field=field,
        )


def staff_phone_lookup(phone: str) -> str:
    """The keyed hash of a staff member's mobile number (`User.phone_lookup`): a proxy's number may not be one
    (issue 16 item 2; app.voting.proxies)."""
    return lookup_hash(f"staff-phone:{phone}")


def _staff_phone(phone: str | None) -> str | None:
    """The keyed hash of the optional mobile number given for a new account; a number that is not a mainland
    mobile is refused with the field named."""
    if not (phone or "").strip():
        return None
    normalised = normalise_phone(phone or "")
    if normalised is None:
        raise DomainError("invalid_phone", _l("Type a mainland mobile number (11 digits)."), field="phone")
    return staff_phone_lookup(normalised)


def _new_user(username: str, display_name: str, password: str, grant: RoleGrant, phone: str | None = None) -> User:
    user = User(
        username=_check_new_account(username, password),
        display_name=required_text(display_name, "display_name", 100),
        password_hash=hash_password(password),
        grants=[grant],
        phone_lookup=_staff_phone(phone),
    )
    db.session.add(user)
    db.session.flush()
    return user


def _account_summary(user: User, grant: RoleGrant) -> dict[str, object]:
    summary: dict[str, object] = {"username": user.username, "role": grant.role, "group_role": grant.group_role}
    if grant.body_id is not None:
        summary["body"] = grant.body_id
    return summary


def bodies_at_work(community: Community) -> list[GoverningBody]:
    """The community's bodies not dissolved (a committee or property management committee, and a re-election group
    while it works), for which the township opens accounts."""
    return list(
        db.session.scalars(
            select(GoverningBody)
            .where(GoverningBody.community_id == community.id, GoverningBody.dissolved_on.is_(None))
            .order_by(GoverningBody.id)
        )
    )


def create_admin(username: str, display_name: str, password: str) -> User:
    """A platform administrator (created from the command line or the demo, never through the web)."""
    grant = RoleGrant(role=Role.ADMIN)
    user = _new_user(username, display_name, password, grant)
    audit.record("account.create", "user", user.id, _account_summary(user, grant))
    return user


def create_township_account(
    township: Township,
    username: str,
    display_name: str,
    password: str,
    role: Role = Role.TOWNSHIP_OFFICIAL,
    *,
    phone: str | None = None,
) -> User:
    """A township official (or township observer), with their mobile number if given (kept as a keyed hash)."""
    if role not in (Role.TOWNSHIP_OFFICIAL, Role.OBSERVER):
        raise DomainError("invalid_role", _l("This role is not scoped to a township."))
    grant = RoleGrant(role=role, township_id=township.id)
    user = _new_user(username, display_name, password, grant, phone)
    audit.record("account.create", "user", user.id, _account_summary(user, grant), township_id=township.id)
    return user


def create_community_account(
    community: Community,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    group_role: GroupRole | None = None,
    *,
    body_id: int | None = None,
    office: BodyOffice | None = None,
    phone: str | None = None,
) -> User:
    """A preparatory-group member (with a group role), a teller, a community observer, or a member of one of the
    community's bodies (``body_id``, with an ``office``: chair or member), whose rights last while the body is in
    office and within its term (DOMAIN §7 item 10; app.governance.acting)."""
    if role not in (Role.GROUP_MEMBER, Role.TELLER, Role.OBSERVER, Role.BODY_MEMBER):
        raise DomainError("invalid_role", _l("This role is not scoped to a community."))
    if (role == Role.GROUP_MEMBER) != (group_role is not None):
        raise DomainError("invalid_group_role", _l("A group member needs a role in the group; others have none."))
    if (role == Role.BODY_MEMBER) != (body_id is not None and office is not None):
        raise DomainError(
            "invalid_body",
            _l("A body member's account needs the body and the office; others have none."),
            field="body_id",
        )
    if body_id is not None and body_id not in {b.id for b in bodies_at_work(community)}:
        raise DomainError("invalid_body", _l("Choose a body at work in this community."), field="body_id")
    grant = RoleGrant(
        role=role,
        township_id=community.township_id,
        community_id=community.id,
        group_role=group_role.value if group_role else (office.value if office else None),
        body_id=body_id,
    )
    user = _new_user(username, display_name, password, grant, phone)
    audit.record(
        "account.create",
        "user",
        user.id,
        _account_summary(user, grant),
        township_id=community.township_id,
        community_id=community.id,
    )
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active account with this login name and password, else None. Both outcomes are audited."""
    name = normalise_username(username)
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None or not verify_password(user.password_hash if user else None, password) or not user.is_active:
        audit.record(
            "auth.login_failed",
            "user",
            user.id if user else None,
            {"username": name[:64]},
            actor_label=name[:64] or "?",
        )
        return None
    user.last_login_at = utcnow()
    return user


def set_password(user: User, new_password: str) -> None:
    """Change a password; every existing session of the account ends, and its API tokens are revoked."""
    _check_password(new_password, user.username, user.display_name, field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    revoked = _revoke_all_tokens(user)
    audit.record("account.password_change", "user", user.id, {"username": user.username, "tokens_revoked": revoked})


def _revoke_all_tokens(user: User) -> int:
    tokens = [t for t in api_tokens_of(user) if t.revoked_at is None]
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


def end_sessions(user: User) -> None:
    """Every session of the account ends at once (logging out, deactivation): the cookie's token no longer loads
    the account (`User.get_id`), so a replayed cookie gets the login page."""
    user.session_token = new_session_token()


def set_active(user: User, active: bool, actor_id: int | None) -> None:
    """Deactivate an account (it can no longer log in; its sessions end and its API tokens are revoked; its history
    stays) or reactivate it; audited (issue 16 item 6)."""
    if user.is_active == active:
        return
    user.is_active = active
    revoked = 0
    if not active:
        end_sessions(user)
        revoked = _revoke_all_tokens(user)
    action = "account.reactivate" if active else "account.deactivate"
    audit.record(action, "user", user.id, {"username": user.username, "tokens_revoked": revoked, "by": actor_id})


def remove_grant(grant: RoleGrant, actor_id: int | None) -> None:
    """Take one role off an account; audited (``account.role_remove``: the role, its group role or office, its scope).

    Whoever may deactivate the account removes its roles in that community: the township that manages it (the caller
    checks this, as for `set_active`). The account's sessions end and its API tokens are revoked, so that a session
    or a script opened under the role cannot keep using it. The grant's row is deleted: no table refers to it, the
    event keeps what it was, and the account with its history stays. Refused (409) for the account's last role:
    deactivate the account instead.

    The preparatory group's leader is a member of the group's composition (`GroupMember.is_leader`, a name, not an
    account: app.preparation.group); taking the role off the leader's account leaves the composition as it is, and the
    township keeps every right that account had, so it is not refused for that.
    """
    user = grant.user
    if len(user.grants) <= 1:
        raise DomainError(
            "last_role",
            _l("This is the account's only role: deactivate the account instead."),
            status=409,
        )
    end_sessions(user)
    revoked = _revoke_all_tokens(user)
    summary = {
        **_account_summary(user, grant),
        "grant": grant.id,
        "township": grant.township_id,
        "community": grant.community_id,
        "tokens_revoked": revoked,
        "by": actor_id,
    }
    township_id, community_id = grant.township_id, grant.community_id
    user.grants.remove(grant)  # the delete-orphan cascade deletes the row
    db.session.flush()
    audit.record("account.role_remove", "user", user.id, summary, township_id=township_id, community_id=community_id)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A newly created API token: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


def create_api_token(user: User, name: str) -> IssuedToken:
    name = required_text(name, "name", 100)
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        token_hash=_token_digest(secret),
        expires_at=utcnow() + API_TOKEN_LIFETIME,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.create", "api_token", token.id, {"name": name, "prefix": token.prefix})
    return IssuedToken(token=token, secret=secret)


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token_not_found", _l("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoke", "api_token", token.id, {"name": token.name, "prefix": token.prefix})
    return token


def user_for_api_token(secret: str) -> User | None:
    """The active account behind an active token (and note when the token was last used)."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or not token.is_active or not token.user.is_active:
        return None
    token.last_used_at = utcnow()
    return token.user


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))
