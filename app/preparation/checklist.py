"""The preparation checklist (Shaoxing Art 13 ¶1): the meeting, the documents, the voting and election rules, the
developer's funding (Art 15), and scheduling the meeting once every announcement has run (Art 13 ¶3, Art 9).

Services flush; the request commits. Every change is audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import utcnow
from app.errors import DomainError
from app.extensions import db
from app.preparation import model_texts
from app.preparation.common import calendar_error, scope, today
from app.preparation.documents import yuan
from app.preparation.models import MeetingPlan, PreparatoryGroup
from app.preparation.notices import (
    ANNOUNCED_BEFORE_MEETING,
    KINDS,
    approved_review,
    document_text,
    latest_notices,
    open_objection_count,
)
from app.roll.versions import latest_version
from app.rules.calendar import CalendarMissing
from app.rules.elections import TIE_RULES
from app.rules.preparation import check_election_rules, earliest_meeting, first_meeting_funding_fen
from app.text import required_text

MEETING_FORMS = ("online", "paper", "both")
RANK_CHOICES = ("heads,area", "area,heads", "heads", "area")
ALTERNATES_LISTS = ("one_list", "separate")
DOCUMENT_KINDS = ("rules_of_procedure", "covenant")


def _plan(group: PreparatoryGroup) -> tuple[MeetingPlan, Community]:
    community = db.session.get(Community, group.community_id)
    if group.plan is None or group.formed_on is None or community is None:
        raise DomainError("group_not_formed", _l("Form the group first."), status=409)
    if group.dissolved_on is not None:
        raise DomainError("group_dissolved", _l("This group has been dissolved."), status=409)
    return group.plan, community


def _changed(plan: MeetingPlan) -> dict[str, bool]:
    """Any change to what was announced un-schedules the meeting: it must be checked (and announced) again. Returns
    what the change's audit event adds: {"unscheduled": True} when a scheduled meeting was un-scheduled."""
    was_scheduled = plan.scheduled_at is not None
    plan.scheduled_at, plan.scheduled_by_id = None, None
    return {"unscheduled": True} if was_scheduled else {}


def update_meeting(
    group: PreparatoryGroup, starts_on: date, ends_on: date, form: str, content: str, user_id: int | None
) -> MeetingPlan:
    """The meeting's time, form and content (Art 13 ¶1 (2)); the voting window runs from ``starts_on`` to
    ``ends_on`` (both inclusive, Asia/Shanghai)."""
    plan, community = _plan(group)
    if ends_on < starts_on:
        raise DomainError(
            "window_reversed", _l("The voting window must end on or after its first day."), field="meeting_ends_on"
        )
    if form not in MEETING_FORMS:
        raise DomainError("invalid_meeting_form", _l("Choose online, paper, or both."), field="meeting_form")
    content = required_text(content, "meeting_content", 5000, multiline=True)
    plan.meeting_starts_on, plan.meeting_ends_on, plan.meeting_form = starts_on, ends_on, form
    plan.meeting_content = content
    unscheduled = _changed(plan)
    db.session.flush()
    audit.record(
        "preparation.meeting",
        "meeting_plan",
        plan.id,
        {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "form": form, **unscheduled},
        **scope(community),
    )
    return plan


def election_rule_messages(seats: int, max_alternates: int, min_members: int) -> list[str]:
    """Why the election numbers are refused, in the user's language (empty when they are valid)."""
    words = {
        "seats_out_of_range": _l("The committee has 5 to 11 members (Shaoxing Art 18)."),
        "seats_even": _l("The number of members must be odd (Shaoxing Art 18)."),
        "too_many_alternates": _l(
            "At most %(max)d alternates for %(seats)d members (50%%).", max=seats // 2 if seats > 0 else 0, seats=seats
        ),
        "min_members_out_of_range": _l(
            "The minimum number of members for the committee to be formed is from 5 to the number of seats."
        ),
    }
    return [str(words[p.code]) for p in check_election_rules(seats, max_alternates, min_members)]


def update_rules(
    group: PreparatoryGroup,
    *,
    count_parking: bool,
    blank_and_invalid_take_part: bool,
    rank_by: str,
    seats: int,
    max_alternates: int,
    min_committee_members: int,
    alternates_list: str,
    user_id: int | None,
    arrears_bar: bool = True,
    tie_rule: str = "runoff",
) -> MeetingPlan:
    """The voting rules and the election rules (Art 13 ¶1 (4)–(6)): the counting engine's settings, the tie rule
    among them (DOMAIN §5: "runoff", 另行选举, the default, or "lots", 抽签 drawn from the ledger root), fixed
    before the vote as every rule is."""
    plan, community = _plan(group)
    problems = election_rule_messages(seats, max_alternates, min_committee_members)
    if problems:
        raise DomainError("invalid_election_rules", " ".join(problems), field="seats")
    if rank_by not in RANK_CHOICES:
        raise DomainError("invalid_rank_by", _l("Choose how candidates are ranked."), field="rank_by")
    if alternates_list not in ALTERNATES_LISTS:
        raise DomainError("invalid_alternates_list", _l("Choose how alternates are elected."), field="alternates_list")
    if tie_rule not in TIE_RULES:
        raise DomainError("invalid_tie_rule", _l("Choose how ties are settled."), field="tie_rule")
    plan.count_parking, plan.blank_and_invalid_take_part = count_parking, blank_and_invalid_take_part
    plan.rank_by, plan.seats, plan.max_alternates = rank_by, seats, max_alternates
    plan.min_committee_members, plan.alternates_list = min_committee_members, alternates_list
    plan.arrears_bar, plan.tie_rule = arrears_bar, tie_rule
    plan.voting_rules_confirmed_at = utcnow()
    unscheduled = _changed(plan)
    db.session.flush()
    audit.record(
        "preparation.rules",
        "meeting_plan",
        plan.id,
        {
            "count_parking": count_parking,
            "blank_and_invalid_take_part": blank_and_invalid_take_part,
            "rank_by": rank_by,
            "seats": seats,
            "max_alternates": max_alternates,
            "min_committee_members": min_committee_members,
            "alternates_list": alternates_list,
            "arrears_bar": arrears_bar,
            "tie_rule": tie_rule,
            **unscheduled,
        },
        **scope(community),
    )
    return plan


def document_fields(group: PreparatoryGroup, kind: str) -> dict[str, str]:
    """The fields of a model text as last filled in, or their defaults (with the plan's election numbers)."""
    plan, community = _plan(group)
    stored = plan.rules_fields if kind == "rules_of_procedure" else plan.covenant_fields
    values = model_texts.defaults(kind, community.name, community.address)
    if kind == "rules_of_procedure":
        values.update(committee_seats=str(plan.seats), max_alternates=str(plan.max_alternates))
    values.update(stored or {})
    return values


def draft_document(group: PreparatoryGroup, kind: str, fields: dict[str, str], user_id: int | None) -> MeetingPlan:
    """Produce the draft rules of procedure or covenant from the shipped model text and the group's fields (Art 14);
    the text can then be edited (`edit_document`). Replaces any earlier text."""
    plan, community = _plan(group)
    if kind not in DOCUMENT_KINDS:
        raise DomainError("invalid_document", _l("Unknown document."), status=404)
    try:
        cleaned = model_texts.clean_fields(kind, fields)
    except model_texts.FieldError as error:
        raise DomainError("invalid_field", error.message, field=error.key) from error
    if kind == "rules_of_procedure":
        seats, alternates = int(cleaned["committee_seats"]), int(cleaned["max_alternates"])
        if alternates > seats // 2:
            raise DomainError(
                "invalid_field",
                _l("At most %(max)d alternates for %(seats)d members (50%%).", max=seats // 2, seats=seats),
                field="max_alternates",
            )
    text = model_texts.render(kind, cleaned)
    if kind == "rules_of_procedure":
        plan.rules_fields, plan.rules_text = cleaned, text
    else:
        plan.covenant_fields, plan.covenant_text = cleaned, text
    unscheduled = _changed(plan)
    db.session.flush()
    audit.record(
        "preparation.document_draft",
        "meeting_plan",
        plan.id,
        {"document": kind, "sha256": hashlib.sha256(text.encode()).hexdigest(), **unscheduled},
        **scope(community),
    )
    return plan


def edit_document(group: PreparatoryGroup, kind: str, text: str, user_id: int | None) -> MeetingPlan:
    """Save the group's edited text of the rules of procedure or covenant."""
    plan, community = _plan(group)
    if kind not in DOCUMENT_KINDS:
        raise DomainError("invalid_document", _l("Unknown document."), status=404)
    text = required_text(text, "text", 50000, multiline=True)
    if kind == "rules_of_procedure":
        plan.rules_text = text
    else:
        plan.covenant_text = text
    unscheduled = _changed(plan)
    db.session.flush()
    audit.record(
        "preparation.document_edit",
        "meeting_plan",
        plan.id,
        {"document": kind, "sha256": hashlib.sha256(text.encode()).hexdigest(), **unscheduled},
        **scope(community),
    )
    return plan


def funding_owed_fen(community: Community) -> int:
    """Art 15: 1 yuan per m² of total floor area, at least 50,000 yuan."""
    return first_meeting_funding_fen(community.total_floor_area_centi)


def record_funding(
    group: PreparatoryGroup, amount_fen: int, received_on: date, reference: str, user_id: int | None
) -> MeetingPlan:
    """Record the developer's first-meeting funding as received into the township's account (Art 15)."""
    plan, community = _plan(group)
    if amount_fen <= 0:
        raise DomainError("invalid_amount", _l("Enter the amount received."), field="amount")
    if received_on > today():
        raise DomainError("date_in_future", _l("This date lies in the future."), field="received_on")
    reference = required_text(reference, "reference", 100)
    plan.funding_received_fen, plan.funding_received_on = amount_fen, received_on
    plan.funding_reference = reference
    db.session.flush()
    audit.record(
        "preparation.funding",
        "meeting_plan",
        plan.id,
        {"amount_fen": amount_fen, "owed_fen": funding_owed_fen(community), "received_on": received_on.isoformat()},
        **scope(community),
    )
    return plan


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the checklist: its code, label, whether done, and what is missing (translated)."""

    code: str
    label: Any
    done: bool
    detail: str = ""


def checklist(group: PreparatoryGroup) -> list[ChecklistItem]:
    """Where the preparation stands against Art 13 ¶1 and Arts 12, 15."""
    plan, community = _plan(group)
    notices = latest_notices(group)
    roll = latest_version(community)
    funding_owed = funding_owed_fen(community)

    def published(kind: str) -> bool:
        return kind in notices

    rules_confirmed = plan.voting_rules_confirmed_at is not None
    received = plan.funding_received_fen
    rows: list[tuple[str, Any, bool, Any]] = [
        ("members", KINDS["members"], group.members_announced_on is not None, _l("Publish the members' notice.")),
        (
            "roll",
            _l("Owner roll confirmed and published"),
            roll is not None and roll.published_at is not None,
            _l("Load the roll and publish it."),
        ),
        (
            "meeting",
            KINDS["meeting"],
            published("meeting") and plan.meeting_starts_on is not None,
            _l("Set the meeting and publish it."),
        ),
        (
            "rules_of_procedure",
            KINDS["rules_of_procedure"],
            published("rules_of_procedure"),
            _l("Draft from the model text and publish."),
        ),
        ("covenant", KINDS["covenant"], published("covenant"), _l("Draft from the model text and publish.")),
        (
            "voting_rules",
            KINDS["voting_rules"],
            rules_confirmed and published("voting_rules"),
            _l("Confirm the rules and publish them."),
        ),
        (
            "election_rules",
            KINDS["election_rules"],
            rules_confirmed and published("election_rules"),
            _l("Confirm the rules and publish them."),
        ),
        (
            "candidate_list",
            KINDS["candidate_list"],
            approved_review(group) is not None and published("candidate_list"),
            _l("Vet the candidates, have the list approved, and publish it."),
        ),
        (
            "funding",
            KINDS["funding"],
            received is not None and received >= funding_owed,
            _l("Record the funding received.")
            if received is None
            else _l("Less than the %(owed)s yuan owed was received (Shaoxing Art 15).", owed=yuan(funding_owed)),
        ),
    ]
    return [ChecklistItem(code, label, done, "" if done else str(todo)) for code, label, done, todo in rows]


def schedule_problems(group: PreparatoryGroup) -> list[str]:
    """Why the meeting cannot be scheduled on its planned first day (empty: it can). Art 13 ¶3: everything announced
    at least 15 days before; Art 9: every notice served its 5 working days; objections answered. Once the group's
    term is extended (Art 16 ¶2), the next first meeting is announced anew: a document published before the extension
    counts as not published (DOMAIN §7 item 4: a new announcement, 15 days again)."""
    plan, community = _plan(group)
    if plan.meeting_starts_on is None:
        return [str(_l("Set the meeting's dates first."))]
    meeting_on = plan.meeting_starts_on
    problems: list[str] = []
    if meeting_on <= today():
        problems.append(str(_l("The meeting's first day must lie in the future.")))
    cal = current_calendar()
    notices = latest_notices(group)
    starts: dict[str, date | None] = {
        kind: n.starts_on if n else None for kind, n in ((k, notices.get(k)) for k in ANNOUNCED_BEFORE_MEETING)
    }
    roll = latest_version(community)
    starts["roll"] = roll.notice_starts_on if roll is not None else None
    names = {**KINDS, "roll": _l("Owner roll confirmed and published")}
    for kind, started in starts.items():
        if started is None:
            problems.append(str(_l("Not published yet: %(what)s.", what=names[kind])))
            continue
        if group.extended_on is not None and kind != "roll" and started < group.extended_on:
            problems.append(
                str(
                    _l(
                        "%(what)s was published before the term was extended on %(day)s: announce it again for the "
                        "next first meeting (Shaoxing Art 16).",
                        what=names[kind],
                        day=group.extended_on,
                    )
                )
            )
            continue
        try:
            earliest = earliest_meeting(cal, started)
        except CalendarMissing as error:
            problems.append(str(calendar_error(error)))
            continue
        if meeting_on < earliest:
            problems.append(
                str(
                    _l(
                        "%(what)s was published on %(day)s; the meeting can be held on %(earliest)s at the "
                        "earliest (15 days, Shaoxing Art 13).",
                        what=names[kind],
                        day=started,
                        earliest=earliest,
                    )
                )
            )
        if kind in notices and kind != "candidate_list":
            current = hashlib.sha256(document_text(group, kind).encode()).hexdigest()
            if current != notices[kind].body_sha256:
                problems.append(str(_l("%(what)s changed after its notice; publish it again.", what=names[kind])))
    if open_objection_count(group):
        problems.append(str(_l("Answer every objection to the notices first.")))
    return problems


def schedule(group: PreparatoryGroup, user_id: int | None) -> MeetingPlan:
    """Confirm the meeting on its planned days, refusing while any announcement has not run (Art 13 ¶3, Art 9)."""
    plan, community = _plan(group)
    problems = schedule_problems(group)
    if problems:
        raise DomainError("announcements_not_run", " ".join(problems), status=409)
    plan.scheduled_at, plan.scheduled_by_id = utcnow(), user_id
    db.session.flush()
    audit.record(
        "preparation.schedule",
        "meeting_plan",
        plan.id,
        {"starts_on": str(plan.meeting_starts_on), "ends_on": str(plan.meeting_ends_on)},
        **scope(community),
    )
    return plan
