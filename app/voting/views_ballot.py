"""The phone ballot: an owner opens the link of their letter, proves who they are, votes, checks, submits and keeps
a receipt (issue 6 item 4; DOMAIN §8). Public: no account; the voter is known by the credential alone.

The link ``/v?t=<token>`` is the only URL that ever carries the token: its credential goes into the session and the
link answers at once with what ``/v/ballot`` shows (the second-factor form, for a new phone), saving the phone a
redirect on a voting night (issue 21 item 2). That page goes out with ``Referrer-Policy: origin``: its stylesheet's
request and its form's post carry the site's origin only, never the token (Flask-WTF's HTTPS check needs no more);
the next page, the second factor's answer, is at another address, so the token leaves the address bar there. Nothing
here logs, audits or renders the token. The letter's typed code (``/v/code``) leads to the same place by a redirect.
A right second factor answers with the ballot form itself (or the receipt's redirect once voted), not a redirect to it;
reloading that page re-sends the answer, which a verified session takes as "show my ballot page".
The second factor is asked in every new session (the session remembers it),
before anything about the voter's ballot is shown: whether and when they voted is the receipt's, and the receipt
comes after the second factor (issue 19 item 6). Plain server-rendered forms, no script needed: any phone browser,
WeChat's included, can vote (the one script, the ID tail's X key, has a no-script way round it).

Every refusal says what to do and whom to call (app.voting.owner_help): a locked link until when, in Beijing time; a
link that no longer works, why (a newer letter, a newer link for the proxy, the proxy revoked, the owner having
voted themselves). Every rule about the choices and about one ballot per voter lives in app.voting.ballots; these
views only show, read and pass on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from app.communities.models import Community
from app.db_retry import retrying
from app.db_types import SHANGHAI
from app.errors import DomainError
from app.extensions import db, limiter
from app.privacy import ballot_seed, decrypt, mask_phone
from app.rules.preparation import NOTICE_WORKING_DAYS
from app.voting import ballots, credentials, frozen_matters, proxies
from app.voting.ballot_forms import (
    BLANK,
    LETTER_KEYS,
    MOTION_ANSWERS,
    CodeForm,
    IdTailForm,
    SmsCodeForm,
    category_words,
    choices_in_words,
    field_name,
    matter_errors,
    read_choices,
    second_factor_form,
    selected,
    threshold_words,
)
from app.voting.meetings import window_state
from app.voting.models import Ballot, Credential, MatterAttachment, Meeting, MeetingVoter
from app.voting.owner_help import help_contact
from app.voting.proxy_models import Proxy

bp = Blueprint("ballot", __name__)

#: the session's record of the voter: {"id": credential id, "meeting": meeting id, "verified": bool}
SESSION_KEY = "voter_credential"
#: set when the last submission did not count (another ballot was there first): the receipt page says so once
NOT_COUNTED_KEY = "voter_not_counted"
#: the id of the session's credential once it stopped working (revoked), so that its pages say why
ENDED_KEY = "voter_credential_ended"

#: how the receipt names the channel a ballot came through
CHANNEL_WORDS: dict[str, Any] = {
    "phone": _l("on the phone"),
    "paper": _l("on a paper ballot"),
    "proxy": _l("by a proxy"),
}


@dataclass(frozen=True)
class Voting:
    """The voter of this session: their credential, the meeting, and whether the second factor was passed here."""

    credential: Credential
    voter: MeetingVoter
    meeting: Meeting
    community: Community
    verified: bool
    #: the voter's ballot as this request found it (the cast itself looks again under the voter's lock)
    ballot: Ballot | None


# --- the session ---------------------------------------------------------------------------------------------------


def _remember(credential: Credential, meeting_id: int) -> None:
    """Keep the credential (never its token) in the session. The second factor is asked again unless this session
    passed it already for the same credential (the link opened twice on one phone)."""
    kept = session.get(SESSION_KEY)
    again = isinstance(kept, dict) and kept.get("id") == credential.id and kept.get("verified") is True
    session[SESSION_KEY] = {"id": credential.id, "meeting": meeting_id, "verified": again}
    session.pop(ENDED_KEY, None)


def _mark_verified(credential_id: int, meeting_id: int) -> None:
    session[SESSION_KEY] = {"id": credential_id, "meeting": meeting_id, "verified": True}


#: one round trip for what every page shows, and the voter's ballot if there is one (the voter pages are the load of
#: a voting day); built once, not on each of them
VOTING_ROW = (
    sa.select(Credential, MeetingVoter, Meeting, Community, Ballot)
    .join(MeetingVoter, MeetingVoter.id == Credential.meeting_voter_id)
    .join(Meeting, Meeting.id == MeetingVoter.meeting_id)
    .join(Community, Community.id == Meeting.community_id)
    .outerjoin(Ballot, sa.and_(Ballot.meeting_id == Meeting.id, Ballot.meeting_voter_id == MeetingVoter.id))
)
#: the session's credential
VOTING_STATEMENT = VOTING_ROW.where(Credential.id == sa.bindparam("credential_id"))
#: a link's credential in force, by its token's SHA-256 (as app.voting.credentials.find, with all the rest)
VOTING_BY_TOKEN = VOTING_ROW.where(
    Credential.token_sha256 == sa.bindparam("token_sha256"), Credential.revoked_at.is_(None)
)


def _voting() -> Voting | None:
    """The session's voter, or None (no link opened, or its letter was replaced since: a revoked credential)."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("id"), int):
        return None
    row = db.session.execute(VOTING_STATEMENT, {"credential_id": kept["id"]}).one_or_none()
    if row is None or row.Credential.revoked_at is not None or row.Meeting.id != kept.get("meeting"):
        session.pop(SESSION_KEY, None)
        if row is not None and row.Credential.revoked_at is not None:
            session[ENDED_KEY] = row.Credential.id
        return None
    return _voting_of(row)


def _voting_of(row: Any) -> Voting:
    """The voter of a row of VOTING_ROW, verified if this session passed its credential's second factor."""
    kept = session.get(SESSION_KEY) or {}
    verified = kept.get("verified") is True and row.Credential.verified_at is not None
    return Voting(row.Credential, row.MeetingVoter, row.Meeting, row.Community, verified, row.Ballot)


def _commit_keeping_what_was_read() -> None:
    """Commit without expiring what this request has read: the page it answers with shows those rows as the request
    just wrote them, without reading them all again (issue 21 item 2)."""
    current = db.session()
    current.expire_on_commit = False
    try:
        current.commit()
    finally:
        current.expire_on_commit = True


def _credential_key() -> str:
    """Rate-limit key of the session's credential (the SMS code is limited per voter, not per address)."""
    kept = session.get(SESSION_KEY)
    if isinstance(kept, dict) and isinstance(kept.get("id"), int):
        return f"credential:{kept['id']}"
    return get_remote_address()


def _code_refused(response: Any) -> bool:
    """Only wrong codes count against the address's limit (a right one redirects)."""
    return bool(request.method == "POST" and response.status_code != 302)


# --- what every page shows -------------------------------------------------------------------------------------------


def local_seconds(moment: datetime) -> str:
    """A stored UTC time in Asia/Shanghai, to the second: the receipt's time."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def hash_groups(digest: str) -> list[str]:
    """A SHA-256 in groups of eight for reading and copying by hand."""
    return [digest[i : i + 8] for i in range(0, len(digest), 8)]


def _context(voting: Voting, *, with_help: bool = True) -> dict[str, Any]:
    """What the voter's pages show about the meeting and the voter; whom to call, unless the page shows no one (it
    may take a statement or two: app.voting.owner_help)."""
    return {
        "meeting": voting.meeting,
        "community": voting.community,
        "voter_name": voting.voter.shown_name,
        "units_label": voting.voter.units_label,
        "help": help_contact(voting.meeting) if with_help else None,
    }


def _phone_masked(voter: MeetingVoter) -> str | None:
    return mask_phone(decrypt(voter.phone_cipher)) if voter.phone_cipher is not None else None


def _proxy(voting: Voting) -> Proxy | None:
    """The proxy whose link this is, or None for the owner's own link (DOMAIN §8: a proxy votes for the owner)."""
    return proxies.proxy_for(voting.credential)


def _letter_keys() -> bool:
    """The owner asked for the keyboard with letters (the ID tail's no-script way to type an X)."""
    return request.values.get("keyboard") == "letters"


def _factor_form(voting: Voting) -> IdTailForm | SmsCodeForm:
    """A proxy always proves who they are by an SMS code to their own phone; an owner as the meeting says, asked for
    the end of the document the roll holds (an organisation: its representative's; DOMAIN §3). A resident ID's
    tail is typed on the number pad with an X key (app.voting.ballot_forms.IdTailForm); any other document's, which
    may hold letters anywhere, on the letter keyboard."""
    form = SmsCodeForm() if _proxy(voting) is not None else second_factor_form(voting.meeting)
    if isinstance(form, IdTailForm) and voting.voter.holder_document not in (None, "resident_id"):
        form.answer.label.text = (
            _("The last six characters of your representative's document number")
            if voting.voter.is_organisation
            else _("The last six characters of your document number")
        )
        form.answer.description = _("Of the document registered on the owner roll, letters included.")
        form.answer.render_kw = dict(LETTER_KEYS)  # a new dict: the class's own is shared by every request
    elif isinstance(form, IdTailForm) and _letter_keys():
        form.answer.render_kw = dict(LETTER_KEYS)
        form.answer.description = _("Of the ID number registered on the owner roll. If it ends with X, type X.")
    return form


def _sms_phone(voting: Voting) -> str | None:
    """The masked phone a code goes to: the proxy's, or the owner's on the roll (None: no SMS factor)."""
    proxy = _proxy(voting)
    if proxy is not None:
        return mask_phone(decrypt(proxy.proxy_phone_cipher))
    return _phone_masked(voting.voter) if voting.meeting.second_factor == "sms" else None


def _verify_page(
    voting: Voting, form: IdTailForm | SmsCodeForm | None = None, status: int = 200, message: str | None = None
) -> Any:
    """The second-factor form (ID tail, or an SMS code with its "send" button). After the window it says that voting
    has closed, the same to every owner: only the second factor leads to a receipt (or to nothing)."""
    return (
        render_template(
            "voting/ballot_verify.html",
            form=form or _factor_form(voting),
            message=message,
            phone_masked=_sms_phone(voting),
            factor="sms" if _proxy(voting) is not None else voting.meeting.second_factor,
            is_proxy=_proxy(voting) is not None,
            state=window_state(voting.meeting),
            letter_keys=_letter_keys(),
            **_context(voting),
        ),
        status,
    )


def _ceil_minute(moment: datetime) -> datetime:
    """The minute after a moment (10:14:05 → 10:15): "try again after 10:15" is then never a minute too early."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def _locked_page(voting: Voting, status: int = 200) -> Any:
    """A locked link (app.voting.credentials: 5 wrong answers lock it 15 minutes; the third lock holds it until a new
    letter): until when, in Beijing time, or that a new letter is needed, and whom to call. Nothing about a ballot."""
    credential = voting.credential
    held = credentials.is_held(credential)
    until = None if held or credential.locked_until is None else _ceil_minute(credential.locked_until)
    return (
        render_template(
            "voting/ballot_locked.html",
            held=held,
            until=until,
            paper="paper" in voting.meeting.channels,
            **_context(voting),
        ),
        status,
    )


def ended_reason(credential: Credential) -> str:
    """Why a revoked credential opens nothing (app.voting.credentials.replace_credential, app.voting.proxies._revoke):
    "replaced" (the owner's newer letter), "proxy_replaced" (a newer link for the same proxy) or "proxy_ended" (the
    proxy was revoked: by the convener, or by the owner's own ballot, DOMAIN §8). The two ends of a proxy are told
    alike: this page shows before any second factor, and "the owner voted" would tell whoever holds the link that
    the owner has voted (issue 19 item 6: nothing about a ballot before the second factor)."""
    proxy = proxies.proxy_for(credential)
    if proxy is None:
        return "replaced"
    if proxy.status == "revoked":
        return "proxy_ended"
    return "proxy_replaced"


def _ended_page(credential: Credential | None) -> Any:
    """The page of a link or code that opens nothing: unknown (nothing more can be said than to use the latest letter
    and call the number on it), or revoked, with why and whom the meeting's owners call. 404 either way, with no
    Referer (the stylesheet's request must not carry the address, and its token, into access logs)."""
    context: dict[str, Any] = {"reason": None, "help": None, "meeting": None, "community": None}
    if credential is not None:
        meeting = db.session.get_one(Meeting, credential.voter.meeting_id)
        context = {
            "reason": ended_reason(credential),
            "help": help_contact(meeting),
            "meeting": meeting,
            "community": db.session.get_one(Community, meeting.community_id),
        }
    response = current_app.make_response((render_template("voting/ballot_invalid.html", **context), 404))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _revoked(token: str = "", code: str = "") -> Credential | None:
    """The revoked credential of a link's token or a letter's code (`credentials.find` finds those in force)."""
    if token:
        column, digest = Credential.token_sha256, credentials.sha256_hex(token)
    elif code:
        column, digest = Credential.code_sha256, credentials.sha256_hex(credentials.normalise_code(code))
    else:
        return None
    return db.session.scalars(sa.select(Credential).where(column == digest, Credential.revoked_at.is_not(None))).first()


def _no_voting() -> Any:
    """No voter in this session: the page of the session's credential that stopped working (why), else the letter's
    code form."""
    ended = session.get(ENDED_KEY)
    credential = db.session.get(Credential, ended) if isinstance(ended, int) else None
    if credential is not None and credential.revoked_at is not None:
        return _ended_page(credential)
    session.pop(ENDED_KEY, None)
    return redirect(url_for("ballot.enter_code"))


def _closed_page(voting: Voting) -> Any | None:
    """The page of a window that is not open (before, after, closed), or None while voting is open."""
    state = window_state(voting.meeting)
    if state == "open":
        return None
    return render_template("voting/ballot_closed.html", state=state, **_context(voting))


def _ballot_page(
    voting: Voting,
    choices: dict[str, Any],
    errors: dict[int, str] | None = None,
    status: int = 200,
    general: str | None = None,
) -> Any:
    """The ballot form, with the choices made so far ticked and any problem next to its matter (or, for a refusal
    about no matter in particular, at the top)."""
    matters = {
        "meeting": voting.meeting,
        "choices": choices,
        "errors": errors or {},
        "motion_answers": list(MOTION_ANSWERS.items()),
        "field_name": field_name,
        "selected": selected,
        "category_words": category_words,
        "threshold_words": threshold_words,
        **_proxy_context(voting),
    }
    fresh = not choices and not errors and matters["proxy_cover"] is None
    matters_html = (
        frozen_matters.kept_rendering(
            voting.meeting,
            f"ballot-form:{get_locale()}",
            lambda: render_template("voting/_ballot_matters.html", **matters),
        )
        if fresh
        else None
    )
    return (
        render_template(
            "voting/ballot_form.html", general=general, matters_html=matters_html, **(matters | _context(voting))
        ),
        status,
    )


def _proxy_context(voting: Voting) -> dict[str, Any]:
    """For a proxy's ballot: the matters the written authorisation covers (the others stay blank) and the owner's
    directions in words, shown to the proxy who must follow them (DOMAIN §8)."""
    proxy = _proxy(voting)
    if proxy is None:
        return {"proxy_cover": None, "proxy_directions": {}}
    words: dict[int, str] = {}
    for matter in voting.meeting.matters:
        direction = (proxy.directions or {}).get(str(matter.id))
        if direction is None:
            continue
        if matter.kind == "motion":
            words[matter.id] = str(MOTION_ANSWERS.get(direction, direction))
        else:
            names = {c.id: c.name for c in matter.candidates}
            words[matter.id] = "、".join(names.get(i, str(i)) for i in direction) or str(BLANK)
    return {"proxy_cover": set(proxy.matter_ids or []), "proxy_directions": words}


def _not_ready(voting: Voting | None) -> Any | None:
    """Where to send a post that cannot go on yet: no session, not verified (before anything that depends on the
    ballot, so that not even the redirect tells whether one exists), voted already, window not open."""
    if voting is None:
        return _no_voting()
    if not voting.verified:
        return redirect(url_for("ballot.page"))
    if voting.ballot is not None:
        return redirect(url_for("ballot.receipt"))
    if window_state(voting.meeting) != "open":
        return redirect(url_for("ballot.page"))
    return None


@bp.app_template_global()
def owner_error_help(status: int) -> dict[str, Any]:
    """For the owner's error page (templates/errors/owner_error.html, app.web.error_response): whom the session's
    meeting has owners call, and after too many tries (429) when the next one is allowed (the minute after). Only
    what can be read safely: nothing from the database when it is the database that failed (503), and nothing at
    all if reading fails (the error page itself must not fail)."""
    found: dict[str, Any] = {"help": None, "retry_at": None}
    if status == 429:
        try:
            limit = limiter.current_limit
            if limit is not None:
                found["retry_at"] = _ceil_minute(datetime.fromtimestamp(limit.reset_at, tz=SHANGHAI))
        except Exception:  # the limiter's storage is away: the page says "in a few minutes"
            found["retry_at"] = None
    kept = session.get(SESSION_KEY) or {}
    if status == 503 or not isinstance(kept, dict) or not isinstance(kept.get("meeting"), int):
        return found
    try:
        meeting = db.session.get(Meeting, kept["meeting"])
        found["help"] = help_contact(meeting) if meeting is not None else None
    except Exception:
        db.session.rollback()
    return found


# --- entering: the letter's link or its typed code ---------------------------------------------------------------


@bp.get("/v")
def enter() -> Any:
    """Open a letter's link: keep its credential in the session and answer with the voter's page (module docstring:
    the token goes no further than this address)."""
    token = request.args.get("t", "")[:200]
    digest = credentials.sha256_hex(token) if token else None
    row = db.session.execute(VOTING_BY_TOKEN, {"token_sha256": digest}).one_or_none() if digest else None
    if row is None:
        return _ended_page(_revoked(token=token))
    _remember(row.Credential, row.Meeting.id)
    response = current_app.make_response(_page(_voting_of(row)))
    response.headers["Referrer-Policy"] = "origin"
    return response


@bp.route("/v/code", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], deduct_when=_code_refused)
def enter_code() -> Any:
    """Type the code printed on the letter (for owners who cannot scan its QR code); wrong codes are rate-limited."""
    form = CodeForm()
    if form.validate_on_submit():
        credential = credentials.find(code=form.code.data or "")
        if credential is not None:
            _remember(credential, credential.voter.meeting_id)
            return redirect(url_for("ballot.page"))
        revoked = _revoked(code=form.code.data or "")
        if revoked is not None:
            return _ended_page(revoked)
        form.code.errors = [
            _(
                "This code is not valid. Check it against your letter: a newer letter replaces older ones. "
                "If it still fails, ask the preparatory group."
            )
        ]
    status = 422 if request.method == "POST" else 200
    return render_template("voting/ballot_code.html", form=form), status


# --- the ballot ------------------------------------------------------------------------------------------------------


@bp.route("/v/ballot", methods=["GET", "POST"])
def page() -> Any:
    """The voter's page. Before the second factor: the window not yet open, the lock-out, or the second factor, and
    nothing about a ballot (issue 19 item 6). After it: the receipt once voted; else the window's state or the
    ballot form. A POST (the review page's "change" button) shows the form again with the choices it carries."""
    return _page(_voting(), request.form if request.method == "POST" else None)


def _page(voting: Voting | None, ballot_form: Any = None) -> Any:
    """What ``page`` shows to ``voting``: the ballot form with the choices ``ballot_form`` carries, if any."""
    if voting is None:
        return _no_voting()
    if not voting.verified:
        if window_state(voting.meeting) in ("not_open", "before"):
            return _closed_page(voting)
        if credentials.is_locked(voting.credential):
            return _locked_page(voting)
        return _verify_page(voting)
    if voting.ballot is not None:
        return redirect(url_for("ballot.receipt"))
    closed = _closed_page(voting)
    if closed is not None:
        return closed
    frozen_matters.load(voting.meeting)
    choices = read_choices(voting.meeting, ballot_form) if ballot_form is not None else {}
    return _ballot_page(voting, choices)


@bp.route("/v/verify", methods=["GET", "POST"])
def verify() -> Any:
    """Check the second factor; a wrong answer counts towards the lock-out, which is kept even though it is refused."""
    voting = _voting()
    if voting is None:
        return _no_voting()
    if request.method == "GET" or voting.verified:
        return redirect(url_for("ballot.page"))
    if credentials.is_locked(voting.credential):  # whatever was typed: the lock-out page, not a form to fill in
        return _locked_page(voting, 429)
    form = _factor_form(voting)
    if not form.validate_on_submit():
        return _verify_page(voting, form, 422)
    try:
        proxy = _proxy(voting)
        if proxy is not None:
            proxies.verify(voting.credential, form.answer.data or "")
        else:
            credentials.verify(voting.credential, form.answer.data or "")
    except DomainError as error:
        db.session.commit()  # the failed attempt and any lock-out live in the database
        if error.code == "credential_locked":
            return _locked_page(voting, error.status)
        form.answer.errors = [str(error)]
        return _verify_page(voting, form, error.status)
    _commit_keeping_what_was_read()
    if voting.credential.revoked_at is not None:  # replaced meanwhile (read under the second factor's lock)
        session.pop(SESSION_KEY, None)
        session[ENDED_KEY] = voting.credential.id
        return _no_voting()
    _mark_verified(voting.credential.id, voting.meeting.id)  # the owner is signed in from this on their own pages
    # the ballot form itself, one request fewer than a redirect to it; or the receipt's redirect, should a ballot have
    # been stored for the voter since this request read it (the rest it read stays as it was)
    return _page(replace(voting, verified=True, ballot=ballots.existing_ballot(voting.voter)))


def verified_letter() -> Credential | None:
    """The letter whose second factor this browser passed, while it is still the voter's (not replaced by a newer
    letter): app.owners.web signs its owner in to their own pages from it (issue 20 item 1)."""
    voting = _voting()
    return voting.credential if voting is not None and voting.verified else None


@bp.route("/v/send-code", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_credential_key)
def send_code() -> Any:
    """Send a one-time code by SMS to the phone on the roll (meetings whose second factor is "sms")."""
    voting = _voting()
    if voting is None:
        return _no_voting()
    if request.method == "GET" or voting.verified:
        return redirect(url_for("ballot.page"))
    try:
        if _proxy(voting) is not None:
            proxies.send_code(voting.credential)
        else:
            credentials.send_code(voting.credential)
    except DomainError as error:
        if error.code == "owner_voted":
            db.session.commit()  # the proxy's revocation is kept
            return _ended_page(db.session.get_one(Credential, voting.credential.id))
        db.session.rollback()
        if error.code == "credential_locked":
            return _locked_page(voting, error.status)
        return _verify_page(voting, status=error.status, message=str(error))
    except Exception as error:  # a provider's failure: say so, store nothing, log no number and no code
        db.session.rollback()
        current_app.logger.warning("SMS backend failed: %s", type(error).__name__)
        message = _("The text message could not be sent. Try again in a few minutes, or ask the preparatory group.")
        return _verify_page(voting, status=503, message=message)
    db.session.commit()
    flash(
        _(
            "A code was sent to %(phone)s. It is valid for %(n)d minutes.",
            phone=_sms_phone(voting) or "",
            n=credentials.OTP_MINUTES,
        ),
        "success",
    )
    return redirect(url_for("ballot.page"))


@bp.route("/v/review", methods=["GET", "POST"])
def review() -> Any:
    """Check the choices (refused ones shown on the form, choices kept), then repeat every choice in words. A
    proxy's choice against the owner's written direction is refused here, next to its matter, not only on submit."""
    voting = _voting()
    if request.method == "GET":
        return redirect(url_for("ballot.page"))
    not_ready = _not_ready(voting)
    if not_ready is not None or voting is None:
        return not_ready
    frozen_matters.load(voting.meeting)
    choices = read_choices(voting.meeting, request.form)
    errors = _all_errors(voting, choices)
    if errors:
        return _ballot_page(voting, choices, errors, 422)
    checked = ballots.check_choices(voting.meeting, choices)
    return render_template(
        "voting/ballot_review.html",
        rows=choices_in_words(voting.meeting, checked),
        field_name=field_name,
        blank=BLANK,
        **_context(voting, with_help=False),
    )


def _all_errors(voting: Voting, choices: dict[str, Any]) -> dict[int, str]:
    """Each refused matter's message: the ballot's rules (app.voting.ballots), then for a proxy the written
    authorisation's (app.voting.proxies.direction_errors) on the matters the first left alone."""
    errors = matter_errors(voting.meeting, choices)
    proxy = _proxy(voting)
    if proxy is not None:
        for matter_id, message in proxies.direction_errors(proxy, voting.meeting, choices).items():
            errors.setdefault(matter_id, message)
    return errors


@bp.route("/v/cast", methods=["GET", "POST"])
def cast() -> Any:
    """Submit the ballot (once: a repeat finds the ballot stored and shows its receipt)."""
    voting = _voting()
    if request.method == "GET":
        return redirect(url_for("ballot.receipt"))
    not_ready = _not_ready(voting)
    if not_ready is not None or voting is None:
        if voting is not None and voting.verified and (earlier := voting.ballot) is not None:
            _note(ballots.Cast(earlier, stored=False), voting, read_choices(voting.meeting, request.form))
        return not_ready
    frozen_matters.load(voting.meeting)
    choices = read_choices(voting.meeting, request.form)
    proxy = _proxy(voting)

    def submit() -> ballots.Cast:
        if proxy is not None:
            result = proxies.cast_as_proxy(proxy, choices, voting.credential)
        else:
            result = ballots.cast(voting.voter, choices, "phone", voting.credential)
        db.session.commit()
        return result

    try:
        result = retrying(submit)
    except DomainError as error:
        if error.code == "owner_voted":
            db.session.commit()  # the proxy's revocation is kept
            return _ended_page(db.session.get_one(Credential, voting.credential.id))
        db.session.rollback()
        if error.code == "window_closed":
            return redirect(url_for("ballot.page"))
        errors = _all_errors(voting, choices)
        return _ballot_page(voting, choices, errors, error.status, general=None if errors else str(error))
    _note(result, voting, choices)
    return redirect(url_for("ballot.receipt"))


def _note(result: ballots.Cast, voting: Voting, choices: dict[str, Any]) -> None:
    """Tell the receipt page, once, that this submission did not count (issue 18 item 4): another ballot was there
    first (paper, a proxy, another phone or link, or this link's earlier ballot with other choices). Not for a
    ballot stored now, nor for the same ballot sent again from the same link (a double tap)."""
    if result.stored:
        return  # (first: nothing is read again from the database after the commit)
    ballot = result.ballot
    same_link = ballot.credential_id == voting.credential.id
    if same_link and _same_choices(ballot, voting.meeting, choices):
        return
    session[NOT_COUNTED_KEY] = {"channel": ballot.channel, "same_link": same_link}


def _same_choices(ballot: Ballot, meeting: Meeting, choices: dict[str, Any]) -> bool:
    try:
        return bool(ballot.choices == ballots.check_choices(meeting, choices))
    except DomainError:
        return False


@bp.get("/v/receipt")
def receipt() -> Any:
    """The ballot received, after the second factor in this session only (issue 19 item 6: that and when the owner
    voted is not shown before it): when, how, the receipt code and hash, and where and when the result will be
    published and how to check that this ballot is in it."""
    voting = _voting()
    if voting is None:
        return _no_voting()
    if not voting.verified:
        return redirect(url_for("ballot.page"))
    ballot = voting.ballot
    if ballot is None:
        return redirect(url_for("ballot.page"))
    not_counted = session.pop(NOT_COUNTED_KEY, None)
    result = _public_result(voting.meeting) if voting.meeting.status == "counted" else None
    return render_template(
        "voting/ballot_receipt.html",
        ballot=ballot,
        not_counted=not_counted if isinstance(not_counted, dict) else None,
        received_at=local_seconds(ballot.cast_at),
        channel=str(CHANNEL_WORDS.get(ballot.channel, ballot.channel)),
        hash_groups=hash_groups(ballot.receipt_sha256),
        result=result,
        result_digest=result.package_sha256 if result is not None else None,
        notice_days=NOTICE_WORKING_DAYS,
        **_context(voting),
    )


def _public_result(meeting: Meeting) -> Any:
    """The meeting's result once published (published for objections, certified, or refused by the township), or
    None: the receipt then links its public page and the owner's inclusion check (issue 7 item 8)."""
    from app.results.models import Result

    return db.session.scalars(
        sa.select(Result).where(
            Result.meeting_id == meeting.id, Result.status.in_(("published", "certified", "refused"))
        )
    ).first()


def _published_result(meeting: Meeting) -> str | None:
    """The package hash of the meeting's published result, for the owner's check (issue 7 item 8)."""
    result = _public_result(meeting)
    return result.package_sha256 if result is not None else None


@bp.get("/v/my-ballot.json")
def my_ballot() -> Any:
    """The owner's own ballot check (issue 17 item 4): each option's mark and the randomness that encrypted it, so
    that `gongjue verify --my-ballot` shows the published ciphertexts of their receipt hold exactly their choices.
    Only after the second factor in this session, and once an encrypted result is published; never cached."""
    from app.results import counting, encrypted
    from app.results.models import CountRun, Result

    voting = _voting()
    if voting is None:
        return _no_voting()
    ballot = voting.ballot
    digest = _published_result(voting.meeting) if voting.meeting.status == "counted" else None
    if ballot is None or digest is None or not voting.verified:
        return redirect(url_for("ballot.receipt"))
    encrypted_count = sa.select(CountRun.id).join(Result, Result.id == CountRun.result_id)
    if db.session.scalar(encrypted_count.where(Result.package_sha256 == digest).limit(1)) is None:
        abort(404)  # a result counted before ballots were encrypted: nothing to check against
    document = encrypted.my_ballot(
        ballot.receipt_sha256,
        ballot.choices,
        counting.engine_matters(voting.meeting),
        ballot_seed(voting.meeting.id),
        voting.meeting.id,
    )
    response = jsonify(document)
    response.headers["Content-Disposition"] = "attachment; filename=my-ballot.json"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/v/attachments/<id:attachment_id>")
def attachment(attachment_id: int) -> Any:
    """A matter's PDF, for the voter of that matter's meeting only."""
    voting = _voting()
    item = db.session.get(MatterAttachment, attachment_id)
    if voting is None or item is None or item.matter.meeting_id != voting.meeting.id:
        abort(404)
    return Response(
        item.data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=attachment-{item.id}.pdf"},
    )
