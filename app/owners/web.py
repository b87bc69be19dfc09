"""The signed-in owner of a request: the session cookie of the owners' pages, or the API's bearer token, resolved
once per request (app.owners.sign_in.session_for)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import after_this_request, current_app, g, redirect, request, url_for
from flask import session as browser_session

from app.db_types import utcnow
from app.extensions import db
from app.owners import sign_in
from app.owners.identity import MyCommunity, my_community, not_yours
from app.owners.models import OwnerSession

#: the cookie that carries an owner's session token (HttpOnly, SameSite=Lax, Secure in production)
COOKIE = "gongjue_owner"
F = TypeVar("F", bound=Callable[..., Any])


def _token() -> str | None:
    if request.path.startswith("/api/"):  # the API takes the bearer token, never the cookie
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return token if token.startswith(sign_in.TOKEN_PREFIX) else None
    return request.cookies.get(COOKIE)


def current_owner() -> OwnerSession | None:
    """The live owner session of this request, or None."""
    if "owner_session" not in g:
        found = sign_in.session_for(_token())
        if found is None and not request.path.startswith("/api/"):
            found = _signed_in_by_letter()
        if found is not None and sign_in.use_is_due(found):
            found = sign_in.note_use(found)
            db.session.commit()  # its use noted, or the session ended: kept whatever the request does next
        g.owner_session = found
        if g.owner_session is not None:
            sign_in.act_as_owner(g.owner_session.name, g.owner_session.id)
    return cast(OwnerSession | None, g.owner_session)


#: the browser's note of the letter whose owner it signed in (once per letter: an owner who signs out stays out)
LETTER_SIGNED_IN_KEY = "owner_signed_in_by_letter"


def _signed_in_by_letter() -> OwnerSession | None:
    """The owner behind the letter whose second factor this browser passed, signed in now, once per letter (issue
    20 item 1: "or from any letter's link after its second factor"; not a proxy's letter).

    The session is opened when the owner first opens their own pages, not at the second factor: a ballot then pays
    for no session, cookie and audit event that few voters use (issue 21 item 2). It lasts the letter's 8 hours from
    the second factor, as it did when it was opened there."""
    from app.voting.views_ballot import verified_letter  # the ballot pages import this module

    credential = verified_letter()
    if credential is None or browser_session.get(LETTER_SIGNED_IN_KEY) == credential.id:
        return None
    passed_at = credential.verified_at
    if passed_at is None or passed_at + sign_in.LETTER_SESSION <= utcnow():
        return None
    browser_session[LETTER_SIGNED_IN_KEY] = credential.id
    signed = sign_in.sign_in_by_letter(credential, owner_device(), now=passed_at)
    if signed is None:
        return None
    db.session.commit()
    token = signed.token
    after_this_request(lambda response: set_cookie(response, token, lasting=False))
    return signed.session


def owner_required(view: F) -> F:
    """A page for signed-in owners: others go to the sign-in page, and come back after it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_owner() is None:
            return redirect(url_for("owners.sign_in", next=request.full_path if request.args else request.path))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def signed_in() -> OwnerSession:
    """The owner of a page under owner_required (a 404 should it be called elsewhere without one)."""
    session = current_owner()
    if session is None:
        raise not_yours()
    return session


def owned_community(community_id: int) -> MyCommunity:
    """The signed-in owner's community ``community_id`` (404 if they own nothing there)."""
    return my_community(community_id, signed_in().owner_lookups)


def set_cookie(response: Any, token: str, *, lasting: bool = True) -> Any:
    """The session's cookie: for its 30 days (``lasting``), or until the browser closes (a letter's sign-in)."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=sign_in.session_days() * 86400 if lasting else None,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def clear_cookie(response: Any) -> Any:
    response.delete_cookie(COOKIE)
    return response


def owner_device() -> str:
    """The browser and system of the request, for the owner's list of sessions ("Chrome Android")."""
    agent = request.user_agent
    return f"{agent.browser or ''} {agent.platform or ''}".strip() or agent.string[:120]
