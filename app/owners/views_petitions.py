"""Owners' petitions and nominations from their phones (issue 20 items 4–5; app.owners.petitions): drafting a proposal
or a nomination, the petition's page with its count against the threshold, signing and withdrawing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.errors import DomainError
from app.extensions import db, limiter
from app.owners import petitions
from app.owners.forms import ActionForm, NominationForm, ProposalForm
from app.owners.identity import MyCommunity
from app.owners.models import Petition
from app.owners.web import owned_community, owner_required
from app.preparation import candidates as nominations
from app.roll.services import today

bp = Blueprint("owner_petitions", __name__)

ATTRIBUTE_FIELDS = petitions.ATTRIBUTES


def _petition(petition_id: int, *, lock: bool = False) -> tuple[Petition, MyCommunity]:
    """A petition of a community of mine (404 otherwise: its existence is not confirmed); ``lock``: its row locked, to
    change it (app.owners.petitions.locked)."""
    petition = petitions.locked(petition_id) if lock else db.session.get(Petition, petition_id)
    if petition is None:
        abort(404)
    return petition, owned_community(petition.community_id)


def _back(petition: Petition) -> Any:
    return redirect(url_for("owner_petitions.petition", petition_id=petition.id))


@bp.route("/owner/communities/<id:community_id>/proposals/<kind>", methods=["GET", "POST"])
@owner_required
@limiter.limit("10 per hour", methods=["POST"])
def propose(community_id: int, kind: str) -> Any:
    """Draft a proposal for an interim meeting or an audit vote; the drafter signs it at once."""
    mine = owned_community(community_id)
    if kind not in petitions.PROPOSALS:
        abort(404)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            petition = petitions.propose(mine, kind, form.title.data or "", form.text.data or "", today())
        except DomainError as error:
            db.session.rollback()
            form.title.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Your proposal is drafted and signed. Ask your neighbours to sign it on this page."), "success")
            return _back(petition)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "owners/propose.html", mine=mine, kind=kind, form=form, kind_label=petitions.KIND_LABELS[kind]
    ), status


@bp.route("/owner/communities/<id:community_id>/nominate", methods=["GET", "POST"])
@owner_required
@limiter.limit("10 per hour", methods=["POST"])
def nominate(community_id: int) -> Any:
    """Stand for the committee: a self-nomination at once, or a joint nomination that ten owners co-sign."""
    mine = owned_community(community_id)
    pool = petitions.open_pool(mine.community)
    form = NominationForm()
    if pool is not None and form.validate_on_submit():
        declared = {name: bool(getattr(form, name).data) for name in ATTRIBUTE_FIELDS}
        try:
            if form.route.data == "joint":
                petition = petitions.draft_nomination(
                    mine, form.statement.data or "", form.stands_for.data or None, declared, today()
                )
            else:
                petitions.nominate_self(
                    mine, form.statement.data or "", form.stands_for.data or None, declared, today()
                )
        except DomainError as error:
            db.session.rollback()
            form.statement.errors = [str(error)]
        else:
            db.session.commit()
            if form.route.data == "joint":
                flash(_("Your nomination is drafted: ten owners of the community co-sign it on this page."), "success")
                return _back(petition)
            flash(_("Your nomination is handed in: the group vets it and tells you the outcome."), "success")
            return redirect(url_for("owners.community", community_id=community_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "owners/nominate.html",
        mine=mine,
        form=form,
        pool=pool,
        separate_lists=pool is not None and nominations.separate_lists(pool),
    ), status


@bp.get("/owner/petitions/<id:petition_id>")
@owner_required
def petition(petition_id: int) -> Any:
    """A petition: what it asks, its count of heads against the threshold, and my signature."""
    petition, mine = _petition(petition_id)
    mine_signed = next(
        (s for s in petition.signatures if s.owner_lookup == mine.owner_lookup and s.withdrawn_at is None), None
    )
    return render_template(
        "owners/petition.html",
        mine=mine,
        petition=petition,
        counted=petitions.count(petition),
        signed=mine_signed,
        is_drafter=petition.drafter_lookup == mine.owner_lookup,
        form=ActionForm(),
        kind_labels=petitions.KIND_LABELS,
        status_labels=petitions.STATUS_LABELS,
    )


def _act(petition_id: int, act: Any, message: str) -> Any:
    if not ActionForm().validate_on_submit():
        abort(400)
    petition, mine = _petition(petition_id, lock=True)
    try:
        act(petition, mine)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(petition)
    db.session.commit()
    flash(message, "success")
    return _back(petition)


@bp.post("/owner/petitions/<id:petition_id>/sign")
@owner_required
@limiter.limit("30 per hour")
def sign(petition_id: int) -> Any:
    """Add my signature."""
    return _act(petition_id, lambda p, mine: petitions.sign(p, mine, today()), _("You have signed."))


@bp.post("/owner/petitions/<id:petition_id>/unsign")
@owner_required
def unsign(petition_id: int) -> Any:
    """Take my signature back (until the threshold is reached)."""
    return _act(petition_id, petitions.withdraw_signature, _("Your signature is withdrawn."))


@bp.post("/owner/petitions/<id:petition_id>/withdraw")
@owner_required
def withdraw(petition_id: int) -> Any:
    """The drafter withdraws the petition (until the threshold is reached)."""
    return _act(petition_id, petitions.withdraw, _("The petition is withdrawn."))


@bp.post("/owner/petitions/<id:petition_id>/submit")
@owner_required
def submit(petition_id: int) -> Any:
    """The candidate hands in a joint nomination that reached ten heads."""
    return _act(
        petition_id,
        lambda p, mine: petitions.submit_nomination(p, mine, today()),
        _("Your nomination is handed in: the group vets it and tells you the outcome."),
    )
