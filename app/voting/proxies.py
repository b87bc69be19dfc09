"""Proxies (委托投票): an owner may authorise someone in writing to vote for them on named matters, and the proxy votes
as the owner instructed (DOMAIN §8; Shanghai Art 18; issue 6 item 6).

- The convener records the written authorisation: the principal, the proxy's name and mobile number, the matters it
  covers, the owner's directions (optional, per matter) and the SHA-256 of its scan (the scan is not kept).
- Rules of procedure may cap how many owners one proxy represents (Zhoushan Art 17): the meeting setting
  ``max_proxies_per_person`` (default 3) counts the proxies a person (known by their number's keyed hash) holds or
  has used in the meeting; property-company staff may not act as proxies (Zhoushan Art 17): the convener declares
  that the proxy is not, or nothing is recorded.
- The proxy receives a credential of their own for the principal's ballot (`Credential.proxy_id`); its second
  factor is a one-time code sent by SMS to the proxy's phone. The ballot goes through `ballots.cast` with channel
  "proxy": uncovered matters stay blank, directed matters must be answered as directed.
- **The owner confirms** (issue 16 item 2): a proxy gets no link and casts nothing until the owner confirms it, by
  reading back a code sent to their phone on the roll (`send_owner_code`, `confirm_with_owner_code`), or, for an
  owner without a phone, until a second staff member approves the scan of the written authorisation
  (`approve_by_second_staff`). The proxy's phone may not be a staff member's (`User.phone_lookup`). The owner is
  told by SMS when the proxy's link is issued and when a ballot is counted in their name (app.voting.owner_notices).
- **decision** (DOMAIN §8): an owner who votes in person revokes an unused proxy (`revoke_unused_for`, called when
  a ballot is stored; recording, issuing and casting check it again, so a missed call changes nothing).

Every change is audited; no audit summary holds a phone number, a name, a token or a code.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.auth.models import User
from app.auth.services import staff_phone_lookup
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt, encrypt, lookup_hash, mask_name
from app.roll.validation import normalise_phone
from app.text import required_text
from app.voting import ballots, credentials, owner_notices
from app.voting.meetings import window_state
from app.voting.models import Ballot, Credential, Matter, Meeting, MeetingVoter
from app.voting.proxy_models import Proxy
from app.voting.sms import sms_backend, sms_disabled

#: Zhoushan Art 17 practice: how many owners one person may represent in a meeting, unless the rules of procedure
#: (meeting.settings["max_proxies_per_person"]) say otherwise
DEFAULT_MAX_PER_PERSON = 3
#: the reason stored when an owner's own ballot revokes their unused proxy
OWNER_VOTED = "the owner voted"
REASON_LIMIT = 200
NAME_LIMIT = 64
#: the owner's confirmation code: how long it holds, and how many wrong answers before a new code is needed
CONFIRM_MINUTES = 30
CONFIRM_ATTEMPTS = 5


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def max_principals(meeting: Meeting) -> int:
    """The cap of owners per proxy person: the meeting's setting if it is a whole number of at least 1, else 3."""
    value = (meeting.settings or {}).get("max_proxies_per_person", DEFAULT_MAX_PER_PERSON)
    return value if type(value) is int and value >= 1 else DEFAULT_MAX_PER_PERSON


def _is_staff_phone(phone: str) -> bool:
    return (
        db.session.scalar(
            select(User.id).where(User.phone_lookup == staff_phone_lookup(phone), User.is_active.is_(True)).limit(1)
        )
        is not None
    )


def phone_lookup(phone: str) -> str:
    """The keyed hash that finds one person's proxies (the number normalised to 11 digits first)."""
    return lookup_hash(f"proxy-phone:{phone}")


def voter_by_unit(meeting: Meeting, label: str) -> MeetingVoter:
    """The meeting's voter one of whose units is written ``label`` ("1幢1单元101"), or a DomainError."""
    wanted = "".join(label.split())
    if wanted:
        candidates = db.session.scalars(
            select(MeetingVoter).where(
                MeetingVoter.meeting_id == meeting.id, MeetingVoter.units_label.contains(wanted, autoescape=True)
            )
        )
        for voter in candidates:
            if wanted in voter.units_label.split("、"):
                return voter
    raise DomainError(
        "unknown_unit", _l("No voter of this meeting owns that unit. Type it as on the roll."), field="unit"
    )


def _open_for_proxies(meeting: Meeting) -> None:
    if meeting.status != "open" or window_state(meeting) not in ("before", "open"):
        raise DomainError("meeting_not_open", _l("Proxies are recorded while voting is open."), status=409)


def _covered_matters(meeting: Meeting, matter_ids: Iterable[Any]) -> list[int]:
    """The matter ids, each a matter of this meeting, at least one."""
    own = {matter.id for matter in meeting.matters}
    picked = set()
    for raw in matter_ids:
        number = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() and len(str(raw)) <= 9 else None
        if number is None or number not in own:
            raise DomainError(
                "unknown_matter", _l("The authorisation names a matter that is not of this meeting."), field="matters"
            )
        picked.add(number)
    if not picked:
        raise DomainError("no_matters", _l("Tick the matters the authorisation covers."), field="matters")
    return sorted(picked)


def _checked_directions(meeting: Meeting, covered: list[int], directions: dict[Any, Any]) -> dict[str, Any]:
    """The owner's directions keyed by matter id (text), each on a covered matter and a valid answer there (the same
    rule as a ballot's: app.voting.ballots.check_choices); a blank direction means none."""
    checked: dict[str, Any] = {}
    for key, answer in directions.items():
        if answer is None or answer == "" or answer == []:
            continue
        if not str(key).isdigit() or int(key) not in covered:
            raise DomainError(
                "direction_not_covered",
                _l("A direction is given on a matter that the authorisation does not cover."),
                field="matters",
            )
        try:
            valid = ballots.check_choices(meeting, {str(int(key)): answer})
        except DomainError as error:
            raise DomainError("invalid_direction", error.message, field="matters") from error
        checked[str(int(key))] = valid[str(int(key))]
    return checked


def _persons_proxies(meeting: Meeting, lookup: str) -> int:
    """How many owners the person represents in the meeting: their proxies in force or used (a revoked one is not
    counted; a used one is, or a person could vote for three owners and then take on three more)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Proxy)
            .where(
                Proxy.meeting_id == meeting.id,
                Proxy.proxy_phone_lookup == lookup,
                Proxy.status.in_(("active", "used")),
            )
        )
        or 0
    )


def _scan_not_recorded(scan_sha256: str, voter: MeetingVoter) -> None:
    """Refuse a scan already recorded for another owner's proxy, in this meeting or another (issue 19): each owner
    signs their own written authorisation for one meeting, so the same file twice is a mistake (the wrong file
    attached) or a forgery. Compared by its SHA-256, the only thing kept of a scan. The same owner's scan again is
    allowed after their earlier proxy was revoked (recorded with a wrong phone number, for example): a proxy in
    force or used is refused on its own grounds."""
    earlier = db.session.scalars(
        select(Proxy)
        .where(Proxy.scan_sha256 == scan_sha256, Proxy.meeting_voter_id != voter.id)
        .order_by(Proxy.id)
        .limit(1)
    ).first()
    if earlier is not None:
        raise DomainError(
            "scan_recorded",
            _l(
                "This scan was recorded on %(day)s for another owner's proxy: the same document cannot authorise "
                "two proxies. Attach the scan of this owner's own signed authorisation.",
                day=earlier.recorded_at.astimezone(SHANGHAI).date().isoformat(),
            ),
            status=409,
            field="scan",
        )


def record_proxy(
    meeting: Meeting,
    voter: MeetingVoter,
    *,
    proxy_name: str,
    proxy_phone: str,
    matter_ids: Iterable[Any],
    directions: dict[Any, Any],
    scan: bytes,
    declared_not_property_staff: bool,
    user_id: int | None,
) -> Proxy:
    """Record a written authorisation (DOMAIN §8): refused while the meeting is not open, for a principal who has
    voted or has a proxy in force, for a proxy who would represent more owners than the cap, without the declaration
    that the proxy is not property-company staff (Zhoushan Art 17), with directions outside the covered matters, or
    with a scan already recorded for another owner's proxy (`_scan_not_recorded`)."""
    _open_for_proxies(meeting)
    if voter.meeting_id != meeting.id:
        raise DomainError("unknown_unit", _l("This voter is not of this meeting."), field="unit")
    if not declared_not_property_staff:
        raise DomainError(
            "property_staff_not_declared",
            _l("Staff of the property company may not act as proxies: confirm that this proxy is not one of them."),
            field="declared_not_property_staff",
        )
    name = required_text(proxy_name, "proxy_name", NAME_LIMIT)
    phone = normalise_phone(proxy_phone)
    if phone is None:
        raise DomainError(
            "invalid_proxy_phone", _l("Type the proxy's mainland mobile number (11 digits)."), field="proxy_phone"
        )
    if _is_staff_phone(phone):
        raise DomainError(
            "proxy_is_staff",
            _l("This number is a staff member's: staff may not act as an owner's proxy."),
            field="proxy_phone",
        )
    if not scan:
        raise DomainError("no_scan", _l("Attach the scan of the signed written authorisation."), field="scan")
    covered = _covered_matters(meeting, matter_ids)
    checked = _checked_directions(meeting, covered, directions)
    # one convener at a time per meeting, so that two authorisations recorded at once cannot pass the cap together
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    if ballots.existing_ballot(voter) is not None:
        raise DomainError(
            "principal_voted", _l("This owner has voted already: a proxy is no longer possible."), status=409
        )
    in_force = db.session.scalar(
        select(Proxy.id).where(Proxy.meeting_voter_id == voter.id, Proxy.status == "active").limit(1)
    )
    if in_force is not None:
        raise DomainError(
            "proxy_exists",
            _l("This owner has a proxy in force already. Revoke it first to record another."),
            status=409,
        )
    scan_sha256 = hashlib.sha256(scan).hexdigest()
    _scan_not_recorded(scan_sha256, voter)
    lookup, cap = phone_lookup(phone), max_principals(meeting)
    if _persons_proxies(meeting, lookup) >= cap:
        raise DomainError(
            "proxy_cap",
            _l("This proxy represents %(n)d owners already, the most one person may represent in this meeting.", n=cap),
            status=409,
            field="proxy_phone",
        )
    proxy = Proxy(
        meeting_id=meeting.id,
        meeting_voter_id=voter.id,
        proxy_name=name,
        proxy_phone_cipher=encrypt(phone),
        proxy_phone_lookup=lookup,
        matter_ids=covered,
        directions=checked,
        scan_sha256=scan_sha256,
        is_declared_not_property_staff=True,
        status="active",
        recorded_by_id=user_id,
    )
    db.session.add(proxy)
    db.session.flush()
    audit.record(
        "proxy.record",
        "proxy",
        proxy.id,
        {
            "meeting": meeting.id,
            "voter": voter.id,
            "matters": covered,
            "directed": len(checked),
            "scan": proxy.scan_sha256,
        },
        **_scope(meeting),
    )
    return proxy


# --- revoking ------------------------------------------------------------------------------------------------------


def _revoke(proxy: Proxy, reason: str, user_id: int | None, meeting: Meeting) -> None:
    """Revoke the proxy and every credential of it (its link stops working at once)."""
    now = utcnow()
    proxy.status, proxy.revoked_at, proxy.revoked_by_id, proxy.revoke_reason = "revoked", now, user_id, reason
    links = 0
    for credential in db.session.scalars(
        select(Credential).where(Credential.proxy_id == proxy.id, Credential.revoked_at.is_(None))
    ):
        credential.revoked_at, links = now, links + 1
    db.session.flush()
    audit.record(
        "proxy.revoke",
        "proxy",
        proxy.id,
        {"meeting": meeting.id, "voter": proxy.meeting_voter_id, "reason": reason, "links_revoked": links},
        **_scope(meeting),
    )


def revoke_proxy(proxy: Proxy, reason: str, user_id: int | None) -> Proxy:
    """The convener revokes a proxy in force (the owner withdrew the authorisation, for example)."""
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    text = required_text(reason, "reason", REASON_LIMIT)
    if proxy.status == "used":
        raise DomainError("proxy_used", _l("The proxy has voted already: the ballot stands."), status=409)
    if proxy.status != "active":
        raise DomainError("proxy_revoked", _l("This proxy has been revoked already."), status=409)
    _revoke(proxy, text, user_id, meeting)
    return proxy


def revoke_unused_for(voter: MeetingVoter, ballot: Ballot | None = None) -> int:
    """The owner's own ballot revokes their unused proxy (DOMAIN §8 decision); called once a ballot is stored (a
    ballot cast by the proxy itself revokes nothing), with that ballot when the caller has it. Returns how many
    proxies were revoked."""
    ballot = ballot or ballots.existing_ballot(voter)
    if ballot is None or ballot.channel == "proxy":
        return 0
    unused = list(db.session.scalars(select(Proxy).where(Proxy.meeting_voter_id == voter.id, Proxy.status == "active")))
    if unused:
        meeting = db.session.get_one(Meeting, voter.meeting_id)
        for proxy in unused:
            _revoke(proxy, OWNER_VOTED, None, meeting)
    return len(unused)


def _usable(proxy: Proxy) -> None:
    """Refuse a proxy that cannot vote: revoked, or (revoking it now) whose owner has voted themselves. A caller
    that shows the refusal "owner_voted" commits first: the revocation is a change to keep."""
    if (proxy.status == "active" and revoke_unused_for(proxy.principal)) or proxy.revoke_reason == OWNER_VOTED:
        raise DomainError("owner_voted", _l("The owner has voted themselves, which revoked this proxy."), status=409)
    if proxy.status == "revoked":
        raise DomainError("proxy_revoked", _l("This proxy has been revoked."), status=409)


# --- the owner's confirmation ----------------------------------------------------------------------------------


def _confirmed(proxy: Proxy) -> None:
    if proxy.confirmed_at is None:
        raise DomainError(
            "proxy_unconfirmed",
            _l(
                "The owner has not confirmed this proxy yet: send the confirmation code to the owner's phone, or "
                "have a second staff member approve the written authorisation."
            ),
            status=409,
        )


def _unconfirmed_in_force(proxy: Proxy) -> Meeting:
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    _open_for_proxies(meeting)
    _usable(proxy)
    if proxy.confirmed_at is not None:
        raise DomainError("proxy_confirmed", _l("The owner's confirmation is recorded already."), status=409)
    return meeting


def _mark_confirmed(proxy: Proxy, via: str, user_id: int | None, meeting: Meeting) -> Proxy:
    proxy.confirmed_via, proxy.confirmed_at, proxy.confirmed_by_id = via, utcnow(), user_id
    proxy.confirm_code_lookup = proxy.confirm_expires_at = None
    db.session.flush()
    audit.record("proxy.confirm", "proxy", proxy.id, {"meeting": meeting.id, "via": via}, **_scope(meeting))
    return proxy


def send_owner_code(proxy: Proxy, user_id: int | None) -> None:
    """Send the owner, at the phone the roll records for them, a code that confirms the proxy: the owner reads it
    back to the staff member (or the proxy) only if they did authorise the proxy."""
    meeting = _unconfirmed_in_force(proxy)
    voter = proxy.principal
    if proxy.confirm_failures >= CONFIRM_ATTEMPTS:
        raise DomainError(
            "too_many_wrong_codes",
            _l("Too many wrong codes for this proxy: a second staff member approves the written authorisation."),
            status=409,
        )
    if voter.phone_cipher is None or sms_disabled():
        raise DomainError(
            "owner_has_no_phone",
            _l("No text message can reach this owner: a second staff member approves the written authorisation."),
            status=409,
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    proxy.confirm_code_lookup = lookup_hash(f"proxy-confirm:{proxy.id}:{code}")
    proxy.confirm_expires_at = utcnow() + timedelta(minutes=CONFIRM_MINUTES)
    sms_backend().send(
        meeting.id,
        decrypt(voter.phone_cipher),
        f"【共决】{meeting.title}：正在登记您委托{mask_name(proxy.proxy_name)}代您投票。如确系您本人委托，请将确认码 "
        f"{code} 告知经办人员，{CONFIRM_MINUTES}分钟内有效；"
        f"如您没有委托，请勿告知任何人，并{owner_notices.help_words(meeting)}。",
    )
    db.session.flush()
    audit.record("proxy.confirm_sent", "proxy", proxy.id, {"meeting": meeting.id}, **_scope(meeting))


def confirm_with_owner_code(proxy: Proxy, code: str, user_id: int | None) -> Proxy:
    """The code the owner read back; after `CONFIRM_ATTEMPTS` wrong answers in all (a new code does not reset them)
    the owner's code can no longer confirm this proxy, and a second staff member must: five guesses at six digits
    succeed 5 times in a million."""
    meeting = _unconfirmed_in_force(proxy)
    db.session.refresh(proxy, with_for_update=True)
    given = f"proxy-confirm:{proxy.id}:{code.strip()}"
    if not credentials.code_matches(proxy.confirm_code_lookup, proxy.confirm_expires_at, given):
        proxy.confirm_failures += 1
        if proxy.confirm_failures >= CONFIRM_ATTEMPTS:
            proxy.confirm_code_lookup = proxy.confirm_expires_at = None
        db.session.flush()
        audit.record("proxy.confirm_failed", "proxy", proxy.id, {"meeting": meeting.id}, **_scope(meeting))
        raise DomainError(
            "wrong_confirmation",
            _l("That is not the code sent to the owner, or it has expired: send a new one."),
            field="code",
        )
    return _mark_confirmed(proxy, "owner_sms", user_id, meeting)


def approve_by_second_staff(proxy: Proxy, user_id: int) -> Proxy:
    """A second staff member, not the one who recorded the proxy, approves the scan of the written authorisation
    (for an owner no text message reaches, or who prefers it)."""
    meeting = _unconfirmed_in_force(proxy)
    if proxy.recorded_by_id is not None and proxy.recorded_by_id == user_id:
        raise DomainError(
            "same_staff",
            _l("Another staff member approves the authorisation: not the one who recorded the proxy."),
            status=409,
        )
    return _mark_confirmed(proxy, "second_staff", user_id, meeting)


# --- the proxy's credential and its second factor --------------------------------------------------------------------


def issue_proxy_credential(proxy: Proxy, user_id: int | None) -> credentials.IssuedCredential:
    """A link and fallback code of the proxy's own for the principal's ballot (like `credentials.issue`: a 128-bit
    token and a typed code, stored only as SHA-256). The proxy's earlier links stop working; the owner's do not."""
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    _open_for_proxies(meeting)
    _usable(proxy)
    if proxy.status == "used":
        raise DomainError("proxy_used", _l("The proxy has voted already."), status=409)
    _confirmed(proxy)
    issued, revoked = credentials.replace_credential(proxy.principal, user_id, proxy_id=proxy.id)
    audit.record(
        "proxy.credential_issue",
        "credential",
        issued.credential.id,
        {"meeting": meeting.id, "proxy": proxy.id, "voter": proxy.meeting_voter_id, "revoked": revoked},
        **_scope(meeting),
    )
    owner_notices.proxy_link_issued(proxy.principal, meeting, proxy.proxy_name)
    return issued


def proxy_for(credential: Credential) -> Proxy | None:
    """The proxy a credential belongs to, or None for the owner's own credential."""
    return db.session.get(Proxy, credential.proxy_id) if credential.proxy_id is not None else None


def _proxy_of(credential: Credential) -> Proxy:
    proxy = proxy_for(credential)
    if proxy is None:
        raise DomainError("not_a_proxy", _l("This link is not a proxy's."), status=409)
    return proxy


def send_code(credential: Credential) -> None:
    """Send a one-time code by SMS to the proxy's phone (a proxy's second factor, whatever the meeting's)."""
    proxy = _proxy_of(credential)
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    _usable(proxy)
    if credentials.is_locked(credential):
        raise credentials.locked_error(credential)
    code = f"{secrets.randbelow(1_000_000):06d}"
    credential.otp_lookup = lookup_hash(f"otp:{credential.id}:{code}")
    credential.otp_expires_at = utcnow() + timedelta(minutes=credentials.OTP_MINUTES)
    sms_backend().send(
        meeting.id,
        decrypt(proxy.proxy_phone_cipher),
        f"【共决】您受托代理投票的验证码是 {code}，{credentials.OTP_MINUTES} 分钟内有效。",
    )
    db.session.flush()
    audit.record("credential.sms_sent", "credential", credential.id, {"proxy": proxy.id}, **_scope(meeting))


def verify(credential: Credential, answer: str) -> Credential:
    """Check the SMS code sent to the proxy; a wrong one counts towards the credential's lock-out exactly as an
    owner's does (credentials' attempts and lock, in the database). The caller commits before showing a refusal."""
    proxy = _proxy_of(credential)
    db.session.flush()
    db.session.refresh(credential, with_for_update=True)
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    if credentials.is_locked(credential):
        raise credentials.locked_error(credential)
    given = f"otp:{credential.id}:{answer.strip()}"
    if not credentials.code_matches(credential.otp_lookup, credential.otp_expires_at, given):
        raise credentials.record_failure(credential, meeting)
    credential.verified_at, credential.failed_attempts = utcnow(), 0
    credential.otp_lookup = credential.otp_expires_at = None
    db.session.flush()
    audit.record("credential.verified", "credential", credential.id, {"proxy": proxy.id}, **_scope(meeting))
    return credential


# --- casting the principal's ballot ------------------------------------------------------------------------------


def _blank(answer: Any) -> bool:
    return answer is None or answer == "" or answer == []


def _same(answer: Any, direction: Any) -> bool:
    if isinstance(answer, list | tuple) and isinstance(direction, list):
        return sorted(answer, key=str) == sorted(direction, key=str)
    return bool(answer == direction)


def _matter_refusal(proxy: Proxy, matter: Matter, answer: Any) -> DomainError | None:
    """Why the proxy may not cast ``answer`` on the matter, or None: a matter the authorisation does not cover stays
    blank, and a directed matter is answered as the owner directed (Shanghai Art 18)."""
    if matter.id not in set(proxy.matter_ids):
        if _blank(answer):
            return None
        return DomainError(
            "matter_not_covered",
            _l("The authorisation does not cover this matter; leave it blank: %(m)s", m=matter.title),
        )
    key = str(matter.id)
    if key in (proxy.directions or {}) and not _same(answer, proxy.directions[key]):
        return DomainError("against_directions", _l("The owner instructed another answer on: %(m)s", m=matter.title))
    return None


def direction_errors(proxy: Proxy, meeting: Meeting, choices: dict[str, Any]) -> dict[int, str]:
    """Every matter whose choice the proxy may not cast, with why (the rules of `proxy_choices`), by matter id: the
    review page shows them next to their matters before anything is submitted (issue 19)."""
    errors: dict[int, str] = {}
    for matter in meeting.matters:
        refusal = _matter_refusal(proxy, matter, choices.get(str(matter.id)))
        if refusal is not None:
            errors[matter.id] = str(refusal)
    return errors


def proxy_choices(proxy: Proxy, meeting: Meeting, choices: dict[str, Any]) -> dict[str, Any]:
    """The choices the proxy may cast (Shanghai Art 18: for the named matters, as instructed): a choice on a matter
    the authorisation does not cover is refused (it stays blank), and so is one that differs from the owner's
    direction on that matter."""
    allowed: dict[str, Any] = {}
    for matter in meeting.matters:
        key = str(matter.id)
        refusal = _matter_refusal(proxy, matter, choices.get(key))
        if refusal is not None:
            raise refusal
        allowed[key] = choices.get(key) if matter.id in set(proxy.matter_ids) else None
    return allowed


def cast_as_proxy(proxy: Proxy, choices: dict[str, Any], credential: Credential | None = None) -> ballots.Cast:
    """Cast the principal's ballot as their proxy (channel "proxy", one ballot per voter as always) and mark the
    proxy used; a repeat returns the same receipt. The owner's own ballot, if first, wins and revokes the proxy."""
    meeting = db.session.get_one(Meeting, proxy.meeting_id)
    voter = proxy.principal
    ballots.lock_voter(voter)  # the voter first, as every ballot path does; then the proxy as it is now
    db.session.refresh(proxy)
    if proxy.status == "used":  # a double tap or a retried request: the same receipt
        stored: Ballot | None = ballots.existing_ballot(voter)
        if stored is None:
            raise DomainError("proxy_used", _l("The proxy has voted already."), status=409)
        return ballots.Cast(stored, stored=False)
    _usable(proxy)
    _confirmed(proxy)
    result = ballots.cast(voter, proxy_choices(proxy, meeting, choices), "proxy", credential)
    if result.ballot.channel != "proxy":  # the owner's ballot was stored a moment earlier: theirs counts
        _usable(proxy)
    if proxy.status != "used":
        proxy.status, proxy.used_at = "used", utcnow()
        db.session.flush()
        audit.record(
            "proxy.use",
            "proxy",
            proxy.id,
            {"meeting": meeting.id, "voter": voter.id},
            **_scope(meeting),
        )
    return result


def voted_themselves(meeting: Meeting) -> set[int]:
    """The meeting's voters whose ballot did not come through a proxy (who voted is shown to the convener; how is
    not): a proxy of theirs still marked active is revoked in effect."""
    return set(
        db.session.scalars(
            select(Ballot.meeting_voter_id).where(Ballot.meeting_id == meeting.id, Ballot.channel != "proxy")
        )
    )
