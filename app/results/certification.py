"""The preliminary result, objections and the township's certification (DOMAIN §9; Shaoxing Art 9).

- The counted result is published as a notice for at least 5 working days (the holiday calendar decides), with a
  readable page and a Chinese PDF. Owners' objections are recorded and answered.
- After the notice period, with every objection answered, a township official certifies it, or refuses it with
  reasons. Certifying adds the township's signature over the package's body hash: the package is unchanged, and
  the earlier signatures stay valid.
- Only a certified result changes the community's state (app/rules/outcome.py): assembly established, committee
  elected, or established without a committee (the township may then convert the preparatory group into a
  property management committee).
"""

from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies, runoffs
from app.governance import services as governance
from app.governance.body_models import GoverningBody
from app.preparation.common import calendar_error, scope
from app.preparation.group import current_group, dissolve, extend_term
from app.results import keys
from app.results.models import Result, ResultObjection
from app.results.package import package_hash, sign
from app.results.verify import verify_package
from app.rules.calendar import CalendarMissing, notice_end
from app.rules.governance import Facts
from app.rules.preparation import NOTICE_WORKING_DAYS
from app.text import required_text
from app.voting.models import Meeting
from crypto.canonical import canonical_json

MAX_TEXT = 4000
#: the reason recorded when a certified first meeting did not adopt the rules and covenant (Art 16 ¶2)
FIRST_MEETING_FAILED = "首次业主大会会议未通过议事规则和管理规约"


def community_of(result: Result) -> Community:
    meeting = db.session.get_one(Meeting, result.meeting_id)
    return db.session.get_one(Community, meeting.community_id)


def _record(action: str, result: Result, summary: dict[str, object]) -> None:
    summary = {"package": result.package_sha256, **summary}
    audit.record(action, "result", result.id, summary, **scope(community_of(result)))


def publish(result: Result, today: date, user_id: int | None = None) -> None:
    """Publish the counted result for objections: the notice runs at least 5 working days from today."""
    if result.status != "counted":
        raise DomainError("not_counted", _l("Only a counted result can be published."), status=409)
    try:
        ends_on = notice_end(current_calendar(), today, NOTICE_WORKING_DAYS)
    except CalendarMissing as error:
        raise calendar_error(error) from error
    result.status, result.published_on, result.objections_until = "published", today, ends_on
    result.published_by_id = user_id
    _record("result.publish", result, {"published_on": today.isoformat(), "until": ends_on.isoformat()})


def notice_over(result: Result, today: date) -> bool:
    return result.objections_until is not None and today > result.objections_until


def record_objection(result: Result, objector: str, text: str, today: date, user_id: int | None) -> ResultObjection:
    """An owner's objection, received while the notice runs."""
    if result.status != "published" or result.objections_until is None:
        raise DomainError("not_published", _l("Objections are taken while the result is published."), status=409)
    if today > result.objections_until:
        raise DomainError("notice_over", _l("The notice period for objections has ended."), status=409)
    objection = ResultObjection(
        result_id=result.id,
        received_on=today,
        objector=required_text(objector, "objector", 100),
        text=required_text(text, "text", MAX_TEXT, multiline=True),
        recorded_by_id=user_id,
    )
    db.session.add(objection)
    db.session.flush()
    _record("result.objection", result, {"objection": objection.id})
    return objection


def answer_objection(objection: ResultObjection, answer: str, user_id: int | None) -> None:
    if objection.answer is not None:
        raise DomainError("already_answered", _l("This objection has been answered already."), status=409)
    if objection.result.status != "published":
        raise DomainError("not_published", _l("Objections are answered while the result is published."), status=409)
    objection.answer = required_text(answer, "answer", MAX_TEXT, multiline=True)
    objection.answered_at, objection.answered_by_id = utcnow(), user_id
    _record("result.answer", objection.result, {"objection": objection.id})


def _decidable(result: Result, today: date) -> None:
    db.session.flush()  # keep this transaction's changes: refresh reloads the row
    db.session.refresh(result, with_for_update=True)  # two decisions at once: the second waits, then is refused
    if result.status != "published":
        raise DomainError("not_published", _l("Only a published result can be certified or refused."), status=409)
    if not notice_over(result, today):
        raise DomainError(
            "notice_running",
            _l("The result can be decided after its notice ends on %(d)s.", d=str(result.objections_until)),
            status=409,
        )
    if any(o.answer is None for o in result.objections):
        raise DomainError("objections_open", _l("Every objection must be answered first."), status=409)


def took_part(result: Result, user_id: int) -> bool:
    """Whether ``user_id`` counted the result, published it or answered one of its objections: another official
    decides it (four eyes); the result page offers them no decision."""
    return user_id in {result.counted_by_id, result.published_by_id, *(o.answered_by_id for o in result.objections)}


def _four_eyes(result: Result, user_id: int) -> None:
    """The official who decides took no part in the result: did not count it, publish it or answer its objections."""
    if took_part(result, user_id):
        raise DomainError(
            "four_eyes", _l("Another official must decide a result you counted, published or answered."), status=403
        )


def certify(result: Result, today: date, user_id: int) -> None:
    """Certify: the township signs the package's body hash; the community's state follows the outcome. Not by the
    official who counted it (four eyes)."""
    _decidable(result, today)
    _four_eyes(result, user_id)
    community = community_of(result)
    package = json.loads(result.package)
    failed = [check.name for check in verify_package(package, published=keys.published_keys()["keys"]) if not check.ok]
    if failed or package_hash(package) != result.package_sha256:
        raise DomainError(
            "package_invalid",
            _l("The stored package fails its checks (%(checks)s): it cannot be certified.", checks=", ".join(failed)),
            status=409,
        )
    key = keys.key_in_force("township", township_id=community.township_id)
    signed_at = utcnow().replace(microsecond=0).isoformat()
    sign(package, role="township", public_pem=key.public_pem, private_pem=keys.private_pem(key), signed_at=signed_at)
    result.package = canonical_json(package).decode()
    result.status, result.decided_at, result.decided_by_id = "certified", utcnow(), user_id
    _record("result.certify", result, {"key": key.key_id, "governance": result.outcome.get("governance")})
    _change_community(community, result, today, user_id)


def _change_community(community: Community, result: Result, today: date, user_id: int) -> None:
    """The certified result's consequence for the community (app/rules/governance.py): the first meeting's result
    while the group prepares it, a run-off's (app.governance.runoffs), else an election's (by the property management
    committee, or a re-election)."""
    meeting = db.session.get_one(Meeting, result.meeting_id)
    if meeting.settings.get("runoff_of") is not None:
        _runoff_certified(community, db.session.get_one(Result, meeting.settings["runoff_of"]), meeting, today, user_id)
        return
    first = community.governance in ("preparing", "extended")
    if first:  # the first meeting: established or not, with or without a committee (app/rules/outcome.py)
        outcome = str(result.outcome.get("governance", "preparing"))
    else:  # a later meeting: the assembly exists; only a committee formed, or pending its run-off, changes the state
        formed, pending = result.outcome.get("committee_formed"), result.outcome.get("committee_pending")
        outcome = "committee" if formed else "runoff" if pending else "preparing"
    group = current_group(community) if first else None
    facts = Facts(outcome=outcome, already_extended=group is not None and group.extended_on is not None)
    event = "first_meeting_certified" if first else "election_certified"
    governance.transition(community, event, today, facts=facts, user_id=user_id, result_id=result.id)
    if not first and any(m.get("by_election") for m in json.loads(result.package)["matters"]):
        bodies.fill_vacancies(community, result, today, user_id)
    elif outcome == "committee" and community.governance == "committee":
        bodies.committee_from_result(community, result, today, user_id)
    elif group is not None and community.governance == "extended":  # Art 16 ¶2: 90 more days, once
        extend_term(group, today, FIRST_MEETING_FAILED, user_id)
    elif group is not None and community.governance == "no_assembly":  # failed again: a new group will be formed
        dissolve(group, today, FIRST_MEETING_FAILED, user_id, record_transition=False)


#: where a community waiting for a run-off returns when the run-off does not form the committee, by the kind of the
#: body that convened the election (None: the preparatory group's first meeting)
RESUMES = {None: "established", "pmc": "pmc", "re_election_group": "re_election", "committee": "committee"}


def _runoff_certified(community: Community, original: Result, runoff: Meeting, today: date, user_id: int) -> None:
    """A certified run-off completes ``original`` (DOMAIN §5): the committee waiting for it is formed (or the community
    goes back to where it was, or waits on if it tied again); a committee in office gets its settled seats and ranks.
    A run-off of an election that a later one superseded changes nothing."""
    if runoffs.latest_election(community) is not original:
        return
    committee = runoffs.committee_of(original)
    if community.governance == "runoff":
        election = db.session.get_one(Meeting, original.meeting_id)
        convener = db.session.get(GoverningBody, election.body_id) if election.body_id is not None else None
        outcome = "committee" if committee.formed else "runoff" if committee.runoff_pending else "not_formed"
        facts = Facts(outcome=outcome, resumes=RESUMES[convener.kind if convener is not None else None])
        governance.transition(community, "runoff_certified", today, facts=facts, user_id=user_id, result_id=original.id)
        if community.governance == "committee":
            bodies.committee_from_result(community, original, today, user_id, completed_by=runoff)
        return
    body = bodies.in_office(community)
    if body is not None and body.result_id == original.id:
        bodies.apply_runoff(body, original, today)


def refuse(result: Result, reason: str, today: date, user_id: int) -> None:
    """Refuse to certify, with the reasons: the community's state does not change."""
    _decidable(result, today)
    _four_eyes(result, user_id)
    result.refusal_reason = required_text(reason, "reason", 2000, multiline=True)
    result.status, result.decided_at, result.decided_by_id = "refused", utcnow(), user_id
    _record("result.refuse", result, {"reason": result.refusal_reason})
