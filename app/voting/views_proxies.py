"""The convener's proxy pages: the meeting's proxies, recording a written authorisation, the proxy's own link, and
revoking a proxy (issue 6 item 6; DOMAIN §8; Shanghai Art 18; Zhoushan Art 17).

For the convener (the preparatory group) and its township only: the pages hold personal data (names and phones,
shown masked). The owner's directions are typed in once and never shown again (DOMAIN §8: no organiser's page shows
how an owner votes). A proxy's link and code exist in clear only in the one response that issues them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.preparation.page_helpers import community_in_scope, done, form_messages, invalid, refused, require_convener
from app.privacy import decrypt, mask_name, mask_phone
from app.voting import assisted, credentials, proxies
from app.voting.meeting_forms import ActionForm
from app.voting.meetings import window_state
from app.voting.models import Credential, Meeting
from app.voting.proxy_forms import (
    ELECTION_DIRECTIONS,
    MOTION_DIRECTIONS,
    ConfirmForm,
    ProxyForm,
    RevokeForm,
    read_matters,
)
from app.voting.proxy_models import Proxy
from app.voting.views_meetings import ballot_link, qr_modules

bp = Blueprint("proxies", __name__)

STATUS_LABELS: dict[str, Any] = {
    "active": _l("In force"),
    "used": _l("Has voted for the owner"),
    "revoked": _l("Proxy revoked"),
    "owner_voted": _l("Revoked: the owner voted themselves"),
}
#: reasons the application writes itself, in the reader's language
REASON_LABELS: dict[str, Any] = {proxies.OWNER_VOTED: _l("the owner voted themselves")}


@dataclass(frozen=True)
class ProxyRow:
    """One proxy as the list shows it: masked names and phone, the matters covered, where it stands."""

    proxy: Proxy
    principal_name: str
    units_label: str
    proxy_name: str
    proxy_phone: str
    matters: list[str]
    directed: int
    status: str
    reason: str
    represents: int
    link_issued_at: datetime | None


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, community_in_scope(meeting.community_id)


def _proxy(proxy_id: int) -> tuple[Proxy, Meeting, Community]:
    proxy = db.session.get(Proxy, proxy_id)
    if proxy is None:
        abort(404)
    meeting, community = _meeting(proxy.meeting_id)
    return proxy, meeting, community


def _rows(meeting: Meeting) -> list[ProxyRow]:
    found = db.session.scalars(
        select(Proxy).where(Proxy.meeting_id == meeting.id).order_by(Proxy.recorded_at.desc(), Proxy.id.desc())
    ).all()
    voted = proxies.voted_themselves(meeting)
    titles = {matter.id: f"{matter.position}. {matter.title}" for matter in meeting.matters}
    holding = Counter(p.proxy_phone_lookup for p in found if p.status in ("active", "used"))
    issued = dict(
        db.session.execute(
            select(Credential.proxy_id, func.max(Credential.issued_at))
            .join(Proxy, Proxy.id == Credential.proxy_id)
            .where(Proxy.meeting_id == meeting.id, Credential.revoked_at.is_(None))
            .group_by(Credential.proxy_id)
        ).all()
    )
    rows = []
    for proxy in found:
        status = "owner_voted" if proxy.status == "active" and proxy.meeting_voter_id in voted else proxy.status
        reason = proxy.revoke_reason or ""
        rows.append(
            ProxyRow(
                proxy=proxy,
                principal_name=mask_name(proxy.principal.holder_name),
                units_label=proxy.principal.units_label,
                proxy_name=mask_name(proxy.proxy_name),
                proxy_phone=mask_phone(decrypt(proxy.proxy_phone_cipher)),
                matters=[titles.get(matter_id, str(matter_id)) for matter_id in proxy.matter_ids],
                directed=len(proxy.directions or {}),
                status=status,
                reason=str(REASON_LABELS.get(reason, reason)),
                represents=holding[proxy.proxy_phone_lookup],
                link_issued_at=issued.get(proxy.id),
            )
        )
    return rows


def _index_page(
    meeting: Meeting,
    community: Community,
    form: ProxyForm | None = None,
    status: int = 200,
    general: str | None = None,
    picked: tuple[list[str], dict[str, Any]] | None = None,
) -> Any:
    """The list and, while proxies can be recorded, the form (shown again with what was typed after a refusal)."""
    matter_ids, directions = picked or ([], {})
    return (
        render_template(
            "voting/proxies.html",
            meeting=meeting,
            community=community,
            rows=_rows(meeting),
            can_record=meeting.status == "open" and window_state(meeting) in ("before", "open"),
            cap=proxies.max_principals(meeting),
            form=form or ProxyForm(),
            revoke_form=RevokeForm(),
            confirm_form=ConfirmForm(),
            general=general,
            covered={str(matter_id) for matter_id in matter_ids},
            directions={
                key: {str(item) for item in value} if isinstance(value, list) else str(value)
                for key, value in directions.items()
            },
            motion_directions=list(MOTION_DIRECTIONS.items()),
            election_directions=list(ELECTION_DIRECTIONS.items()),
            status_labels=STATUS_LABELS,
        ),
        status,
    )


@bp.get("/meetings/<id:meeting_id>/proxies")
@login_required
def index(meeting_id: int) -> Any:
    """The meeting's proxies (masked) with where each stands, and the form that records a written authorisation."""
    meeting, community = _meeting(meeting_id)
    require_convener(meeting)
    return _index_page(meeting, community)


@bp.post("/meetings/<id:meeting_id>/proxies")
@login_required
def record(meeting_id: int) -> Any:
    """Record a written authorisation; a refusal shows the form again with what was typed (the scan aside)."""
    meeting, community = _meeting(meeting_id)
    require_convener(meeting)
    form = ProxyForm()
    picked = read_matters(meeting, request.form)
    if not form.validate_on_submit():
        return _index_page(meeting, community, form, 422, " ".join(form_messages(form)), picked)
    matter_ids, directions = picked
    try:
        voter = proxies.voter_by_unit(meeting, form.unit.data or "")
        proxies.record_proxy(
            meeting,
            voter,
            proxy_name=form.proxy_name.data or "",
            proxy_phone=form.proxy_phone.data or "",
            matter_ids=matter_ids,
            directions=directions,
            scan=form.scan.data.read(),
            declared_not_property_staff=bool(form.declared_not_property_staff.data),
            user_id=current_user.id,
        )
    except DomainError as error:
        db.session.rollback()
        field = form._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, str(error)]
        return _index_page(meeting, community, form, error.status, str(error), picked)
    return done(
        _(
            "The proxy is recorded. The owner confirms it next: send the code to the owner's phone, or have a "
            "second staff member approve the written authorisation."
        ),
        url_for("proxies.index", meeting_id=meeting.id),
    )


def _refused(error: DomainError, back: str) -> Any:
    """A refusal; when the refusal revoked the proxy (its owner had voted), that revocation is kept."""
    if error.code != "owner_voted":
        return refused(error, back)
    db.session.commit()
    flash(str(error), "error")
    return redirect(back)


@bp.post("/proxies/<id:proxy_id>/credential")
@login_required
def issue_credential(proxy_id: int) -> Any:
    """Issue the proxy's own link and fallback code and show them once; the proxy's older links stop working, the
    owner's own link keeps working (an owner who votes themselves revokes the proxy)."""
    proxy, meeting, community = _proxy(proxy_id)
    require_convener(meeting)
    back = url_for("proxies.index", meeting_id=meeting.id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        issued = proxies.issue_proxy_credential(proxy, current_user.id)
    except DomainError as error:
        return _refused(error, back)
    db.session.commit()
    link = ballot_link(issued.token)
    return render_template(
        "voting/proxy_credential.html",
        meeting=meeting,
        community=community,
        principal_name=mask_name(proxy.principal.holder_name),
        units_label=proxy.principal.units_label,
        proxy_name=mask_name(proxy.proxy_name),
        proxy_phone=mask_phone(decrypt(proxy.proxy_phone_cipher)),
        link=link,
        code=credentials.format_code(issued.code),
        qr=qr_modules(link),
    )


@bp.post("/proxies/<id:proxy_id>/revoke")
@login_required
def revoke(proxy_id: int) -> Any:
    """Revoke a proxy in force, with the reason (its links stop working at once)."""
    proxy, meeting, _community = _proxy(proxy_id)
    require_convener(meeting)
    back = url_for("proxies.index", meeting_id=meeting.id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        proxies.revoke_proxy(proxy, form.reason.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The proxy is revoked; its links no longer work."), back)


def _act(proxy_id: int, form: FlaskForm, act: Callable[[Proxy, FlaskForm], Any], message: str) -> Any:
    """One of the convener's acts on a proxy: the form checked, the act done (a refusal flashed; a wrong code and a
    revocation by the owner's own vote are kept), back to the list."""
    proxy, meeting, _community = _proxy(proxy_id)
    require_convener(meeting)
    back = url_for("proxies.index", meeting_id=meeting.id)
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        act(proxy, form)
    except DomainError as error:
        if error.code == "wrong_confirmation":
            db.session.commit()  # the wrong answer counts
            flash(str(error), "error")
            return redirect(back)
        return _refused(error, back)
    return done(message, back)


@bp.post("/proxies/<id:proxy_id>/confirmation")
@login_required
def send_confirmation(proxy_id: int) -> Any:
    """Send the owner the code that confirms the proxy (to the phone the roll records for the owner)."""
    return _act(
        proxy_id,
        ActionForm(),
        lambda proxy, _form: proxies.send_owner_code(proxy, current_user.id),
        _("The code is sent to the owner. Type it in when the owner reads it back."),
    )


@bp.post("/proxies/<id:proxy_id>/confirm")
@login_required
def confirm(proxy_id: int) -> Any:
    """The code the owner read back confirms the proxy (a wrong code is counted, and kept)."""
    return _act(
        proxy_id,
        ConfirmForm(),
        lambda proxy, form: proxies.confirm_with_owner_code(proxy, form.code.data or "", current_user.id),
        _("The owner confirmed the proxy. Issue the proxy's link."),
    )


@bp.post("/proxies/<id:proxy_id>/approve")
@login_required
def approve(proxy_id: int) -> Any:
    """A second staff member approves the written authorisation (not the one who recorded the proxy)."""
    return _act(
        proxy_id,
        ActionForm(),
        lambda proxy, _form: proxies.approve_by_second_staff(proxy, current_user.id),
        _("You approved the written authorisation. Issue the proxy's link."),
    )


@bp.get("/meetings/<id:meeting_id>/assisted-ballots")
@login_required
def assisted_list(meeting_id: int) -> Any:
    """For the township: the meeting's ballots cast by proxy or with a reissued letter, and the staff behind each."""
    meeting, community = _meeting(meeting_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    return render_template(
        "voting/assisted_ballots.html",
        meeting=meeting,
        community=community,
        rows=assisted.assisted_ballots(meeting),
    )
