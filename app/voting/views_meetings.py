"""The convener's and the township's meeting pages: configuring a meeting, opening voting, the voters and their
links, the SMS outbox and the live turnout (issue 6 items 1, 2, 8 and 9; DOMAIN §8).

Anyone who sees the community sees its meetings and their matters; changes are for the preparatory group and its
township. The voters, their links and the outbox hold personal data: the same people only. The turnout is for them
and for the township's observers. No page here reads a ballot's choices (the queries select whether a ballot
exists, nothing more), and a voter's link and code exist in clear only in the one response that issues them: they
are never logged, audited, flashed or put in a URL path.
"""

from __future__ import annotations

from typing import Any

import qrcode
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.auth import permissions
from app.communities.models import Community
from app.db_types import SHANGHAI
from app.errors import DomainError
from app.extensions import db
from app.governance import acting
from app.governance.forms import ElectionForm
from app.preparation.group import current_group
from app.preparation.page_helpers import community_in_scope, done, invalid, refused, require_convener, require_preparer
from app.privacy import mask_name
from app.roll.services import today
from app.rules.areas import format_area
from app.rules.model import threshold_for
from app.rules.turnout import percent_down, scaled_length
from app.voting import announcement, credentials, meetings, sms_outbox
from app.voting import turnout as turnouts
from app.voting.election_words import election_places_words
from app.voting.meeting_forms import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    SECOND_FACTOR_LABELS,
    THRESHOLD_WORDS,
    ActionForm,
    AnnounceForm,
    ConfigureForm,
    MotionForm,
    OpenVotingForm,
)
from app.voting.models import Matter, Meeting, MeetingVoter
from app.voting.views_paper import may_enter as may_enter_paper
from app.web import page_number

bp = Blueprint("meetings", __name__)

#: where a meeting stands (app.voting.meetings.window_state)
WINDOW_LABELS: dict[str, Any] = {
    "not_open": _l("Being prepared: voting has not been opened"),
    "before": _l("Opened: voting starts when the window opens"),
    "open": _l("Voting open"),
    "after": _l("Voting closed: the window has ended"),
    "closed": _l("Voting closed"),
}
OUTBOX_SIZE = 200
#: the chart's bar length in drawing units: a multiple of 3, so that the 2/3 line falls on a whole unit (200)
BAR_LENGTH = 300


# --- loading, with the caller's scope -------------------------------------------------------------------------------


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, community_in_scope(meeting.community_id)


def _matter(matter_id: int) -> tuple[Matter, Meeting, Community]:
    matter = db.session.get(Matter, matter_id)
    if matter is None:
        abort(404)
    meeting, community = _meeting(matter.meeting_id)
    return matter, meeting, community


def _voter(voter_id: int) -> tuple[MeetingVoter, Meeting, Community]:
    voter = db.session.get(MeetingVoter, voter_id)
    if voter is None:
        abort(404)
    meeting, community = _meeting(voter.meeting_id)
    return voter, meeting, community


def may_see_turnout(community: Community, meeting: Meeting | None = None) -> bool:
    """The convener and the township (officials and observers) follow the turnout (issue 6 item 9)."""
    convener = acting.can_run(current_user, meeting) if meeting is not None else False
    return (
        convener
        or permissions.can_prepare_community(current_user, community)
        or permissions.can_view_township_in_full(current_user, community.township)
    )


# --- what the pages show ---------------------------------------------------------------------------------------------


def category_label(category: int) -> str:
    return str(CATEGORY_LABELS.get(category, category))


def threshold_words(category: int) -> str:
    return str(THRESHOLD_WORDS[threshold_for(category)])


def ballot_link(token: str) -> str:
    """The voter's personal link, ``/v?t=<token>`` (the token in the query string, which the access log omits)."""
    if "ballot.enter" in current_app.view_functions:
        return url_for("ballot.enter", t=token, _external=True)
    return request.host_url + "v?t=" + token


def qr_modules(text: str) -> tuple[int, str]:
    """A QR code of ``text`` as the side of its square (quiet zone included) and one SVG path of its dark modules;
    the template draws it as an inline SVG (no style attribute, nothing fetched)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return len(matrix), path


def _configure_form(meeting: Meeting) -> ConfigureForm:
    opens, closes = meeting.opens_at.astimezone(SHANGHAI), meeting.closes_at.astimezone(SHANGHAI)
    return ConfigureForm(
        data={
            "opens_on": opens.date(),
            "opens_time": opens.time().replace(second=0, microsecond=0, tzinfo=None),
            "closes_on": closes.date(),
            "closes_time": closes.time().replace(second=0, microsecond=0, tzinfo=None),
            "channels": meeting.channels,
            "second_factor": meeting.second_factor,
            "allow_change": meeting.allow_change,
            "contact_phone": meeting.contact_phone,
            "paper_place": meeting.paper_place,
        }
    )


# --- the community's meetings ----------------------------------------------------------------------------------------


@bp.get("/communities/<id:community_id>/meetings")
@login_required
def index(community_id: int) -> Any:
    """The community's meetings with their status and window; the first meeting is created from the preparation."""
    community = community_in_scope(community_id)
    found = db.session.scalars(
        select(Meeting).where(Meeting.community_id == community.id).order_by(Meeting.created_at.desc())
    ).all()
    group = current_group(community)
    return render_template(
        "voting/meetings.html",
        community=community,
        meetings=found,
        can_prepare=permissions.can_prepare_community(current_user, community),
        has_first_meeting=group is not None and any(m.group_id == group.id for m in found),
        group=group,
        window_state=meetings.window_state,
        window_labels=WINDOW_LABELS,
        form=ActionForm(),
    )


@bp.post("/communities/<id:community_id>/meetings")
@login_required
def create_first(community_id: int) -> Any:
    """Create the first meeting from the preparation: its plan, rules, covenant and approved candidates."""
    community = community_in_scope(community_id)
    require_preparer(community)
    back = url_for("meetings.index", community_id=community.id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    group = current_group(community)
    if group is None:
        flash(_("No preparation is under way in this community."), "error")
        return redirect(back)
    try:
        meeting = meetings.first_meeting(group, current_user.id)
    except DomainError as error:
        return refused(error, back)
    meeting_id = meeting.id
    return done(
        _("The first meeting is created. Check its window and matters, then open voting."),
        url_for("meetings.meeting_page", meeting_id=meeting_id),
    )


# --- one meeting -----------------------------------------------------------------------------------------------------


@bp.get("/meetings/<id:meeting_id>")
@login_required
def meeting_page(meeting_id: int) -> Any:
    """The meeting: its matters (category and threshold), the election, the window, channels and identity check; while
    it is being prepared, the forms that change it and the button that opens voting."""
    meeting, community = _meeting(meeting_id)
    state = meetings.window_state(meeting)
    return render_template(
        "voting/meeting.html",
        meeting=meeting,
        community=community,
        state=state,
        state_label=WINDOW_LABELS[state],
        can_prepare=acting.can_run(current_user, meeting),
        can_bind=acting.can_run(current_user, meeting, chair=True),
        can_enter_paper=may_enter_paper(community),
        can_see_turnout=may_see_turnout(community, meeting),
        can_oversee=permissions.can_manage_community(current_user, community),
        configure_form=_configure_form(meeting),
        motion_form=MotionForm(),
        election_form=ElectionForm(),
        open_form=OpenVotingForm(),
        announce_form=AnnounceForm(starts_on=today()),
        announcement_changed=announcement.changed_since_announcement(meeting),
        earliest_opening=announcement.earliest_opening(meeting),
        action_form=ActionForm(),
        category_label=category_label,
        election_places_words=election_places_words,
        threshold_words=threshold_words,
        channel_label=str(CHANNEL_LABELS.get(meeting.channels, meeting.channels)),
        second_factor_label=str(SECOND_FACTOR_LABELS.get(meeting.second_factor, meeting.second_factor)),
    )


@bp.post("/meetings/<id:meeting_id>/configure")
@login_required
def configure(meeting_id: int) -> Any:
    """Set the window (typed in Beijing time), the channels, the identity check and whether ballots may change."""
    meeting, _community = _meeting(meeting_id)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id) + "#configure"
    form = ConfigureForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    opens_on, opens_time, closes_on, closes_time = (
        form.opens_on.data,
        form.opens_time.data,
        form.closes_on.data,
        form.closes_time.data,
    )
    if opens_on is None or opens_time is None or closes_on is None or closes_time is None:
        return invalid(form, back)
    try:
        meetings.configure(
            meeting,
            opens_at=meetings.local(opens_on, opens_time),
            closes_at=meetings.local(closes_on, closes_time),
            channels=form.channels.data or "",
            second_factor=form.second_factor.data or "",
            allow_change=bool(form.allow_change.data),
            contact_phone=form.contact_phone.data or "",
            paper_place=form.paper_place.data or "",
            user_id=current_user.id,
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The meeting's settings are saved."), back)


@bp.post("/meetings/<id:meeting_id>/matters")
@login_required
def add_motion(meeting_id: int) -> Any:
    """Add a motion with its Art 278 ¶1 category (its threshold follows)."""
    meeting, _community = _meeting(meeting_id)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id) + "#matters"
    form = MotionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        meetings.add_motion(
            meeting, int(form.category.data or 0), form.title.data or "", form.text.data or "", current_user.id
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The matter is added."), back)


@bp.post("/matters/<id:matter_id>/remove")
@login_required
def remove_matter(matter_id: int) -> Any:
    """Take a matter off the meeting (before voting opens only)."""
    matter, meeting, _community = _matter(matter_id)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id) + "#matters"
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        meetings.remove_matter(matter, current_user.id)
    except DomainError as error:
        return refused(error, back)
    return done(_("The matter is removed."), back)


@bp.post("/meetings/<id:meeting_id>/announce")
@login_required
def announce(meeting_id: int) -> Any:
    """Announce the meeting as it stands (time, form, matters, candidates): voting opens at least 15 days later."""
    meeting, _community = _meeting(meeting_id)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id) + "#announcement"
    form = AnnounceForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        notice = announcement.announce(meeting, form.starts_on.data or today(), current_user.id)
    except DomainError as error:
        return refused(error, back)
    earliest = announcement.earliest_opening(meeting)
    return done(
        _(
            "Announced from %(start)s; voting can open on %(day)s at the earliest.",
            start=notice.starts_on,
            day=earliest,
        ),
        back,
    )


@bp.post("/meetings/<id:meeting_id>/open")
@login_required
def open_voting(meeting_id: int) -> Any:
    """Open voting: freeze the roll and fix the voters; nothing about matters, candidates or roll changes after."""
    meeting, _community = _meeting(meeting_id)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id)
    form = OpenVotingForm()
    if not form.validate_on_submit():
        return invalid(form, back + "#open")
    try:
        meetings.open_voting(meeting, today(), current_user.id)
    except DomainError as error:
        return refused(error, back + "#open")
    voters = db.session.query(MeetingVoter).filter_by(meeting_id=meeting.id).count()
    return done(_("Voting is opened: the roll is frozen and the %(n)d voters are fixed.", n=voters), back)


# --- the voters and their links (personal data: the convener and the township only) ---------------------------------


@bp.get("/meetings/<id:meeting_id>/voters")
@login_required
def voters(meeting_id: int) -> Any:
    """The meeting's voters (masked), by building, with whether each has voted (never how) and a new-link button."""
    meeting, community = _meeting(meeting_id)
    require_convener(meeting)
    building = request.args.get("building", "")
    page = page_number()
    rows, has_next = turnouts.voter_rows(meeting, building=building, page=page)
    return render_template(
        "voting/meeting_voters.html",
        meeting=meeting,
        community=community,
        rows=rows,
        buildings=turnouts.buildings_of(meeting),
        building=building,
        page=page,
        has_next=has_next,
        form=ActionForm(),
        mask_name=mask_name,
    )


@bp.post("/meeting-voters/<id:voter_id>/credential")
@login_required
def issue_credential(voter_id: int) -> Any:
    """Issue a new link and fallback code for the voter and show them once; the voter's older links stop working."""
    voter, meeting, community = _voter(voter_id)
    require_convener(meeting)
    back = url_for("meetings.voters", meeting_id=meeting.id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        issued = credentials.issue(voter, current_user.id)
    except DomainError as error:
        return refused(error, back)
    db.session.commit()
    link = ballot_link(issued.token)
    return render_template(
        "voting/meeting_credential.html",
        meeting=meeting,
        community=community,
        voter=voter,
        holder=mask_name(voter.holder_name),
        link=link,
        code=credentials.format_code(issued.code),
        qr=qr_modules(link),
    )


@bp.get("/meetings/<id:meeting_id>/outbox")
@login_required
def outbox(meeting_id: int) -> Any:
    """The text messages of the meeting as the console SMS backend kept them, newest first."""
    meeting, community = _meeting(meeting_id)
    require_convener(meeting)
    messages = sms_outbox.latest(meeting.id, OUTBOX_SIZE)
    return render_template(
        "voting/meeting_outbox.html",
        meeting=meeting,
        community=community,
        messages=messages,
        limit=OUTBOX_SIZE,
        backend=str(current_app.config.get("SMS_BACKEND") or "console"),
    )


# --- the live turnout (the convener and the township) ----------------------------------------------------------------


@bp.get("/meetings/<id:meeting_id>/turnout")
@login_required
def turnout(meeting_id: int) -> Any:
    """Participation by heads and by area against the 2/3 line (Art 278 ¶2), overall and by building, as a chart
    and in numbers; for the convener, the voters who have not voted yet."""
    meeting, community = _meeting(meeting_id)
    if not may_see_turnout(community, meeting):
        abort(403)
    can_prepare = acting.can_run(current_user, meeting)
    building = request.args.get("building", "")
    page = page_number()
    not_voted, has_next = (
        turnouts.voter_rows(meeting, building=building, not_voted_only=True, page=page) if can_prepare else ([], False)
    )
    counted = turnouts.meeting_turnout(meeting)
    return render_template(
        "voting/turnout.html",
        meeting=meeting,
        community=community,
        turnout=counted,
        building_rows=[(row.building, row.participation) for row in counted.buildings],
        state_label=WINDOW_LABELS[meetings.window_state(meeting)],
        can_prepare=can_prepare,
        reminder_form=FlaskForm(),
        not_voted=not_voted,
        buildings=turnouts.buildings_of(meeting),
        building=building,
        page=page,
        has_next=has_next,
        mask_name=mask_name,
        format_area=format_area,
        percent=percent_down,
        bar=lambda share: scaled_length(share, BAR_LENGTH),
        bar_length=BAR_LENGTH,
    )
