"""/api/v1 preparation of the first assembly meeting: the group, its checklist, notices, candidates and arrears
demands (Shaoxing Arts 9–17, 22), through the same services as the pages.

Who may do what: whoever sees the community reads; the preparatory group and its township (can_prepare_community)
change the checklist, notices and candidates; the township (can_manage_community) records the request, forms,
changes, extends and dissolves the group, and reviews the candidate list. The caller's right is checked before the
request body is read. An object outside the caller's scope is "not found", like one that does not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app.api.common import check_api_auth
from app.api.preparation_schemas import (
    AnswerSchema,
    CandidateDetailSchema,
    CandidateListReviewSchema,
    CandidateSchema,
    DemandInSchema,
    DemandSchema,
    DissolutionSchema,
    DocumentInSchema,
    DocumentSchema,
    ExtensionSchema,
    FormationSchema,
    FundingInSchema,
    MeetingSchema,
    MembersChangeSchema,
    NominationSchema,
    NoticeInSchema,
    NoticeSchema,
    NoticeSummarySchema,
    ObjectionInSchema,
    ObjectionSchema,
    PaymentSchema,
    PreparationRequestSchema,
    PreparationSchema,
    ProfileSchema,
    ReviewInSchema,
    RulesSchema,
    VettingSchema,
    WithdrawalSchema,
)
from app.auth import permissions
from app.communities.models import Community
from app.errors import NotFound
from app.extensions import db
from app.governance import acting
from app.preparation import candidates as nominations
from app.preparation import checklist, notices, progress
from app.preparation import group as groups
from app.preparation.models import (
    ArrearsDemand,
    Candidate,
    CandidateListReview,
    Notice,
    NoticeObjection,
    PreparatoryGroup,
)
from app.privacy import mask_name
from app.rules.candidates import is_eligible
from app.voting.models import Meeting

blp = Blueprint("api_preparation", __name__, description="Preparation of the first assembly meeting (首次业主大会筹备)")
blp.before_request(check_api_auth)

DOCUMENT_KIND = "any(" + ", ".join(checklist.DOCUMENT_KINDS) + "):kind"


class With:
    """An object with extra attributes for a response schema (the object's own attributes show through)."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        if name == "_obj":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self._obj, name)


# --- loading objects in the caller's scope --------------------------------------------------------------------------


def _in_scope(obj: Any, community_id: Callable[[Any], int], error: NotFound) -> tuple[Any, Community]:
    community = db.session.get(Community, community_id(obj)) if obj is not None else None
    if community is None or not permissions.can_view_community(current_user, community):
        raise error
    return obj, community


def _group_community(group_id: int) -> int:
    return db.session.get_one(PreparatoryGroup, group_id).community_id


def _community(community_id: int) -> tuple[Community, Community]:
    community = permissions.get_community(current_user, community_id)
    return community, community


def _group(group_id: int) -> tuple[PreparatoryGroup, Community]:
    return _in_scope(
        db.session.get(PreparatoryGroup, group_id),
        lambda group: group.community_id,
        NotFound("group_not_found", _l("No such preparatory group.")),
    )


def _notice(notice_id: int) -> tuple[Notice, Community]:
    return _in_scope(
        db.session.get(Notice, notice_id),
        lambda notice: notice.community_id,
        NotFound("notice_not_found", _l("No such notice.")),
    )


def _objection(notice_objection_id: int) -> tuple[NoticeObjection, Community]:
    return _in_scope(
        db.session.get(NoticeObjection, notice_objection_id),
        lambda objection: objection.notice.community_id,
        NotFound("objection_not_found", _l("No such objection.")),
    )


def _candidate(candidate_id: int) -> tuple[Candidate, Community]:
    return _in_scope(
        db.session.get(Candidate, candidate_id),
        lambda candidate: nominations.pool_of(candidate).community_id,
        NotFound("candidate_not_found", _l("No such candidate.")),
    )


def _review(review_id: int) -> tuple[CandidateListReview, Community]:
    return _in_scope(
        db.session.get(CandidateListReview, review_id),
        lambda review: nominations.review_pool(review).community_id,
        NotFound("candidate_list_not_found", _l("No such candidate list.")),
    )


def _convened_meeting(meeting_id: int) -> tuple[Meeting, Community]:
    return _in_scope(
        db.session.get(Meeting, meeting_id),
        lambda meeting: meeting.community_id,
        NotFound("meeting_not_found", _l("No such meeting.")),
    )


def _demand(demand_id: int) -> tuple[ArrearsDemand, Community]:
    return _in_scope(
        db.session.get(ArrearsDemand, demand_id),
        lambda demand: demand.community_id,
        NotFound("demand_not_found", _l("No such demand.")),
    )


#: the loader of each path parameter: the object and its community, or NotFound
LOADERS: dict[str, Callable[[int], tuple[Any, Community]]] = {
    "community_id": _community,
    "group_id": _group,
    "notice_id": _notice,
    "notice_objection_id": _objection,
    "candidate_id": _candidate,
    "review_id": _review,
    "demand_id": _demand,
    "meeting_id": _convened_meeting,
}


def _pool_meeting(loaded: Any) -> Meeting | None:
    """The later meeting whose candidates the path object stands for, or None (the preparatory group's)."""
    if isinstance(loaded, Meeting):
        return loaded
    if isinstance(loaded, Candidate) and loaded.meeting_id is not None:
        return db.session.get_one(Meeting, loaded.meeting_id)
    return None


def _require_preparer(user: Any, community: Community, loaded: Any) -> None:
    """The preparatory group and its township; for a later meeting's candidates, the convening body's accounts."""
    meeting = _pool_meeting(loaded)
    if meeting is not None:
        acting.require_run(user, meeting)
    else:
        permissions.require_prepare_community(user, community)


def _require_township(user: Any, community: Community, _loaded: Any) -> None:
    permissions.require_manage_community(user, community)


def _requiring(require: Callable[[Any, Community, Any], None]) -> Callable[[Any], Any]:
    """A view decorator: load the path's object (404) and check the caller's right to its community (403) before
    the request body is read and validated (422)."""

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            key = next(key for key in kwargs if key in LOADERS)
            loaded, community = LOADERS[key](kwargs[key])
            require(current_user, community, loaded)
            return view(*args, **kwargs)

        return checked

    return decorator


#: the preparatory group and its township (Shaoxing Arts 11–13)
preparers_only = _requiring(_require_preparer)
#: the township's officials (and administrators)
township_only = _requiring(_require_township)


def _current(community: Community) -> PreparatoryGroup:
    group = groups.current_group(community)
    if group is None:
        raise NotFound("no_preparation", _l("No preparation is under way in this community."))
    return group


# --- what a preparation looks like ----------------------------------------------------------------------------------


def _clock(view: progress.ClockView) -> dict[str, Any]:
    return {
        "code": view.clock.code,
        "label": str(view.label),
        "article": view.clock.article,
        "event_date": view.clock.event_date,
        "due": view.clock.due,
        "missing_year": view.clock.missing_year,
        "provisional": view.clock.provisional,
        "state": view.state.state if view.state else None,
        "days": view.state.days if view.state else None,
        "done": view.done,
        "overdue": view.overdue,
    }


def preparation_view(group: PreparatoryGroup) -> dict[str, Any]:
    """The group with its stage, clocks, checklist, plan, funding and what still stops the meeting (DOMAIN §7)."""
    community = db.session.get_one(Community, group.community_id)
    plan = group.plan
    running = group.formed_on is not None and group.dissolved_on is None and plan is not None
    stage = progress.stage(group)
    return {
        **{name: getattr(group, name) for name in ("id", "community_id", "number", "request_kind", "requested_on")},
        **{name: getattr(group, name) for name in ("note", "formed_on", "members_announced_on")},
        "extended_on": group.extended_on,
        "dissolved_on": group.dissolved_on,
        "stage": stage,
        "stage_label": str(progress.STAGES[stage]),
        "members": group.members,
        "clocks": [_clock(view) for view in progress.clocks(group)],
        "checklist": [
            {"code": item.code, "label": str(item.label), "done": item.done, "detail": item.detail}
            for item in (checklist.checklist(group) if running else [])
        ],
        "plan": plan,
        "funding": {
            "owed_fen": checklist.funding_owed_fen(community),
            "received_fen": plan.funding_received_fen if plan else None,
            "received_on": plan.funding_received_on if plan else None,
            "reference": plan.funding_reference if plan else "",
        },
        "schedule_problems": checklist.schedule_problems(group) if running else [],
        "open_objections": notices.open_objection_count(group),
        "candidate_list": nominations.latest_review(group),
    }


def _committed_view(group: PreparatoryGroup) -> dict[str, Any]:
    db.session.commit()
    return preparation_view(group)


def _members(data: dict[str, Any]) -> list[groups.MemberInput]:
    return [groups.MemberInput(**member) for member in data["members"]]


# --- the group ------------------------------------------------------------------------------------------------------


@blp.get("/communities/<id:community_id>/preparation")
@blp.response(200, PreparationSchema)
def get_preparation(community_id: int) -> Any:
    """The community's current preparation: stage, members (no ID numbers), clocks, checklist, plan, funding owed and
    received (fen), and why the meeting cannot be scheduled yet. 404 `no_preparation` when none is under way."""
    community = permissions.get_community(current_user, community_id)
    return preparation_view(_current(community))


@blp.post("/communities/<id:community_id>/preparation")
@township_only
@blp.arguments(PreparationRequestSchema)
@blp.response(201, PreparationSchema)
def record_request(data: dict[str, Any], community_id: int) -> Any:
    """Record the developer's report or the owners' application; the 60-day clock to form the group starts
    (Shaoxing Art 11; the township)."""
    community = permissions.get_community(current_user, community_id)
    group = groups.record_request(community, data["kind"], data["requested_on"], data["note"], current_user.id)
    return _committed_view(group)


@blp.post("/preparation/<id:group_id>/formation")
@township_only
@blp.arguments(FormationSchema)
@blp.response(200, PreparationSchema)
def form_group(data: dict[str, Any], group_id: int) -> Any:
    """Form the group with its members (Shaoxing Art 12; the township). A composition that breaks Art 12 is refused
    with 422 `invalid_composition` and every reason, and nothing is stored."""
    group = _group(group_id)[0]
    groups.form_group(group, data["formed_on"], _members(data), current_user.id)
    return _committed_view(group)


@blp.put("/preparation/<id:group_id>/members")
@township_only
@blp.arguments(MembersChangeSchema)
@blp.response(200, PreparationSchema)
def replace_members(data: dict[str, Any], group_id: int) -> Any:
    """Replace the members of a formed group, with a reason and the same checks (Shaoxing Art 12 ¶2; the township)."""
    group = _group(group_id)[0]
    groups.replace_members(group, _members(data), data["reason"], current_user.id)
    return _committed_view(group)


@blp.post("/preparation/<id:group_id>/extension")
@township_only
@blp.arguments(ExtensionSchema)
@blp.response(200, PreparationSchema)
def extend_term(data: dict[str, Any], group_id: int) -> Any:
    """Extend the group's term by 90 days, once (Shaoxing Art 16 ¶2; the township)."""
    group = _group(group_id)[0]
    groups.extend_term(group, data["extended_on"], data["reason"], current_user.id)
    return _committed_view(group)


@blp.post("/preparation/<id:group_id>/dissolution")
@township_only
@blp.arguments(DissolutionSchema)
@blp.response(200, PreparationSchema)
def dissolve(data: dict[str, Any], group_id: int) -> Any:
    """Dissolve the group (Shaoxing Art 16 ¶2; the township); a new request may then start a new group."""
    group = _group(group_id)[0]
    groups.dissolve(group, data["dissolved_on"], data["reason"], current_user.id)
    return _committed_view(group)


# --- the checklist --------------------------------------------------------------------------------------------------


@blp.put("/preparation/<id:group_id>/meeting")
@preparers_only
@blp.arguments(MeetingSchema)
@blp.response(200, PreparationSchema)
def update_meeting(data: dict[str, Any], group_id: int) -> Any:
    """The meeting's voting window, form and content (Shaoxing Art 13 ¶1 (2))."""
    group = _group(group_id)[0]
    checklist.update_meeting(
        group,
        data["meeting_starts_on"],
        data["meeting_ends_on"],
        data["meeting_form"],
        data["meeting_content"],
        current_user.id,
    )
    return _committed_view(group)


@blp.put("/preparation/<id:group_id>/rules")
@preparers_only
@blp.arguments(RulesSchema)
@blp.response(200, PreparationSchema)
def update_rules(data: dict[str, Any], group_id: int) -> Any:
    """The voting and election rules (Shaoxing Art 13 ¶1 (4)–(6)); an even number of seats, or more alternates than
    half the seats, is refused with 422 `invalid_election_rules` (Art 18)."""
    group = _group(group_id)[0]
    checklist.update_rules(group, user_id=current_user.id, **data)
    return _committed_view(group)


def _document(group: PreparatoryGroup, kind: str) -> Any:
    plan = group.plan
    text = (plan.rules_text if kind == "rules_of_procedure" else plan.covenant_text) if plan else ""
    return {"kind": kind, "model_fields": checklist.document_fields(group, kind), "text": text}


@blp.get(f"/preparation/<id:group_id>/documents/<{DOCUMENT_KIND}>")
@blp.response(200, DocumentSchema)
def get_document(group_id: int, kind: str) -> Any:
    """The rules of procedure or the covenant: the model text's fields as last filled in (or their defaults), and
    the text."""
    return _document(_group(group_id)[0], kind)


@blp.put(f"/preparation/<id:group_id>/documents/<{DOCUMENT_KIND}>")
@preparers_only
@blp.arguments(DocumentInSchema)
@blp.response(200, DocumentSchema)
def put_document(data: dict[str, Any], group_id: int, kind: str) -> Any:
    """Draft the document from the model text with `fields` (Shaoxing Art 14; fields not sent keep their value), or
    save an edited `text`. A field the model text refuses answers 422 `invalid_field` naming it."""
    group = _group(group_id)[0]
    if "model_fields" in data:
        values = {**checklist.document_fields(group, kind), **data["model_fields"]}
        checklist.draft_document(group, kind, values, current_user.id)
    else:
        checklist.edit_document(group, kind, data["text"], current_user.id)
    db.session.commit()
    return _document(group, kind)


@blp.post("/preparation/<id:group_id>/funding")
@preparers_only
@blp.arguments(FundingInSchema)
@blp.response(200, PreparationSchema)
def record_funding(data: dict[str, Any], group_id: int) -> Any:
    """The developer's first-meeting funding as received, in fen (Shaoxing Art 15)."""
    group = _group(group_id)[0]
    checklist.record_funding(group, data["amount_fen"], data["received_on"], data["reference"], current_user.id)
    return _committed_view(group)


@blp.post("/preparation/<id:group_id>/schedule")
@preparers_only
@blp.response(200, PreparationSchema)
def schedule(group_id: int) -> Any:
    """Confirm the meeting on its planned days; 409 `announcements_not_run` while any notice has not run its 15 days
    (Shaoxing Art 13 ¶3) or 5 working days (Art 9), or an objection is open."""
    group = _group(group_id)[0]
    checklist.schedule(group, current_user.id)
    return _committed_view(group)


# --- notices --------------------------------------------------------------------------------------------------------


def _notice_view(notice: Notice, community: Community) -> With:
    """The notice with the earliest meeting day it allows; objectors' names masked unless the caller prepares (as
    on the notice's page)."""
    objections: list[Any] = list(notice.objections)
    if not permissions.can_prepare_community(current_user, community):
        objections = [With(o, objector_name=mask_name(o.objector_name)) for o in objections]
    return With(notice, earliest_meeting_on=notices.earliest_meeting_after(notice), objections=objections)


@blp.get("/communities/<id:community_id>/notices")
@blp.response(200, NoticeSummarySchema(many=True))
def list_notices(community_id: int) -> Any:
    """The community's notices, newest first."""
    community = permissions.get_community(current_user, community_id)
    return db.session.scalars(
        select(Notice).where(Notice.community_id == community.id).order_by(Notice.id.desc())
    ).all()


@blp.post("/communities/<id:community_id>/notices")
@preparers_only
@blp.arguments(NoticeInSchema)
@blp.response(201, NoticeSchema)
def publish_notice(data: dict[str, Any], community_id: int) -> Any:
    """Publish a document of the current preparation from `starts_on` for 5 working days (Shaoxing Art 9); its text
    is frozen with its SHA-256. 409 when the document is not ready."""
    community = permissions.get_community(current_user, community_id)
    notice = notices.publish(
        _current(community), data["kind"], data["starts_on"], current_user.id, data["title"], data["body"]
    )
    db.session.commit()
    return _notice_view(notice, community)


@blp.get("/notices/<id:notice_id>")
@blp.response(200, NoticeSchema)
def get_notice(notice_id: int) -> Any:
    """A notice as published: its text and hash, its period, the earliest meeting day it allows, its objections."""
    return _notice_view(*_notice(notice_id))


@blp.post("/notices/<id:notice_id>/objections")
@preparers_only
@blp.arguments(ObjectionInSchema)
@blp.response(201, ObjectionSchema)
def record_objection(data: dict[str, Any], notice_id: int) -> Any:
    """Record an owner's objection to the notice, or to one candidate of a candidate-list notice (Art 13 ¶3)."""
    objection = notices.record_objection(
        _notice(notice_id)[0],
        data["objector_name"],
        data["unit_label"],
        data["description"],
        current_user.id,
        data["candidate_id"],
    )
    db.session.commit()
    return objection


@blp.post("/notice-objections/<id:notice_objection_id>/answer")
@preparers_only
@blp.arguments(AnswerSchema)
@blp.response(200, ObjectionSchema)
def answer_objection(data: dict[str, Any], notice_objection_id: int) -> Any:
    """Answer an objection (Shaoxing Art 13 ¶3); it stays on record with the notice."""
    objection = notices.answer_objection(_objection(notice_objection_id)[0], data["answer"], current_user.id)
    db.session.commit()
    return objection


# --- candidates -----------------------------------------------------------------------------------------------------


def _evidence(evidence: Any, amounts: bool) -> dict[str, Any]:
    """A check's evidence; the amounts owed only for those who prepare (as on the candidate page)."""
    if amounts:
        return dict(evidence)
    return {
        key: [{k: v for k, v in item.items() if k != "amount_fen"} for item in value]
        if key in ("unpaid", "paid")
        else value
        for key, value in evidence.items()
    }


def _candidate_detail(candidate: Candidate) -> With:
    checks = nominations.eligibility(candidate)
    pool = nominations.pool_of(candidate)
    community = db.session.get_one(Community, pool.community_id)
    meeting = _pool_meeting(candidate)
    amounts = (
        acting.can_run(current_user, meeting)
        if meeting is not None
        else permissions.can_prepare_community(current_user, community)
    )
    return With(
        candidate,
        checks=[
            {
                "code": check.code,
                "label": str(nominations.CHECK_LABELS[check.code]),
                "outcome": check.outcome,
                "evidence": _evidence(check.evidence, amounts),
            }
            for check in checks
        ],
        eligible=is_eligible(checks),
    )


@blp.get("/communities/<id:community_id>/candidates")
@blp.response(200, CandidateSchema(many=True))
def list_candidates(community_id: int) -> Any:
    """The nominations of the current preparation, in the order recorded (empty when none is under way)."""
    group = groups.current_group(permissions.get_community(current_user, community_id))
    if group is None:
        return []
    return db.session.scalars(select(Candidate).where(Candidate.group_id == group.id).order_by(Candidate.id)).all()


@blp.post("/communities/<id:community_id>/candidates")
@preparers_only
@blp.arguments(NominationSchema)
@blp.response(201, CandidateDetailSchema)
def nominate(data: dict[str, Any], community_id: int) -> Any:
    """Record a nomination (Shaoxing Art 13 ¶2): self, the residents' committee, or jointly by 10 or more owners on
    the roll (`cosigner_id_numbers`, checked line by line: 422 `invalid_joint_nomination`)."""
    return _nominate(_current(permissions.get_community(current_user, community_id)), data)


def _nominate(pool: nominations.Pool, data: dict[str, Any]) -> Any:
    candidate = nominations.nominate(
        pool,
        name=data["name"],
        id_number=data["id_number"],
        route=data["route"],
        nominated_on=data["nominated_on"],
        user_id=current_user.id,
        cosigner_id_numbers=data["cosigner_id_numbers"],
        statement=data["statement"],
        stands_for=data["stands_for"],
    )
    db.session.commit()
    return _candidate_detail(candidate)


@blp.get("/candidates/<id:candidate_id>")
@blp.response(200, CandidateDetailSchema)
def get_candidate(candidate_id: int) -> Any:
    """A candidate with each eligibility check and its evidence (Shaoxing Arts 17, 22)."""
    return _candidate_detail(_candidate(candidate_id)[0])


@blp.put("/candidates/<id:candidate_id>/profile")
@preparers_only
@blp.arguments(ProfileSchema)
@blp.response(200, CandidateDetailSchema)
def update_profile(data: dict[str, Any], candidate_id: int) -> Any:
    """The statement, voluntary declarations and the signed declaration on Shaoxing Art 22 (before vetting)."""
    candidate = nominations.update_profile(_candidate(candidate_id)[0], user_id=current_user.id, **data)
    db.session.commit()
    return _candidate_detail(candidate)


@blp.post("/candidates/<id:candidate_id>/vetting")
@preparers_only
@blp.arguments(VettingSchema)
@blp.response(200, CandidateDetailSchema)
def vet(data: dict[str, Any], candidate_id: int) -> Any:
    """The group accepts (every check passed, else 409 `not_eligible`) or rejects (with a reason) a nomination."""
    candidate = nominations.vet(_candidate(candidate_id)[0], data["accept"], data["reason"], current_user.id)
    db.session.commit()
    return _candidate_detail(candidate)


@blp.post("/candidates/<id:candidate_id>/withdrawal")
@preparers_only
@blp.arguments(WithdrawalSchema)
@blp.response(200, CandidateDetailSchema)
def withdraw(data: dict[str, Any], candidate_id: int) -> Any:
    """The candidate withdraws, recorded by the group with the reason."""
    candidate = nominations.withdraw(_candidate(candidate_id)[0], data["reason"], current_user.id)
    db.session.commit()
    return _candidate_detail(candidate)


@blp.post("/communities/<id:community_id>/candidate-list")
@preparers_only
@blp.response(201, CandidateListReviewSchema)
def submit_list(community_id: int) -> Any:
    """Send the accepted candidates to the township for review; every nomination must be vetted."""
    group = _current(permissions.get_community(current_user, community_id))
    review = nominations.submit_list(group, current_user.id)
    db.session.commit()
    return review


@blp.get("/meetings/<id:meeting_id>/candidates")
@blp.response(200, CandidateSchema(many=True))
def list_meeting_candidates(meeting_id: int) -> Any:
    """The nominations for the election of a meeting convened by a body (DOMAIN §7 item 7), in the order recorded."""
    meeting = _convened_meeting(meeting_id)[0]
    return db.session.scalars(select(Candidate).where(Candidate.meeting_id == meeting.id).order_by(Candidate.id)).all()


@blp.post("/meetings/<id:meeting_id>/candidates")
@preparers_only
@blp.arguments(NominationSchema)
@blp.response(201, CandidateDetailSchema)
def nominate_for_meeting(data: dict[str, Any], meeting_id: int) -> Any:
    """A nomination for the election of a meeting convened by a body, by the same rules as the first meeting's
    (Shaoxing Art 13 ¶2; the convening body's accounts record it)."""
    return _nominate(_convened_meeting(meeting_id)[0], data)


@blp.post("/meetings/<id:meeting_id>/candidate-list")
@preparers_only
@blp.response(201, CandidateListReviewSchema)
def submit_meeting_list(meeting_id: int) -> Any:
    """The convening body's chair sends its accepted candidates to the township for review."""
    meeting = _convened_meeting(meeting_id)[0]
    acting.require_run(current_user, meeting, chair=True)
    review = nominations.submit_list(meeting, current_user.id)
    db.session.commit()
    return review


@blp.post("/candidate-lists/<id:review_id>/review")
@township_only
@blp.arguments(ReviewInSchema)
@blp.response(200, CandidateListReviewSchema)
def review_list(data: dict[str, Any], review_id: int) -> Any:
    """The township approves the list or returns it with reasons; the official who submitted it may not decide
    (403 `four_eyes`)."""
    review = nominations.review_list(_review(review_id)[0], data["approve"], data["reasons"], current_user.id)
    db.session.commit()
    return review


# --- arrears demands ------------------------------------------------------------------------------------------------


@blp.get("/communities/<id:community_id>/arrears")
@preparers_only
@blp.response(200, DemandSchema(many=True))
def list_demands(community_id: int) -> Any:
    """The written demands for unpaid fees, newest first (the group and the township: they name owners in debt)."""
    community = permissions.get_community(current_user, community_id)
    return db.session.scalars(
        select(ArrearsDemand)
        .where(ArrearsDemand.community_id == community.id)
        .order_by(ArrearsDemand.demanded_on.desc(), ArrearsDemand.id.desc())
    ).all()


@blp.post("/communities/<id:community_id>/arrears")
@preparers_only
@blp.arguments(DemandInSchema)
@blp.response(201, DemandSchema)
def record_demand(data: dict[str, Any], community_id: int) -> Any:
    """Record a written demand to the owner with this ID number (evidence for Shaoxing Art 17 ¶2 (3))."""
    demand = nominations.record_demand(
        permissions.get_community(current_user, community_id), user_id=current_user.id, **data
    )
    db.session.commit()
    return demand


@blp.post("/arrears/<id:demand_id>/payment")
@preparers_only
@blp.arguments(PaymentSchema)
@blp.response(200, DemandSchema)
def record_payment(data: dict[str, Any], demand_id: int) -> Any:
    """The owner paid what the demand asked for."""
    demand = nominations.record_payment(_demand(demand_id)[0], data["paid_on"], current_user.id)
    db.session.commit()
    return demand
