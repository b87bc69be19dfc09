"""Configuring and opening a meeting (DOMAIN §7 item 7, §8; Shaoxing Arts 10, 13, 16).

The first meeting is created from the preparation: its matters (adopting the rules of procedure, Art 278 ¶1 (1);
the covenant, (2); electing the committee, (3), with the township-approved candidates), its voting window and the
engine's settings from the voting rules. Until it opens the convener may change the window, the channels, the
identity check and the matters; a change after the meeting's announcement needs a new one (app.voting.announcement).
Opening checks the announcement's gates (15 days, content as announced, objections answered), freezes the roll
version (roll notice served, objections answered) and fixes the voters; from then on nothing about matters,
candidates or roll can change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.auth.models import User
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.preparation.candidates import approved_candidates
from app.preparation.common import owner_by_lookup
from app.preparation.models import Candidate, PreparatoryGroup
from app.preparation.notices import ANNOUNCED_BEFORE_MEETING, approved_review, latest_notices
from app.privacy import SECOND_FACTOR_TAIL, decrypt, lookup_hash, pseudonym_key
from app.results import trustees
from app.roll import services as roll_services
from app.roll.models import RollOwner, RollUnit, RollVersion
from app.roll.versions import latest_version
from app.roll.weights import roll_fingerprint, unit_key, voter_pseudonym, voter_roll
from app.rules.governance import may_put_to_the_vote
from app.rules.model import CATEGORIES, Settings
from app.text import optional_text, required_text
from app.voting import announcement
from app.voting.models import Matter, MatterCandidate, Meeting, MeetingVoter
from app.voting.sms import sms_disabled

CHANNELS = ("phone,paper", "phone", "paper")
SECOND_FACTORS = ("id_last6", "sms")
#: the window's hours on its first and last day when the plan gives days only
OPENS_AT, CLOSES_AT = time(8, 0), time(20, 0)
#: Civil Code Art 278 ¶1 (4): hiring and firing the property service company or another manager
PROPERTY_COMPANY_CATEGORY = 4


def local(day: date, at: time) -> datetime:
    """A day and time in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=SHANGHAI)


def _scope(community_id: int) -> dict[str, Any]:
    community = db.session.get_one(Community, community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def _draft(meeting: Meeting) -> None:
    if meeting.status != "draft":
        raise DomainError(
            "meeting_opened", _l("Voting has opened: the meeting's matters, candidates and roll are fixed."), status=409
        )


def first_meeting(group: PreparatoryGroup, user_id: int | None) -> Meeting:
    """Create the first meeting from the preparation's plan and approved candidates: one per group, and one more
    once its term is extended because the first did not adopt the rules and covenant (Shaoxing Art 16 ¶2), announced
    and scheduled anew (`app.preparation.checklist.schedule_problems`)."""
    plan = group.plan
    if plan is None or plan.meeting_starts_on is None or plan.meeting_ends_on is None:
        raise DomainError("meeting_not_planned", _l("Set the meeting's dates first."), status=409)
    if plan.scheduled_at is None:
        raise DomainError(
            "meeting_not_scheduled", _l("Schedule the meeting first: every announcement must have run."), status=409
        )
    held = len(db.session.scalars(select(Meeting.id).where(Meeting.group_id == group.id)).all())
    if held >= (2 if group.extended_on is not None else 1):  # Art 16 ¶2: one more first meeting once extended
        raise DomainError("meeting_exists", _l("The first meeting has been created already."), status=409)
    review = approved_review(group)
    if review is None:
        raise DomainError("list_not_approved", _l("The candidate list has not been approved."), status=409)
    community = db.session.get_one(Community, group.community_id)
    meeting = Meeting(
        community_id=community.id,
        group_id=group.id,
        title=f"{community.name}首次业主大会会议",
        opens_at=local(plan.meeting_starts_on, OPENS_AT),
        closes_at=local(plan.meeting_ends_on, CLOSES_AT),
        channels="phone,paper" if plan.meeting_form == "both" else plan.meeting_form.replace("online", "phone"),
        settings={
            "count_parking": plan.count_parking,
            "blank_and_invalid_take_part": plan.blank_and_invalid_take_part,
            "rank_by": plan.rank_by.split(","),
            "min_committee_members": plan.min_committee_members,
            "alternates_list": plan.alternates_list,
            "tie_rule": plan.tie_rule,
            # the rules of procedure's bar on candidates with unpaid fees after a written demand (DOMAIN §6)
            "arrears_bar": plan.arrears_bar,
            # the committee's term as the rules of procedure set it (Shaoxing Art 24: 3 to 5 years)
            "term_years": int((plan.rules_fields or {}).get("term_years", 5)),
        },
        created_by_id=user_id,
        contact_phone=next((m.contact for m in group.members if m.is_leader), "")[:32],
    )
    listed = approved_candidates(group)
    meeting.matters = [
        Matter(position=1, kind="motion", category=1, title="表决通过《业主大会议事规则》", text=plan.rules_text),
        Matter(position=2, kind="motion", category=2, title="表决通过《管理规约》", text=plan.covenant_text),
        *election_matters(
            3, "选举第一届业主委员会委员、候补委员", plan.seats, plan.max_alternates, listed, plan.alternates_list
        ),
    ]
    db.session.add(meeting)
    db.session.flush()
    _record_the_groups_announcement(group, meeting)
    audit.record(
        "meeting.create",
        "meeting",
        meeting.id,
        {"matters": len(meeting.matters), "candidates": len(listed)},
        **_scope(community.id),
    )
    return meeting


def election_matters(
    position: int, title: str, seats: int, max_alternates: int, listed: Sequence[Candidate], alternates_list: str
) -> list[Matter]:
    """The committee's election on the ballot, as the election rules announced it (DOMAIN §5): one matter on one list;
    with separate lists two parts, the members' (its seats, no alternate) and the alternates' (its places), each with
    the candidates who stand on it. Example: "选举第一届业主委员会委员、候补委员", 7 seats and 3 alternates on separate
    lists → "选举第一届业主委员会委员" (7) and "选举第一届业主委员会候补委员" (3)."""

    def matter(at: int, named: str, members: int, places: int, part: str | None, on: Sequence[Candidate]) -> Matter:
        return Matter(
            position=at,
            kind="election",
            category=3,
            title=named,
            text="",
            seats=members,
            max_alternates=places,
            list_part=part,
            candidates=ballot_candidates(on),
        )

    if alternates_list != "separate" or max_alternates == 0:
        return [matter(position, title, seats, max_alternates, None, listed)]
    standing = {part: [c for c in listed if c.stands_for == part] for part in ("members", "alternates")}
    return [
        matter(position, title.replace("委员、候补委员", "委员"), seats, 0, "members", standing["members"]),
        matter(
            position + 1,
            title.replace("委员、候补委员", "候补委员"),
            0,
            max_alternates,
            "alternates",
            standing["alternates"],
        ),
    ]


def ballot_candidates(listed: Sequence[Candidate]) -> list[MatterCandidate]:
    """An election's candidates on the ballot, in the order of the approved list, each linked to its nomination."""
    return [
        MatterCandidate(candidate_id=c.id, position=i, name=c.name, unit_labels=c.unit_labels, statement=c.statement)
        for i, c in enumerate(listed, start=1)
    ]


def _record_the_groups_announcement(group: PreparatoryGroup, meeting: Meeting) -> None:
    """The first meeting's content was announced by the group's documents (Shaoxing Art 13 ¶3): the announcement day
    is the day the last of them was published, its notice the meeting's ("time, form and content")."""
    published = latest_notices(group)
    days = [published[kind].starts_on for kind in ANNOUNCED_BEFORE_MEETING if kind in published]
    if days:
        announcement.record_announcement(meeting, max(days), published.get("meeting"))


def configure(
    meeting: Meeting,
    *,
    opens_at: datetime,
    closes_at: datetime,
    channels: str,
    second_factor: str,
    allow_change: bool,
    user_id: int | None,
    contact_phone: str | None = None,
    paper_place: str | None = None,
) -> Meeting:
    """The voting window (Asia/Shanghai), channels, identity check, whether a ballot may be changed, the phone
    owners call about the vote and where they hand in a paper ballot (these two None: unchanged; both are printed on
    the voters' letters, app.voting.letters)."""
    _draft(meeting)
    if closes_at <= opens_at:
        raise DomainError("window_reversed", _l("Voting must close after it opens."), field="closes_at")
    if channels not in CHANNELS:
        raise DomainError("invalid_channels", _l("Choose phone, paper, or both."), field="channels")
    if second_factor not in SECOND_FACTORS:
        raise DomainError("invalid_second_factor", _l("Choose how voters prove who they are."), field="second_factor")
    if second_factor == "sms" and sms_disabled():
        raise DomainError(
            "sms_disabled",
            _l("This platform sends no text messages: use the ID-number check."),
            field="second_factor",
        )
    meeting.opens_at, meeting.closes_at, meeting.channels = opens_at, closes_at, channels
    meeting.second_factor, meeting.allow_change = second_factor, allow_change
    if contact_phone is not None:
        meeting.contact_phone = optional_text(contact_phone, "contact_phone", 32)
    if paper_place is not None:
        meeting.paper_place = optional_text(paper_place, "paper_place", 80)
    db.session.flush()
    audit.record(
        "meeting.configure",
        "meeting",
        meeting.id,
        {
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "channels": channels,
            "second_factor": second_factor,
            "allow_change": allow_change,
            "contact_phone": meeting.contact_phone,
            "paper_place": meeting.paper_place,
        },
        **_scope(meeting.community_id),
    )
    return meeting


def set_owner_help(meeting: Meeting, *, contact_phone: str, paper_place: str, user_id: int) -> Meeting:
    """The phone owners call about the vote and where they hand in a paper ballot, printed on the voters' letters and
    shown on the ballot's pages. Neither is part of the announced content (app.voting.announcement) nor of the count,
    so the convener may set them until the window ends — above all before making the letters of an open meeting
    (issue 19 item 5). Only the convener (a body's chair: it binds the body) sets them, checked here."""
    from app.governance.acting import require_run

    require_run(db.session.get_one(User, user_id), meeting, chair=True)
    if window_state(meeting) in ("after", "closed"):
        raise DomainError(
            "meeting_closed", _l("Voting has ended: the letters and the ballot's pages are final."), status=409
        )
    meeting.contact_phone = optional_text(contact_phone, "contact_phone", 32)
    meeting.paper_place = optional_text(paper_place, "paper_place", 80)
    db.session.flush()
    audit.record(
        "meeting.owner_help",
        "meeting",
        meeting.id,
        {"contact_phone": meeting.contact_phone, "paper_place": meeting.paper_place},
        **_scope(meeting.community_id),
    )
    return meeting


def add_motion(meeting: Meeting, category: int, title: str, text: str, user_id: int | None) -> Matter:
    """Add a matter decided yes or no, with its Art 278 ¶1 category (the threshold follows from it)."""
    _draft(meeting)
    if category not in CATEGORIES:
        raise DomainError("invalid_category", _l("Choose a category of Civil Code Art 278."), field="category")
    community = db.session.get_one(Community, meeting.community_id)
    if not may_put_to_the_vote(community.governance, "motion"):
        raise DomainError(
            "re_election_under_way",
            _l(
                "While the re-election group works, no matter of joint decision is put to the vote, the property "
                "company's hiring or firing included; only the committee's election (Shaoxing Art 24)."
            ),
            field="category",
        )
    matter = Matter(
        position=max((m.position for m in meeting.matters), default=0) + 1,
        kind="motion",
        category=category,
        title=required_text(title, "title", 200),
        text=optional_text(text, "text", 20000, multiline=True),
    )
    meeting.matters.append(matter)
    db.session.flush()
    audit.record("meeting.matter_add", "matter", matter.id, {"category": category}, **_scope(meeting.community_id))
    return matter


def remove_matter(matter: Matter, user_id: int | None) -> None:
    meeting = matter.meeting
    _draft(meeting)
    meeting.matters.remove(matter)
    db.session.flush()
    audit.record("meeting.matter_remove", "matter", matter.id, {"title": matter.title}, **_scope(meeting.community_id))


def open_voting(meeting: Meeting, today: date, user_id: int | None) -> Meeting:
    """Freeze the roll and fix the voters; the meeting is then open (ballots count inside its window only)."""
    _draft(meeting)
    community = db.session.get_one(Community, meeting.community_id)
    if not meeting.matters:
        raise DomainError("no_matters", _l("The meeting has no matter to vote on."), status=409)
    announcement.check_before_opening(meeting)
    version = latest_version(community)
    if version is None:
        raise DomainError("no_roll", _l("The community has no owner roll."), status=409)
    _check_candidates(meeting, version)
    if version.frozen_at is None:
        roll_services.freeze_version(version, today, user_id)
    settings = Settings(
        count_parking=bool(meeting.settings.get("count_parking", True)),
        blank_and_invalid_take_part=bool(meeting.settings.get("blank_and_invalid_take_part", True)),
    )
    units = db.session.scalars(select(RollUnit).where(RollUnit.roll_version_id == version.id)).all()
    by_key = {unit_key(u): u for u in units}
    roll = voter_roll(units, settings)
    key = pseudonym_key(meeting.id)
    rows = []
    for voter in roll.voters:
        first = by_key[voter.unit_ids[0]]
        holder = next((o for o in first.owners if o.is_representative), first.owners[0] if first.owners else None)
        rows.append(
            MeetingVoter(
                meeting_id=meeting.id,
                voter_key=voter_pseudonym(voter.owners, key),
                unit_key=voter.voter_id,
                units_label="、".join(by_key[u].label for u in voter.unit_ids)[:500],
                building=first.building,
                area_centi=voter.area_centi,
                holder_name=holder.name if holder else "建设单位",
                phone_cipher=_contact_of(holder),
                id_tail_lookup=_factor_of(holder),
                is_developer=voter.is_developer,
                holder_document=holder.id_type if holder else None,
            )
        )
    db.session.add_all(rows)
    meeting.roll_version_id, meeting.status = version.id, "open"
    meeting.roll_root = roll_fingerprint(roll, key).root
    election_key = trustees.create_for(meeting.id, community.township_id)
    meeting.opened_at, meeting.opened_by_id = utcnow(), user_id
    db.session.flush()
    audit.record(
        "meeting.open",
        "meeting",
        meeting.id,
        {
            "roll_version": version.number,
            "fingerprint": version.fingerprint,
            "roll_root": meeting.roll_root,
            "election_key": election_key,
            "voters": len(rows),
        },
        **_scope(community.id),
    )
    return meeting


def _contact_of(holder: RollOwner | None) -> bytes | None:
    """The phone of the voter's holder; an organisation's is its representative's (DOMAIN §3)."""
    if holder is None:
        return None
    return holder.agent_phone_cipher if holder.is_organisation else holder.phone_cipher


def _factor_of(holder: RollOwner | None) -> str | None:
    """The keyed hash of the second factor: the last six characters of the holder's document, of an organisation's
    representative's; None when there is none (the developer, an organisation without a representative): that voter
    is listed for the paper route (app.voting.credentials.without_second_factor)."""
    if holder is None:
        return None
    cipher = holder.agent_id_cipher if holder.is_organisation else holder.id_number_cipher
    number = decrypt(cipher).upper() if cipher is not None else ""
    if len(number) < SECOND_FACTOR_TAIL:  # a 5-character passport has no six characters to ask
        return None
    return lookup_hash("tail:" + number[-SECOND_FACTOR_TAIL:])


def _check_candidates(meeting: Meeting, version: RollVersion) -> None:
    """Every candidate on the ballot came through nomination, vetting and the township's review, and is an owner on
    the roll being frozen for the vote (Shaoxing Art 13; DOMAIN §6 and §7 item 7), whoever convened the meeting."""
    for matter in (m for m in meeting.matters if m.kind == "election"):
        for listed in matter.candidates:
            nomination = db.session.get(Candidate, listed.candidate_id) if listed.candidate_id is not None else None
            if nomination is None or nomination.status != "accepted":
                raise DomainError(
                    "candidate_not_vetted",
                    _l(
                        "%(name)s was not nominated, vetted and approved: every candidate comes from the approved "
                        "list (Shaoxing Art 13).",
                        name=listed.name,
                    ),
                    status=409,
                )
            if owner_by_lookup(version, nomination.owner_lookup) is None:
                raise DomainError(
                    "candidate_not_on_roll",
                    _l("%(name)s is not an owner on the roll frozen for this vote.", name=listed.name),
                    status=409,
                )


def window_state(meeting: Meeting, now: datetime | None = None) -> str:
    """ "not_open" (draft), "before", "open", "after" (the window has closed) or "closed"."""
    now = now or utcnow()
    if meeting.status == "draft":
        return "not_open"
    if meeting.status in ("closed", "counting", "counted"):
        return "closed"
    if now < meeting.opens_at:
        return "before"
    return "open" if now <= meeting.closes_at else "after"
