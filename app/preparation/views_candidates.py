"""Pages of the preparation: candidates for the owners' committee, the township's review of their list, and the
written arrears demands that bar a candidacy (Shaoxing Arts 13, 17, 22; DOMAIN §6).

ID numbers typed into these forms go to the services and nowhere else: a refused form is answered by a redirect
and a flashed message that names lines, never numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import defer

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import acting
from app.preparation import candidates as nominations
from app.preparation.candidate_forms import (
    ARREARS_KIND_LABELS,
    OUTCOME_LABELS,
    PROHIBITED_ACT_TEXTS,
    REVIEW_LABELS,
    ROUTE_LABELS,
    STATUS_LABELS,
    DemandForm,
    NominationForm,
    PaymentForm,
    PhotoForm,
    ProfileForm,
    ReviewForm,
    VetForm,
    WithdrawForm,
    tie_from,
    tie_value,
)
from app.preparation.common import parse_yuan, today
from app.preparation.documents import yuan
from app.preparation.group import current_group
from app.preparation.models import ArrearsDemand, Candidate, CandidateListReview
from app.preparation.page_helpers import community_in_scope, done, invalid, refused, require_preparer
from app.privacy import mask_name
from app.rules.candidates import Check
from app.voting.models import Meeting

bp = Blueprint("candidates", __name__)


# --- loading, with the caller's scope -------------------------------------------------------------------------


def _candidate(candidate_id: int) -> tuple[Candidate, Community]:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    return candidate, community_in_scope(nominations.pool_of(candidate).community_id)


def _may_prepare(pool: nominations.Pool | None, community: Community) -> bool:
    """Who acts on a pool's candidates: the preparatory group and its township, or the convening body's accounts for
    a later meeting's (app.governance.acting)."""
    if isinstance(pool, Meeting):
        return acting.can_run(current_user, pool)
    return permissions.can_prepare_community(current_user, community)


def _require_pool(pool: nominations.Pool, community: Community, *, chair: bool = False) -> None:
    if isinstance(pool, Meeting) and chair:
        if not acting.can_run(current_user, pool, chair=True):
            abort(403)
    elif not _may_prepare(pool, community):
        abort(403)


def _pool_page(pool: nominations.Pool | None, community: Community) -> Any:
    """The nominations of a pool with their checks, the list's review by the township, and the forms."""
    candidates = (
        list(
            db.session.scalars(
                select(Candidate)
                .where(nominations.in_pool(pool, Candidate))
                .options(defer(Candidate.photo))
                .order_by(Candidate.id)
            )
        )
        if pool is not None
        else []
    )
    review = nominations.latest_review(pool) if pool is not None else None
    meeting = pool if isinstance(pool, Meeting) else None
    return render_template(
        "preparation/candidates.html",
        community=community,
        group=pool,
        meeting=meeting,
        candidates=candidates,
        summaries={c.id: summary_of(nominations.eligibility(c)) for c in candidates},
        shares=Shares.of(candidates),
        review=review,
        locked=review is not None and review.decision in ("pending", "approved"),
        can_prepare=_may_prepare(pool, community),
        can_submit=acting.can_run(current_user, meeting, chair=True) if meeting else _may_prepare(pool, community),
        can_manage=permissions.can_manage_community(current_user, community),
        form=NominationForm(nominated_on=today()),
        separate_lists=pool is not None and nominations.separate_lists(pool),
        review_form=ReviewForm(),
        nominate_url=(
            url_for("candidates.nominate_for_meeting", meeting_id=meeting.id)
            if meeting
            else url_for("candidates.nominate", community_id=community.id)
        ),
        submit_url=(
            url_for("candidates.submit_meeting_list", meeting_id=meeting.id)
            if meeting
            else url_for("candidates.submit_list", community_id=community.id)
        ),
        **_words(),
    )


def _nominate(pool: nominations.Pool, back: str) -> Any:
    form = NominationForm()
    if not form.validate_on_submit() or form.nominated_on.data is None:
        return invalid(form, back)
    try:
        candidate = nominations.nominate(
            pool,
            name=form.name.data or "",
            id_number=form.id_number.data or "",
            route=form.route.data or "",
            nominated_on=form.nominated_on.data,
            user_id=current_user.id,
            cosigner_id_numbers=(form.cosigners.data or "").splitlines() if form.route.data == "joint" else (),
            statement=form.statement.data or "",
            stands_for=form.stands_for.data or None,
        )
    except DomainError as error:
        return refused(error, back, form)
    candidate_id, name = candidate.id, candidate.name
    return done(
        _("%(name)s is nominated. Complete the profile and declarations, then vet.", name=name),
        url_for("candidates.candidate_page", candidate_id=candidate_id),
    )


def _submit(pool: nominations.Pool, back: str) -> Any:
    try:
        nominations.submit_list(pool, current_user.id)
    except DomainError as error:
        return refused(error, back)
    return done(_("The list is sent to the township for review."), back)


def _convened(meeting_id: int) -> tuple[Meeting, Community]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.body_id is None:  # the first meeting's candidates are the group's
        abort(404)
    return meeting, community_in_scope(meeting.community_id)


@bp.get("/meetings/<id:meeting_id>/candidates")
@login_required
def meeting_index(meeting_id: int) -> Any:
    """The candidates for the election of a meeting convened by a body: the first meeting's pipeline (DOMAIN §7)."""
    meeting, community = _convened(meeting_id)
    return _pool_page(meeting, community)


@bp.post("/meetings/<id:meeting_id>/candidates")
@login_required
def nominate_for_meeting(meeting_id: int) -> Any:
    """Record a nomination for a later meeting's election (Art 13 ¶2), by the convening body."""
    meeting, community = _convened(meeting_id)
    _require_pool(meeting, community)
    return _nominate(meeting, url_for("candidates.meeting_index", meeting_id=meeting.id))


@bp.post("/meetings/<id:meeting_id>/candidates/submit")
@login_required
def submit_meeting_list(meeting_id: int) -> Any:
    """The convening body sends its accepted candidates to the township for review (seed item 13)."""
    meeting, community = _convened(meeting_id)
    _require_pool(meeting, community, chair=True)
    return _submit(meeting, url_for("candidates.meeting_index", meeting_id=meeting.id))


# --- what the pages show ----------------------------------------------------------------------------------------


def summary_of(checks: Sequence[Check]) -> str:
    """One word for a candidate's checks: "fail" if any fails, else "pending" if any waits, else "pass"."""
    outcomes = {check.outcome for check in checks}
    return "fail" if "fail" in outcomes else ("pending" if "pending" in outcomes else "pass")


@dataclass(frozen=True)
class Shares:
    """Party members and deputies (people's congress or CPPCC: 两代表一委员) among the accepted candidates
    (Shaoxing Art 18; seed item 13)."""

    accepted: int
    party_members: int
    deputies: int

    @staticmethod
    def of(candidates: Sequence[Candidate]) -> Shares:
        accepted = [c for c in candidates if c.status == "accepted"]
        return Shares(
            accepted=len(accepted),
            party_members=sum(1 for c in accepted if c.party_member),
            deputies=sum(1 for c in accepted if c.peoples_congress_deputy or c.cppcc_member),
        )

    def percent(self, part: int) -> int:
        return round(100 * part / self.accepted) if self.accepted else 0


def declared_labels(candidate: Candidate) -> list[str]:
    """What the candidate voluntarily declared (Shaoxing Art 18): party member, 党代表, deputy, CPPCC member."""
    return [
        str(label)
        for flag, label in (
            (candidate.party_member, _("party member")),
            (candidate.party_congress_deputy, _("party congress deputy")),
            (candidate.peoples_congress_deputy, _("people's congress deputy")),
            (candidate.cppcc_member, _("CPPCC member")),
        )
        if flag
    ]


def _words() -> dict[str, Any]:
    """The labels and formatters every candidate template uses."""
    return {
        "route_label": lambda route: str(ROUTE_LABELS.get(route, route)),
        "candidate_status_label": lambda status: str(STATUS_LABELS.get(status, status)),
        "outcome_label": lambda outcome: str(OUTCOME_LABELS.get(outcome, outcome)),
        "review_label": lambda decision: str(REVIEW_LABELS.get(decision, decision)),
        "arrears_kind_label": lambda kind: str(ARREARS_KIND_LABELS.get(kind, kind)),
        "check_label": lambda code: str(nominations.CHECK_LABELS.get(code, code)),
        "act_text": lambda item: str(PROHIBITED_ACT_TEXTS.get(item, item)),
        "declared_labels": declared_labels,
        "yuan": yuan,
        "mask_name": mask_name,
    }


# --- the candidate list -----------------------------------------------------------------------------------------


@bp.get("/communities/<id:community_id>/candidates")
@login_required
def index(community_id: int) -> Any:
    """The current group's nominations with their checks, the list's review by the township, the forms."""
    community = community_in_scope(community_id)
    return _pool_page(current_group(community), community)


@bp.post("/communities/<id:community_id>/candidates")
@login_required
def nominate(community_id: int) -> Any:
    """Record a nomination (Art 13 ¶2); a joint one is checked line by line against the roll."""
    community = community_in_scope(community_id)
    require_preparer(community)
    back = url_for("candidates.index", community_id=community.id)
    group = current_group(community)
    if group is None:
        flash(_("There is no preparatory group in this community yet."), "error")
        return redirect(back)
    return _nominate(group, back)


@bp.post("/communities/<id:community_id>/candidates/submit")
@login_required
def submit_list(community_id: int) -> Any:
    """Send the accepted candidates to the township for review (seed item 13)."""
    community = community_in_scope(community_id)
    require_preparer(community)
    back = url_for("candidates.index", community_id=community.id)
    group = current_group(community)
    if group is None:
        flash(_("There is no preparatory group in this community yet."), "error")
        return redirect(back)
    return _submit(group, back)


@bp.post("/candidate-lists/<id:review_id>/review")
@login_required
def review_list(review_id: int) -> Any:
    """The township approves the list, or returns it with reasons; not the official who submitted it."""
    review = db.session.get(CandidateListReview, review_id)
    if review is None:
        abort(404)
    pool = nominations.review_pool(review)
    community = community_in_scope(pool.community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    back = _pool_url(pool) + "#review"
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Approve the list, or return it with the reasons."), "error")
        return redirect(back)
    approve = form.decision.data == "approve"
    try:
        nominations.review_list(review, approve, form.reasons.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The list is approved.") if approve else _("The list is returned to the group."), back)


# --- one candidate ----------------------------------------------------------------------------------------------


@bp.get("/candidates/<id:candidate_id>")
@login_required
def candidate_page(candidate_id: int) -> Any:
    """A candidate: profile, co-signers (masked), the five checks with their evidence, vetting, withdrawal."""
    candidate, community = _candidate(candidate_id)
    group = nominations.pool_of(candidate)
    profile = ProfileForm(
        data={
            "statement": candidate.statement,
            "party_member": candidate.party_member,
            "party_congress_deputy": candidate.party_congress_deputy,
            "under_guardianship": candidate.under_guardianship,
            "peoples_congress_deputy": candidate.peoples_congress_deputy,
            "cppcc_member": candidate.cppcc_member,
            "declaration_made": candidate.declaration_made,
            "declared_acts": list(candidate.declared_acts or ()),
            "property_company_tie": tie_value(candidate.property_company_tie),
            "stands_for": candidate.stands_for or "",
        }
    )
    review = nominations.pending_or_approved_review(group)
    return render_template(
        "preparation/candidate.html",
        community=community,
        candidate=candidate,
        checks=nominations.eligibility(candidate),
        can_prepare=_may_prepare(group, community),
        pool_url=_pool_url(group),
        locked=review is not None,
        profile_form=profile,
        separate_lists=nominations.separate_lists(group),
        photo_form=PhotoForm(),
        vet_form=VetForm(),
        withdraw_form=WithdrawForm(),
        **_words(),
    )


@bp.get("/candidates/<id:candidate_id>/photo")
@login_required
def photo(candidate_id: int) -> Any:
    """The candidate's photo (a JPEG re-encoded without metadata), for those who may see the candidate."""
    candidate = _candidate(candidate_id)[0]
    if not candidate.photo:
        abort(404)
    return Response(
        candidate.photo,
        mimetype=candidate.photo_type or "image/jpeg",
        headers={"Cache-Control": "private, no-store"},
    )


def _pool_url(pool: nominations.Pool) -> str:
    if isinstance(pool, Meeting):
        return url_for("candidates.meeting_index", meeting_id=pool.id)
    return url_for("candidates.index", community_id=pool.community_id)


def _changeable(candidate_id: int) -> tuple[Candidate, str]:
    candidate, community = _candidate(candidate_id)
    _require_pool(nominations.pool_of(candidate), community)
    return candidate, url_for("candidates.candidate_page", candidate_id=candidate.id)


@bp.post("/candidates/<id:candidate_id>/profile")
@login_required
def update_profile(candidate_id: int) -> Any:
    """The statement, the voluntary declarations and the signed declaration on Art 22."""
    candidate, back = _changeable(candidate_id)
    form = ProfileForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        nominations.update_profile(
            candidate,
            statement=form.statement.data or "",
            party_member=bool(form.party_member.data),
            peoples_congress_deputy=bool(form.peoples_congress_deputy.data),
            cppcc_member=bool(form.cppcc_member.data),
            declaration_made=bool(form.declaration_made.data),
            declared_acts=list(form.declared_acts.data or ()),
            property_company_tie=tie_from(form.property_company_tie.data),
            user_id=current_user.id,
            party_congress_deputy=bool(form.party_congress_deputy.data),
            under_guardianship=bool(form.under_guardianship.data),
            stands_for=form.stands_for.data or None,
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The profile is saved."), back)


@bp.post("/candidates/<id:candidate_id>/photo")
@login_required
def upload_photo(candidate_id: int) -> Any:
    """Keep the candidate's photo (JPEG or PNG; stored as a JPEG without its metadata)."""
    candidate, back = _changeable(candidate_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        nominations.set_photo(candidate, form.photo.data.read(), current_user.id)
    except DomainError as error:
        return refused(error, back)
    return done(_("The photo is saved."), back)


@bp.post("/candidates/<id:candidate_id>/vet")
@login_required
def vet(candidate_id: int) -> Any:
    """The group accepts the candidate (every check passed) or rejects them with a reason (Art 13 ¶2)."""
    candidate, back = _changeable(candidate_id)
    form = VetForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    accept = form.decision.data == "accept"
    try:
        nominations.vet(candidate, accept, form.reason.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The candidate is accepted.") if accept else _("The candidate is rejected."), back)


@bp.post("/candidates/<id:candidate_id>/withdraw")
@login_required
def withdraw(candidate_id: int) -> Any:
    """Record the candidate's withdrawal, with the reason they gave."""
    candidate, back = _changeable(candidate_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        nominations.withdraw(candidate, form.reason.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The withdrawal is recorded."), back)


# --- written arrears demands (personal data: the preparers only) -----------------------------------------------


def _arrears_community(community_id: int) -> Community:
    community = community_in_scope(community_id)
    require_preparer(community)
    return community


@bp.get("/communities/<id:community_id>/arrears")
@login_required
def arrears(community_id: int) -> Any:
    """Written demands for unpaid property fees or maintenance fund, and their payment (Art 17 ¶2 (3))."""
    community = _arrears_community(community_id)
    demands = db.session.scalars(
        select(ArrearsDemand)
        .where(ArrearsDemand.community_id == community.id)
        .order_by(ArrearsDemand.demanded_on.desc(), ArrearsDemand.id.desc())
    ).all()
    return render_template(
        "preparation/arrears.html",
        community=community,
        demands=demands,
        form=DemandForm(demanded_on=today()),
        payment_form=PaymentForm(paid_on=today()),
        **_words(),
    )


@bp.post("/communities/<id:community_id>/arrears")
@login_required
def record_demand(community_id: int) -> Any:
    """Record a written demand made to an owner on the roll."""
    community = _arrears_community(community_id)
    back = url_for("candidates.arrears", community_id=community.id)
    form = DemandForm()
    amount_fen = parse_yuan(form.amount.data or "")
    if not form.validate_on_submit() or form.demanded_on.data is None or amount_fen is None:
        return invalid(form, back)
    try:
        nominations.record_demand(
            community,
            id_number=form.id_number.data or "",
            kind=form.kind.data or "",
            amount_fen=amount_fen,
            demanded_on=form.demanded_on.data,
            user_id=current_user.id,
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The written demand is recorded."), back)


@bp.post("/arrears/<id:demand_id>/paid")
@login_required
def record_payment(demand_id: int) -> Any:
    """Record the day the owner paid what a demand asked for."""
    demand = db.session.get(ArrearsDemand, demand_id)
    if demand is None:
        abort(404)
    community = _arrears_community(demand.community_id)
    back = url_for("candidates.arrears", community_id=community.id)
    form = PaymentForm()
    if not form.validate_on_submit() or form.paid_on.data is None:
        return invalid(form, back)
    try:
        nominations.record_payment(demand, form.paid_on.data, current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The payment is recorded."), back)
