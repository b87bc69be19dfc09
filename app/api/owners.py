"""/api/v1/owner…: the owners' own API (issue 20 item 7), for a future WeChat mini-program, through the same services
as the owners' pages (app.owners).

Authentication: an owner signs in with the number on the roll and a text-message code (POST /owner/sign-in/code,
then POST /owner/sign-in), and sends the token it returns as ``Authorization: Bearer gjo_…``; staff API tokens are
not owners' and are refused here (401). An owner reads and acts only in communities where they own a unit on the
latest roll; anything else is 404. The staff's side of petitions (who signed; the body's answer) is under
/api/v1/communities/{id}/petitions with a staff token.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import check_api_auth
from app.api.owners_schemas import (
    OwnerCodeSentSchema,
    OwnerCommunityViewSchema,
    OwnerConvenedInSchema,
    OwnerFiledObjectionSchema,
    OwnerMeSchema,
    OwnerNominatedSchema,
    OwnerNominationInSchema,
    OwnerObjectionInSchema,
    OwnerPetitionSchema,
    OwnerPhoneInSchema,
    OwnerProposalInSchema,
    OwnerSignedOutSchema,
    OwnerSignInSchema,
    OwnerSignOutInSchema,
    OwnerTokenSchema,
    StaffPetitionSchema,
)
from app.auth import permissions
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db, limiter
from app.governance import acting
from app.owners import objections, petitions
from app.owners import sign_in as owner_sign_in
from app.owners.identity import MyCommunity, my_communities, not_yours
from app.owners.models import OwnerSession, Petition
from app.owners.overview import overview, stage_words
from app.owners.web import current_owner, owned_community, owner_device
from app.privacy import mask_name
from app.roll.services import today
from app.rules.areas import format_area
from app.voting.models import Meeting

blp = Blueprint("api_owners", __name__, description="Owners on their own phones: sign-in, my community, objections")
staff_blp = Blueprint("api_petitions", __name__, description="Owners' petitions as the staff see them")
staff_blp.before_request(check_api_auth)

OWNER: list[dict[str, list[str]]] = [{"owner": []}]
PUBLIC: list[dict[str, list[str]]] = []


def _owner() -> OwnerSession:
    session = current_owner()
    if session is None:
        raise DomainError(
            "unauthenticated",
            _l("Sign in as an owner: Authorization: Bearer <the token of /owner/sign-in>."),
            status=401,
        )
    return session


@blp.before_request
def _owners_only() -> None:
    """Every operation but signing in needs an owner's token (the sign-in endpoints are listed as public)."""
    if request.endpoint not in ("api_owners.send_code", "api_owners.sign_in"):
        _owner()


@blp.post("/owner/sign-in/code")
@blp.doc(security=PUBLIC)
@limiter.limit("10 per hour")
@blp.arguments(OwnerPhoneInSchema)
@blp.response(202, OwnerCodeSentSchema)
def send_code(data: dict[str, Any]) -> Any:
    """Send a sign-in code to a number on a roll (404 `phone_not_on_roll` says how to have it recorded; 429 when a
    code went to the number in the last minute)."""
    owner_sign_in.send_code(data["phone"])
    db.session.commit()
    return {"sent": True, "expires_in": owner_sign_in.CODE_MINUTES * 60}


@blp.post("/owner/sign-in")
@blp.doc(security=PUBLIC)
@limiter.limit("20 per hour")
@blp.arguments(OwnerSignInSchema)
@blp.response(200, OwnerTokenSchema)
def sign_in(data: dict[str, Any]) -> Any:
    """Check the code and open a session: its token (shown once) and when it expires."""
    try:
        signed = owner_sign_in.sign_in_by_code(data["phone"], data["code"], owner_device())
    except DomainError:
        db.session.commit()  # the failed attempt counts
        raise
    db.session.commit()
    return {"token": signed.token, "expires_at": signed.session.expires_at}, 200, {"Cache-Control": "no-store"}


@blp.post("/owner/sign-out")
@blp.doc(security=OWNER)
@blp.arguments(OwnerSignOutInSchema)
@blp.response(200, OwnerSignedOutSchema)
def sign_out(data: dict[str, Any]) -> Any:
    """End this session, or every session of mine (``everywhere``)."""
    ended = owner_sign_in.sign_out(_owner(), everywhere=data["everywhere"])
    db.session.commit()
    return {"ended": ended}


def _units(mine: MyCommunity) -> list[dict[str, Any]]:
    return [
        {**unit.__dict__, "area": format_area(unit.area_centi), "co_owners": [c.__dict__ for c in unit.co_owners]}
        for unit in mine.units
    ]


def _summary(mine: MyCommunity) -> dict[str, Any]:
    return {
        "id": mine.community.id,
        "name": mine.community.name,
        "roll_version": mine.roll.number,
        "units": _units(mine),
    }


@blp.get("/owner/me")
@blp.doc(security=OWNER)
@blp.response(200, OwnerMeSchema)
def me() -> Any:
    """Who I am signed in as, and my units community by community."""
    session = _owner()
    return {
        "name": mask_name(session.name),
        "method": session.method,
        "expires_at": session.expires_at,
        "communities": [_summary(mine) for mine in my_communities(session.owner_lookups)],
    }


def _objection(filed: objections.FiledObjection) -> dict[str, Any]:
    return {**filed.__dict__, "number": filed.number}


@blp.get("/owner/communities/<id:community_id>")
@blp.doc(security=OWNER)
@blp.response(200, OwnerCommunityViewSchema)
def community(community_id: int) -> Any:
    """My community, as its page shows it: my units, the stage, notices taking objections, the body, the meetings with
    where I stand in each (my ballot's channel, time and receipt, never its choices), publications, my objections and
    the petitions."""
    session = _owner()
    mine = owned_community(community_id)
    seen = overview(mine, session.owner_lookups, today())
    open_results = {r.id for r in seen.results_open}
    return {
        **_summary(mine),
        "stage": {k: str(v) if k in ("label", "state") else v for k, v in stage_words(seen.stage).items()},
        "roll_notice": {"version": seen.roll_notice.number, "ends_on": seen.roll_notice.notice_ends_on}
        if seen.roll_notice
        else None,
        "notices": [
            {
                **{k: getattr(n, k) for k in ("id", "kind", "title", "starts_on", "ends_on")},
                "url": url_for("notices.public", token=n.token, _external=True),
            }
            for n in seen.notices
        ],
        "body": {
            "kind": seen.body.kind,
            "formed_on": seen.body.formed_on,
            "term_ends_on": seen.body.term_ends_on,
            "members": [{"name": m.name, "office": m.office} for m in seen.members],
        }
        if seen.body
        else None,
        "meetings": [
            {
                "id": item.meeting.id,
                "title": item.meeting.title,
                "opens_at": item.meeting.opens_at,
                "closes_at": item.meeting.closes_at,
                "standing": item.standing,
                "ballot": {k: getattr(item.ballot, k) for k in ("channel", "cast_at", "receipt_code", "receipt_sha256")}
                if item.ballot
                else None,
                "result_id": item.result.id if item.result else None,
                "result_digest": item.result.package_sha256
                if item.result and item.result.status in ("published", "certified", "refused")
                else None,
                "objections_open": item.result is not None and item.result.id in open_results,
            }
            for item in seen.meetings
        ],
        "publications": [
            {k: getattr(p, k) for k in ("id", "category", "title", "text", "published_on")} for p in seen.publications
        ],
        "objections": [_objection(o) for o in seen.objections],
        "petitions": [{k: getattr(p, k) for k in ("id", "kind", "title", "status")} for p in seen.petitions],
        "nominations_open": petitions.open_pool(mine.community) is not None,
    }


def owners_of(view: Any) -> Any:
    """The caller must own a unit in the community before the request body is read (anyone else gets 404, never a
    validation error about a body they may not send)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        owned_community(kwargs["community_id"])
        return view(*args, **kwargs)

    return checked


def _photo(data: dict[str, Any]) -> bytes | None:
    if not data.get("photo_base64"):
        return None
    try:
        return base64.b64decode(data["photo_base64"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise DomainError("invalid_photo", _l("Choose a JPEG or PNG photo of at most 3 MB."), field="photo") from error


@blp.post("/owner/communities/<id:community_id>/objections")
@blp.doc(security=OWNER)
@limiter.limit("20 per hour")
@owners_of
@blp.arguments(OwnerObjectionInSchema)
@blp.response(201, OwnerFiledObjectionSchema)
def file_objection(data: dict[str, Any], community_id: int) -> Any:
    """Object to my entry on the roll under notice, to a notice taking objections (``subject_id``), or to a result
    published for objections (``subject_id``); 409 `objections_closed` when none is taken."""
    mine = owned_community(community_id)
    day, photo, subject = today(), _photo(data), data.get("subject_id") or 0
    if data["about"] == "roll":
        objections.file_roll_objection(mine, data["unit_label"], data["text"], photo, day)
    elif data["about"] == "notice":
        objections.file_notice_objection(mine, subject, data["unit_label"], data["text"], photo, day)
    else:
        objections.file_result_objection(mine, subject, data["unit_label"], data["text"], photo, day)
    db.session.commit()
    return _objection(objections.filed_by(mine)[0])


@blp.get("/owner/communities/<id:community_id>/objections")
@blp.doc(security=OWNER)
@blp.response(200, OwnerFiledObjectionSchema(many=True))
def my_objections(community_id: int) -> Any:
    """My objections in this community, newest first, with their answers."""
    return [_objection(o) for o in objections.filed_by(owned_community(community_id))]


def _petition_view(petition: Petition, lookup: str) -> dict[str, Any]:
    counted = petitions.count(petition)
    return {
        **{k: getattr(petition, k) for k in ("id", "kind", "title", "status", "community_id", "text")},
        **{k: getattr(petition, k) for k in ("reached_on", "convene_by", "candidate_id")},
        "heads": counted.heads,
        "needed": counted.needed,
        "total": counted.total,
        "i_signed": any(s.owner_lookup == lookup and s.withdrawn_at is None for s in petition.signatures),
        "i_drafted": petition.drafter_lookup == lookup,
    }


@blp.post("/owner/communities/<id:community_id>/proposals")
@blp.doc(security=OWNER)
@limiter.limit("10 per hour")
@owners_of
@blp.arguments(OwnerProposalInSchema)
@blp.response(201, OwnerPetitionSchema)
def propose(data: dict[str, Any], community_id: int) -> Any:
    """Draft and sign a proposal for an interim meeting or an audit vote (409 `no_body` without a body in office)."""
    mine = owned_community(community_id)
    petition = petitions.propose(mine, data["kind"], data["title"], data["text"], today())
    db.session.commit()
    return _petition_view(petition, mine.owner_lookup)


@blp.post("/owner/communities/<id:community_id>/nominations")
@blp.doc(security=OWNER)
@limiter.limit("10 per hour")
@owners_of
@blp.arguments(OwnerNominationInSchema)
@blp.response(201, OwnerNominatedSchema)
def nominate(data: dict[str, Any], community_id: int) -> Any:
    """Stand for the committee: ``self`` hands the nomination in; ``joint`` drafts a petition for ten owners to
    co-sign (409 `no_nominations` when no election takes nominations)."""
    mine = owned_community(community_id)
    declared = {name: name in data["declared"] for name in petitions.ATTRIBUTES}
    if data["route"] == "self":
        candidate = petitions.nominate_self(mine, data["statement"], data["stands_for"], declared, today())
        db.session.commit()
        return {"candidate_id": candidate.id, "petition_id": None}
    petition = petitions.draft_nomination(mine, data["statement"], data["stands_for"], declared, today())
    db.session.commit()
    return {"candidate_id": None, "petition_id": petition.id}


def _mine(petition_id: int, *, lock: bool = False) -> tuple[Petition, MyCommunity]:
    """A petition of a community of mine (the same 404 as a community not mine); ``lock``: its row, to change it."""
    petition = petitions.locked(petition_id) if lock else db.session.get(Petition, petition_id)
    if petition is None:
        raise not_yours()
    return petition, owned_community(petition.community_id)


@blp.get("/owner/petitions/<id:petition_id>")
@blp.doc(security=OWNER)
@blp.response(200, OwnerPetitionSchema)
def petition(petition_id: int) -> Any:
    """A petition of my community with its count of heads against the threshold."""
    found, mine = _mine(petition_id)
    return _petition_view(found, mine.owner_lookup)


def _act(petition_id: int, act: Any) -> Any:
    found, mine = _mine(petition_id, lock=True)
    act(found, mine)
    db.session.commit()
    return _petition_view(found, mine.owner_lookup)


@blp.post("/owner/petitions/<id:petition_id>/sign")
@blp.doc(security=OWNER)
@limiter.limit("30 per hour")
@blp.response(200, OwnerPetitionSchema)
def sign(petition_id: int) -> Any:
    """Sign (409 `petition_closed` once reached or withdrawn, `already_signed`)."""
    return _act(petition_id, lambda p, mine: petitions.sign(p, mine, today()))


@blp.post("/owner/petitions/<id:petition_id>/unsign")
@blp.doc(security=OWNER)
@blp.response(200, OwnerPetitionSchema)
def unsign(petition_id: int) -> Any:
    """Withdraw my signature, while the threshold is not reached."""
    return _act(petition_id, petitions.withdraw_signature)


@blp.post("/owner/petitions/<id:petition_id>/withdraw")
@blp.doc(security=OWNER)
@blp.response(200, OwnerPetitionSchema)
def withdraw(petition_id: int) -> Any:
    """The drafter withdraws the petition, while the threshold is not reached."""
    return _act(petition_id, petitions.withdraw)


@blp.post("/owner/petitions/<id:petition_id>/submit")
@blp.doc(security=OWNER)
@blp.response(200, OwnerPetitionSchema)
def submit(petition_id: int) -> Any:
    """The candidate hands in a joint nomination that reached ten heads."""
    return _act(petition_id, lambda p, mine: petitions.submit_nomination(p, mine, today()))


# --- the staff's side ---------------------------------------------------------------------------------------------


def _staff_view(petition: Petition) -> dict[str, Any]:
    return {
        **_petition_view(petition, ""),
        "signatures": [
            {"name": mask_name(s.name), "unit_labels": s.unit_labels, "signed_at": s.signed_at}
            for s in petition.signatures
            if s.withdrawn_at is None
        ],
        "overdue": petitions.overdue(petition, today()),
    }


@staff_blp.get("/communities/<id:community_id>/petitions")
@staff_blp.response(200, StaffPetitionSchema(many=True))
def community_petitions(community_id: int) -> Any:
    """The community's petitions with who signed (names masked) and the body's clock; the preparatory group, the body
    in office and the township."""
    community = permissions.get_community(current_user, community_id)
    if not petitions.may_see_signers(current_user, community):
        raise Forbidden(
            "forbidden", _l("Only the preparatory group, the body in office and the township see who signed.")
        )
    return [_staff_view(p) for p in petitions.of_community(community)]


def _for_body(petition_id: int) -> Petition:
    """The petition, if the caller acts for its community's body in office (404 outside their scope, 403 else)."""
    found = db.session.get(Petition, petition_id)
    if found is None:
        raise NotFound("petition_not_found", _l("No such petition."))
    community = permissions.get_community(current_user, found.community_id)
    if not acting.can_act_for_office(current_user, community, chair=True):
        raise Forbidden("forbidden", _l("Only the members of the body in office may do this."))
    return found


def body_only(view: Any) -> Any:
    """Check the caller's right before the request body is read (an outsider gets 403/404, never a validation error
    about a body they may not send)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _for_body(kwargs["petition_id"])
        return view(*args, **kwargs)

    return checked


@staff_blp.post("/petitions/<id:petition_id>/convened")
@body_only
@staff_blp.arguments(OwnerConvenedInSchema)
@staff_blp.response(200, StaffPetitionSchema)
def convened(data: dict[str, Any], petition_id: int) -> Any:
    """The body in office records the announced meeting that answers a proposal (its own accounts)."""
    found = _for_body(petition_id)
    meeting = db.session.get(Meeting, data["meeting_id"])
    if meeting is None:
        raise NotFound("meeting_not_found", _l("No such meeting."))
    petitions.record_convened(found, meeting, current_user.id)
    db.session.commit()
    return _staff_view(found)
