"""/api/v1 results (issue 7 item 9): closing a meeting, the paper ballots still to settle, counting, the result and
its signed package, publication, objections and their answers, the township's certification or refusal, and
checking any package, through the same services as the pages (app.results; DOMAIN §9; docs/results.md).

Who may do what, as on the pages (app.results.views): whoever sees the community reads its results and downloads
their packages; the convener (the preparatory group and its township, can_prepare_community) closes early, leaves
unsettled paper ballots out, counts, publishes, records objections and answers them; a township official
(can_manage_community) certifies or refuses, and not the one who counted (four eyes, in the service). The caller's
right is checked before the request body is read; an object outside the caller's scope is "not found". Checking a
package (`POST /verify`) is for anyone with a token and stores nothing. Every change is audited by its service.

Secrecy (DOMAIN §8): no response here says how anyone voted, save the package, whose ledger publishes the ballots
under the voters' pseudonyms. Objectors' names are masked unless the caller convenes, as on the notices' API.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app import jobs
from app.api.common import check_api_auth
from app.api.results_schemas import (
    AnswerInSchema,
    ClosedMeetingSchema,
    CountRunSchema,
    PaperExclusionInSchema,
    PaperExclusionSchema,
    RefusalInSchema,
    ResultObjectionInSchema,
    ResultObjectionSchema,
    ResultSchema,
    UnsettledPaperSchema,
    VerificationSchema,
    VerifyQuerySchema,
)
from app.api.voting import LOADERS, _meeting, _meeting_in_scope, _of_meeting, _requiring, conveners_only, meeting_view
from app.auth import permissions
from app.auth.models import User
from app.calendar.services import notice_is_provisional
from app.communities.models import Community
from app.errors import DomainError, NotFound
from app.extensions import db
from app.privacy import mask_name
from app.results import certification, closing, count_runs, keys
from app.results.cli import PackageFileError, body_hash, load_package_json, report, signers
from app.results.models import CountRun, Result, ResultObjection
from app.results.presentation import GOVERNANCE_LABELS, STATUS_LABELS
from app.results.tasks import count_meeting
from app.results.verify import verify_package
from app.roll.services import today
from app.voting import paper

blp = Blueprint(
    "api_results",
    __name__,
    description="Results (结果): closing, counting, the signed package, objections, certification, verification",
)
blp.before_request(check_api_auth)

#: the request body of POST /verify: a result package, read as the `gongjue verify` command reads a file
PACKAGE_BODY = {
    "required": True,
    "description": "a result package (gongjue.result-package/1), as downloaded; UTF-8 JSON, no key twice in an object",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


# --- loading objects in the caller's scope --------------------------------------------------------------------------


def _result(result_id: int) -> tuple[Result, Community]:
    return _of_meeting(db.session.get(Result, result_id), NotFound("result_not_found", _l("No such result.")))


def _objection(objection_id: int) -> tuple[ResultObjection, Community]:
    error = NotFound("objection_not_found", _l("No such objection."))
    objection = db.session.get(ResultObjection, objection_id)
    if objection is None:
        raise error
    return objection, _meeting_in_scope(db.session.get_one(Result, objection.result_id).meeting_id, error)[1]


#: the loaders of the results' path parameters, for `_requiring` (404 outside the caller's scope)
LOADERS["result_id"] = _result
LOADERS["objection_id"] = _objection


def _require_township(user: User, community: Community, _loaded: Any = None) -> None:
    permissions.require_manage_community(user, community)


#: an official of the community's township (certification; four eyes is the service's)
officials_only = _requiring(_require_township)


# --- what a result looks like ----------------------------------------------------------------------------------------


def objection_view(objection: ResultObjection, *, convener: bool) -> dict[str, Any]:
    return {
        **{name: getattr(objection, name) for name in ("id", "result_id", "received_on", "text", "answer")},
        "objector": objection.objector if convener else mask_name(objection.objector),
        "answered_at": objection.answered_at,
    }


def result_view(result: Result, community: Community) -> dict[str, Any]:
    """The result: its status and dates, the package's hash and signers, the outcome, objections, the signed tally."""
    package = json.loads(result.package)
    convener = permissions.can_prepare_community(current_user, community)
    governance = str(result.outcome.get("governance", "preparing"))
    names = ("id", "meeting_id", "status", "package_sha256", "counted_at", "published_on", "objections_until")
    return {
        **{name: getattr(result, name) for name in names},
        "community_id": community.id,
        "status_label": str(STATUS_LABELS[result.status]),
        "objections_until_provisional": notice_is_provisional(result.published_on, result.objections_until),
        "decided_at": result.decided_at,
        "refusal_reason": result.refusal_reason,
        "outcome": result.outcome,
        "governance_label": str(GOVERNANCE_LABELS.get(governance, governance)),
        "signers": signers(package),
        "objections": [objection_view(o, convener=convener) for o in result.objections],
        "labels": package["labels"],
        "tally": package["tally"],
    }


def _committed_view(result: Result, community: Community) -> dict[str, Any]:
    db.session.commit()
    return result_view(result, community)


# --- closing and the paper ballots still to settle -----------------------------------------------------------------


@blp.post("/meetings/<id:meeting_id>/close")
@conveners_only
@blp.response(200, ClosedMeetingSchema)
def close(meeting_id: int) -> Any:
    """Close voting before the window's end, which only once every voter has voted is allowed (409 `voters_left`);
    after the end it closes as Celery beat would. Closing a closed meeting changes nothing (`closed_now` false).
    No phone or proxy ballot is taken afterwards; returned paper ballots may still be entered until the count."""
    meeting = _meeting(meeting_id)[0]
    closed_now = closing.close(meeting, early=True)
    db.session.commit()
    return {**meeting_view(meeting), "closed_at": meeting.closed_at, "closed_now": closed_now}


@blp.get("/meetings/<id:meeting_id>/unsettled-paper")
@conveners_only
@blp.response(200, UnsettledPaperSchema(many=True))
def unsettled_paper(meeting_id: int) -> Any:
    """The paper ballots that keep the meeting from being counted, by voter in roll order, each with its entries
    (never their marks): the tellers settle them, or the convener leaves them out with a reason."""
    meeting = _meeting(meeting_id)[0]
    waiting = closing.unsettled(meeting) if meeting.status in ("open", "closed") else []
    return [
        {
            "voter_id": item.voter.id,
            "paper_code": paper.paper_code(item.voter),
            "building": item.voter.building,
            "units_label": item.voter.units_label,
            "holder": item.voter.shown_name,
            "status": item.status,
            "entries": item.entries,
        }
        for item in waiting
    ]


@blp.post("/meetings/<id:meeting_id>/paper-exclusions")
@conveners_only
@blp.arguments(PaperExclusionInSchema)
@blp.response(200, PaperExclusionSchema)
def exclude_paper(data: dict[str, Any], meeting_id: int) -> Any:
    """Leave a voter's unsettled paper entries out of the count, with the reason, which the package publishes
    (audited). 404 `nothing_to_exclude` when the voter has none; 409 `meeting_counted` after the count."""
    meeting = _meeting(meeting_id)[0]
    entries = closing.exclude_paper(meeting, data["voter_id"], data["reason"])
    db.session.commit()
    return {"voter_id": data["voter_id"], "entries": entries, "unsettled": len(closing.unsettled(meeting))}


# --- counting and the result -----------------------------------------------------------------------------------


def _run_view(run: CountRun) -> dict[str, Any]:
    names = ("id", "meeting_id", "status", "progress", "ballot_count", "result_id", "failure")
    return {name: getattr(run, name) for name in (*names, "created_at", "started_at", "finished_at")}


@blp.post("/meetings/<id:meeting_id>/count")
@conveners_only
@blp.response(202, CountRunSchema)
def count(meeting_id: int) -> Any:
    """Count the closed meeting in the background: every ballot encrypted with its proofs, the totals decrypted by
    the platform and the township, the counting engine on the totals, the package signed by the platform and the
    convener; then the meeting is `counted` and the run carries `result_id`. Poll `GET …/count` for the progress.
    The meeting is `counting` meanwhile (no paper entry). 409 `meeting_not_closed`, `already_counted`,
    `count_running`, or `paper_unsettled` while a paper ballot is neither settled nor left out."""
    meeting = _meeting(meeting_id)[0]
    run_id = count_runs.start(meeting, current_user.id).id
    db.session.commit()
    jobs.start_or_fail("count", run_id, count_meeting, run_id=run_id)  # not queued: failed, the meeting closed again
    db.session.expire_all()
    return _run_view(db.session.get_one(CountRun, run_id))


@blp.get("/meetings/<id:meeting_id>/count")
@blp.response(200, CountRunSchema)
def count_progress(meeting_id: int) -> Any:
    """The meeting's latest count: its status and progress (0–100), then its result or why it failed. 404
    `count_not_started` before any."""
    meeting = _meeting(meeting_id)[0]
    run = count_runs.latest(meeting)
    if run is None:
        raise NotFound("count_not_started", _l("This meeting has not been counted."))
    jobs.reap_if_silent("count", run)
    return _run_view(run)


@blp.post("/meetings/<id:meeting_id>/count/cancel")
@conveners_only
@blp.response(200, CountRunSchema)
def cancel_count(meeting_id: int) -> Any:
    """Stop the meeting's count: nothing is published and the meeting is `closed` again (`failure` "cancelled").
    404 `count_not_started` before any count; 409 `job_ended` once it has ended."""
    meeting = _meeting(meeting_id)[0]
    run = count_runs.latest(meeting)
    if run is None:
        raise NotFound("count_not_started", _l("This meeting has not been counted."))
    jobs.cancel("count", run)
    db.session.refresh(run)
    return _run_view(run)


@blp.get("/meetings/<id:meeting_id>/result")
@blp.response(200, ResultSchema)
def meeting_result(meeting_id: int) -> Any:
    """The meeting's result (404 `result_not_found` before the count). A result only counted is seen by those who
    see the community; it becomes public when published."""
    meeting, community = _meeting(meeting_id)
    result = db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()
    if result is None:
        raise NotFound("result_not_found", _l("No such result."))
    return result_view(result, community)


@blp.get("/results/<id:result_id>")
@blp.response(200, ResultSchema)
def get_result(result_id: int) -> Any:
    """A result: its status and dates, the package's hash and who signed it, the outcome, the objections with their
    answers, and the signed tally (with the matters' titles and the candidates' names)."""
    return result_view(*_result(result_id))


@blp.get("/results/<id:result_id>/package")
@blp.response(200, {"type": "object"}, content_type="application/json")
def download_package(result_id: int) -> Any:
    """The signed package (gongjue.result-package/1) exactly as stored: its canonical JSON text, which
    `gongjue verify` and `POST /verify` check. Once certified it carries the township's signature too."""
    result = _result(result_id)[0]
    name = f"result-{result.package_sha256[:12]}.json"
    return Response(
        result.package, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@blp.post("/results/<id:result_id>/publish")
@conveners_only
@blp.response(200, ResultSchema)
def publish(result_id: int) -> Any:
    """Publish the counted result for objections from today: the notice runs at least 5 working days (the holiday
    calendar decides) and the result becomes public at /r/<package_sha256>. 409 `not_counted` once published."""
    result, community = _result(result_id)
    certification.publish(result, today(), current_user.id)
    return _committed_view(result, community)


@blp.post("/results/<id:result_id>/objections")
@conveners_only
@blp.arguments(ResultObjectionInSchema)
@blp.response(201, ResultObjectionSchema)
def record_objection(data: dict[str, Any], result_id: int) -> Any:
    """Record an owner's objection, received today; while the notice runs only (409 `not_published`,
    `notice_over`). The township cannot decide while an objection is unanswered."""
    result = _result(result_id)[0]
    objection = certification.record_objection(result, data["objector"], data["text"], today(), current_user.id)
    db.session.commit()
    return objection_view(objection, convener=True)


@blp.post("/result-objections/<id:objection_id>/answer")
@conveners_only
@blp.arguments(AnswerInSchema)
@blp.response(200, ResultObjectionSchema)
def answer_objection(data: dict[str, Any], objection_id: int) -> Any:
    """Answer an objection, once (409 `already_answered`), while the result is published."""
    objection = _objection(objection_id)[0]
    certification.answer_objection(objection, data["answer"], current_user.id)
    db.session.commit()
    return objection_view(objection, convener=True)


@blp.post("/results/<id:result_id>/certify")
@officials_only
@blp.response(200, ResultSchema)
def certify(result_id: int) -> Any:
    """Certify the published result (a township official): the township signs the package's body hash, the earlier
    signatures stay valid, and the community's state follows the outcome. 409 `notice_running` before the notice
    ends, `objections_open` while one is unanswered; 403 `four_eyes` for the official who counted it."""
    result, community = _result(result_id)
    certification.certify(result, today(), current_user.id)
    return _committed_view(result, community)


@blp.post("/results/<id:result_id>/refuse")
@officials_only
@blp.arguments(RefusalInSchema)
@blp.response(200, ResultSchema)
def refuse(data: dict[str, Any], result_id: int) -> Any:
    """Refuse to certify, with the reasons (a township official, on the same conditions as certifying); the
    community's state does not change."""
    result, community = _result(result_id)
    certification.refuse(result, data["reason"], today(), current_user.id)
    return _committed_view(result, community)


# --- checking a package ----------------------------------------------------------------------------------------


@blp.post("/verify")
@blp.arguments(VerifyQuerySchema, location="query")
@blp.doc(requestBody=PACKAGE_BODY)
@blp.response(200, VerificationSchema)
def verify(query: dict[str, Any]) -> Any:
    """Check a result package as `gongjue verify` does: the format, every signature against its key and the
    signatures needed (the township's too with `township=true`), the Merkle roots of the roll and the ledger, their
    order, every ballot's voter on the roll once, and the whole tally recounted. A failed check says what is wrong;
    a package that is not shaped like one fails its "structure" check. Nothing is stored. 422 `not_json` when the
    body is not a JSON document."""
    try:
        document = load_package_json(request.get_data(cache=False))
    except PackageFileError as error:
        raise DomainError("not_json", _l("This file is not a result package: it is not JSON.")) from error
    published = keys.published_keys()["keys"]
    checks = verify_package(document, require_township=query["township"], published=published)
    found = report(checks, body_hash(document), signers(document))  # as `gongjue verify --format json` prints it
    return {
        "ok": found["passed"],
        "package_sha256": found["package"],
        "signers": found["signers"],
        "checks": found["checks"],
    }
