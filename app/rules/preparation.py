"""The preparatory group (筹备组) and its clocks: composition, deadlines, the 15-day announcement and the first-meeting
funding (Shaoxing Property Management Regulations 2020, Arts 9–16; DOMAIN §7 steps 2–4). PURE.

Dates use `app.rules.calendar`: a period "within N days" starts the day after the event (Civil Code Art 201) and its
last day rolls forward to the next working day when it is a day off (Art 203; an adjusted working weekend day stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from app.rules.calendar import (
    CalendarMissing,
    HolidayCalendar,
    days_before,
    deadline,
    notice_end,
    provisional_span,
)

# --- composition (Shaoxing Art 12) ---------------------------------------------------------------------------------

Role = Literal["township", "owner_representative", "residents_committee", "developer"]
ROLES: frozenset[str] = frozenset({"township", "owner_representative", "residents_committee", "developer"})

ProblemCode = Literal[
    "no_members",
    "no_leader",
    "leader_not_township",
    "owner_representatives_below_half",
    "owner_representative_not_on_roll",
    "no_township_representative",
]


@dataclass(frozen=True)
class Member:
    """One member of a preparatory group.

    ``role`` is one of `ROLES`: "township" (街道办事处、乡镇人民政府代表), "owner_representative" (业主代表),
    "residents_committee" (居（村）民委员会代表), "developer" (建设单位代表). ``is_owner_on_roll`` says whether the
    person is an owner on the community's roll; it matters for owner representatives only.
    """

    role: str
    is_owner_on_roll: bool

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown preparatory-group role {self.role!r}; expected one of {sorted(ROLES)}")


@dataclass(frozen=True)
class CompositionProblem:
    """A reason the group does not satisfy Shaoxing Art 12: a stable ``code`` and a short English ``detail``."""

    code: ProblemCode
    detail: str


def owner_representatives_needed(total: int) -> int:
    """The smallest number of owner representatives in a group of ``total``: at least half, i.e. ceil(total / 2).

    7 members → 4; 6 → 3; 1 → 1; 0 → 0.
    """
    if total < 0:
        raise ValueError(f"a group cannot have {total} members")
    return (total + 1) // 2


def check_composition(members: Sequence[Member], leader_index: int | None) -> tuple[CompositionProblem, ...]:
    """Every problem with the group's composition under Shaoxing Art 12 (DOMAIN §7 step 2); () when it is valid.

    Art 12: 筹备组成员由业主代表，建设单位代表，街道办事处、乡镇人民政府代表，居（村）民委员会代表组成。
    建设单位未派员参加的，不影响筹备组成立。业主代表人数不少于筹备组人数的二分之一 …
    筹备组组长由街道办事处、乡镇人民政府代表担任。

    Checked, each independently, in this order:

    - "no_members": the group is empty;
    - "no_leader": ``leader_index`` is None; "leader_not_township": the leader is not a township representative;
    - "owner_representatives_below_half": owner representatives × 2 < members (exactly half passes), e.g.
      "3 owner representatives of 7 members; at least 4 needed";
    - "owner_representative_not_on_roll": one problem per owner representative who is not an owner on the roll;
    - "no_township_representative": nobody represents the township.

    The developer's absence is not a problem (Art 12: 建设单位未派员参加的，不影响筹备组成立); nor is the residents'
    committee's, which the regulation lists but the product does not require. ``leader_index`` is a 0-based index
    into ``members``; an index outside it is a programming error (ValueError).
    """
    if leader_index is not None and not 0 <= leader_index < len(members):
        raise ValueError(f"leader_index {leader_index} is not a member index (group of {len(members)})")
    problems: list[CompositionProblem] = []
    total = len(members)
    if total == 0:
        problems.append(CompositionProblem("no_members", "the preparatory group has no members"))
    if leader_index is None:
        problems.append(CompositionProblem("no_leader", "no leader named; the township's representative leads"))
    elif members[leader_index].role != "township":
        problems.append(
            CompositionProblem(
                "leader_not_township",
                f"the leader (member {leader_index + 1}) is a {members[leader_index].role.replace('_', ' ')}, "
                "not the township's representative",
            )
        )
    owners = sum(1 for m in members if m.role == "owner_representative")
    if owners * 2 < total:
        problems.append(
            CompositionProblem(
                "owner_representatives_below_half",
                f"{owners} owner representatives of {total} members; at least {owner_representatives_needed(total)} "
                "needed",
            )
        )
    for number, member in enumerate(members, start=1):
        if member.role == "owner_representative" and not member.is_owner_on_roll:
            problems.append(
                CompositionProblem(
                    "owner_representative_not_on_roll",
                    f"member {number} is an owner representative but not an owner on the roll",
                )
            )
    if not any(m.role == "township" for m in members):
        problems.append(CompositionProblem("no_township_representative", "no representative of the township"))
    return tuple(problems)


def lacks_residents_committee(roles: Iterable[str]) -> bool:
    """Whether a group's members (by role) include nobody from the residents' committee.

    Shaoxing Art 12 ¶1 names the residents' committee among the preparatory group's members (and Art 24 applies it to
    the re-election group). Its absence does not stop the group (the township may have reasons), so the product does
    not refuse it: it flags it for the township to confirm (`app.preparation.group.confirm_composition`).
    ["township", "owner_representative", …, "developer"] → True; with "residents_committee" → False.
    """
    return "residents_committee" not in set(roles)


# --- clocks (Shaoxing Arts 11, 12, 16) -----------------------------------------------------------------------------

ClockCode = Literal["form_group", "announce_members", "first_meeting", "first_meeting_extended"]

FORM_GROUP_DAYS = 60  # Art 11 ¶3: 自收到报告或者申请之日起六十日内 … 成立业主大会筹备组
ANNOUNCE_MEMBERS_DAYS = 3  # Art 12 ¶2: 筹备组应当自成立之日起三日内将成员的基本情况及联系方式等信息予以公告
FIRST_MEETING_DAYS = 90  # Art 16 ¶1: 首次业主大会会议应当自筹备组成立之日起九十日内召开
EXTENSION_DAYS = 90  # Art 16 ¶2: 筹备组的工作期限延长九十日 (once; then the group is dissolved)


@dataclass(frozen=True)
class Clock:
    """One running legal period.

    ``due`` is the last day of the period (it ends at 24:00 that day), or None when it cannot be computed because the
    holiday calendar lacks ``missing_year`` (then ``missing_year`` is set; otherwise it is None). Choice made here:
    a missing year does not raise from `preparation_clocks`, so that a page can list the other clocks and say "no
    holiday calendar for 2027 yet" for this one (``str(CalendarMissing(clock.missing_year))``).
    """

    code: ClockCode
    event_date: date
    due: date | None
    days: int
    counted_in: Literal["days", "working_days"]
    article: str
    missing_year: int | None = None
    #: the due date was reckoned on a provisional calendar year (`calendar.provisional_span`): shown as provisional
    provisional: bool = False

    def __post_init__(self) -> None:
        if (self.due is None) == (self.missing_year is None):
            raise ValueError("a clock has either a due date or a missing calendar year, not both or neither")


def _clock(cal: HolidayCalendar, code: ClockCode, event: date, days: int, article: str) -> Clock:
    try:
        due: date | None = deadline(cal, event, days)
        missing: int | None = None
    except CalendarMissing as exc:
        due, missing = None, exc.year
    provisional = due is not None and provisional_span(cal, event + timedelta(days=days), due)
    return Clock(code, event, due, days, "days", article, missing, provisional)


def preparation_clocks(
    cal: HolidayCalendar, *, reported_on: date | None, formed_on: date | None, extended: bool
) -> tuple[Clock, ...]:
    """The clocks running for a community's preparation, in the order below; those whose event is unknown are left out.

    - "form_group": the township forms the group within 60 days of receiving the developer's report or the owners'
      application (Art 11 ¶3), from ``reported_on``;
    - "announce_members": the group announces its members within 3 days of its formation (Art 12 ¶2);
    - "first_meeting": the first meeting is held within 90 days of formation (Art 16 ¶1); or, when ``extended``
      (the first meeting failed to adopt the rules of procedure and covenant, Art 16 ¶2, once), instead
      "first_meeting_extended": 90 + 90 = 180 days from formation. Our reading: the 90-day extension continues the
      group's term, so it is counted as one 180-day period from formation (not from a rolled-forward 90th day).

    All are calendar days (Civil Code Art 201/203 via `calendar.deadline`). Examples (2026):

    - reported Sun 2026-08-02 → day 60 is Thu 10-01 (National Day, 10-01–07 off) → form the group by Thu 2026-10-08;
    - reported Tue 2026-08-11 → day 60 is Sat 2026-10-10, an adjusted working day: stays;
    - formed Mon 2026-09-28 → members announced by Thu 10-01 → rolls to Thu 2026-10-08;
    - formed Mon 2026-06-01 → first meeting by Sun 08-30 → Mon 2026-08-31; extended: by Sat 11-28 → Mon 2026-11-30;
    - formed Fri 2026-10-02 → first meeting by Thu 2026-12-31; extended → 2027-03-31: due None, missing_year 2027.
    """
    clocks: list[Clock] = []
    if reported_on is not None:
        clocks.append(_clock(cal, "form_group", reported_on, FORM_GROUP_DAYS, "Shaoxing Art 11 ¶3"))
    if formed_on is not None:
        clocks.append(_clock(cal, "announce_members", formed_on, ANNOUNCE_MEMBERS_DAYS, "Shaoxing Art 12 ¶2"))
        if extended:
            days = FIRST_MEETING_DAYS + EXTENSION_DAYS
            clocks.append(_clock(cal, "first_meeting_extended", formed_on, days, "Shaoxing Art 16 ¶2"))
        else:
            clocks.append(_clock(cal, "first_meeting", formed_on, FIRST_MEETING_DAYS, "Shaoxing Art 16 ¶1"))
    return tuple(clocks)


@dataclass(frozen=True)
class ClockState:
    """Where ``today`` stands against a clock: "due_in" ``days`` days, "due_today" (0), or "overdue" by ``days``."""

    state: Literal["due_in", "due_today", "overdue"]
    days: int


def clock_state(clock: Clock, today: date) -> ClockState:
    """Due 2026-10-08: on 10-05 → due_in 3; on 10-08 → due_today 0; on 10-09 → overdue 1.

    A clock without a due date (its calendar year is missing) raises `CalendarMissing` for that year.
    """
    if clock.due is None:
        raise CalendarMissing(clock.missing_year if clock.missing_year is not None else today.year)
    delta = (clock.due - today).days
    if delta > 0:
        return ClockState("due_in", delta)
    if delta == 0:
        return ClockState("due_today", 0)
    return ClockState("overdue", -delta)


# --- the 15-day announcement (Shaoxing Arts 9, 13) -----------------------------------------------------------------

ANNOUNCEMENT_DAYS = 15  # Art 13 ¶3: 本条第一款内容应当在首次业主大会会议召开十五日前公告
NOTICE_WORKING_DAYS = 5  # Art 9: 公布、公示、公告时间不得少于五个工作日


def earliest_meeting(cal: HolidayCalendar, announced_on: date) -> date:
    """The earliest day for the first meeting when its content was announced on ``announced_on``.

    Two rules, the later wins:

    - Art 13 ¶3, announced at least 15 days before the meeting: the inverse of `calendar.days_before` (15 whole days
      between the announcement and the meeting, neither counted), i.e. ``announced_on + 16``; so
      ``days_before(earliest_meeting(cal, x), 15) == x`` and a meeting one day earlier is not allowed;
    - Art 9, the announcement stays up at least 5 working days (`calendar.notice_end`): the meeting is not held before
      that term is served, i.e. not before the day after ``notice_end``. Our reading, so that owners have the full
      term to object (Art 13 ¶3); in the 2026 calendar the 15-day rule is always the later one.

    No holiday roll applies (the meeting may be on any day). Example (2026): announced Thu 2026-10-01 → meeting on or
    after Sat 2026-10-17 (10-02 … 10-16 are the 15 days; the 5-working-day notice term ends Tue 10-13). The calendar
    is needed for the working days after ``announced_on``: announced 2026-12-28 → 2027-01-13 by the 15 days, whatever
    2027's arrangement (its notice term ends on 2027-01-05 at the latest).
    """
    by_days = announced_on + timedelta(days=ANNOUNCEMENT_DAYS + 1)
    by_notice = notice_end(cal, announced_on, NOTICE_WORKING_DAYS) + timedelta(days=1)
    return max(by_days, by_notice)


def meeting_allowed(cal: HolidayCalendar, announced_on: date, meeting_on: date) -> bool:
    """Whether a meeting on ``meeting_on`` respects the announcement made on ``announced_on`` (`earliest_meeting`).

    Announced Thu 2026-10-01: a meeting on Fri 10-16 → False; on Sat 2026-10-17 → True.
    """
    return meeting_on >= earliest_meeting(cal, announced_on)


def latest_announcement(meeting_on: date) -> date:
    """The latest day to announce for a meeting on ``meeting_on`` (Art 13 ¶3; `calendar.days_before` with 15)."""
    return days_before(meeting_on, ANNOUNCEMENT_DAYS)


# --- first-meeting funding (Shaoxing Art 15) -----------------------------------------------------------------------

FUNDING_FEN_PER_SQUARE_METRE = 100  # 1 yuan per m²
FUNDING_MINIMUM_FEN = 5_000_000  # 50,000 yuan


def first_meeting_funding_fen(total_floor_area_centi: int) -> int:
    """The developer's first-meeting funding in fen (0.01 yuan), computed exactly with integers.

    Art 15: 首次业主大会筹备经费由建设单位按照物业总建筑面积每平方米一元且总额不少于五万元的标准承担 — 1 yuan per m² of
    the property's *total floor area* (物业总建筑面积, the whole gross floor area, not the delivered or the
    above-ground area), and at least 50,000 yuan. ``total_floor_area_centi`` is that area in 0.01 m²; 0.01 m² × 1
    yuan/m² = 0.01 yuan = 1 fen, so the amount is the area figure itself, floored at 5,000,000 fen.

    123,456.78 m² → 12,345,678 fen (123,456.78 yuan); 30,000.00 m² → 5,000,000 fen (the minimum);
    50,000.01 m² → 5,000,001 fen. A negative area is a ValueError.
    """
    if total_floor_area_centi < 0:
        raise ValueError(f"total floor area must not be negative, not {total_floor_area_centi} (0.01 m²)")
    amount = total_floor_area_centi * FUNDING_FEN_PER_SQUARE_METRE // 100
    return max(amount, FUNDING_MINIMUM_FEN)


# --- the election rules (Shaoxing Arts 13 (6), 18; DOMAIN §5) --------------------------------------------------------

MIN_SEATS, MAX_SEATS = 5, 11

ElectionRuleCode = Literal["seats_out_of_range", "seats_even", "too_many_alternates", "min_members_out_of_range"]


@dataclass(frozen=True)
class ElectionRuleProblem:
    """Why election rules are invalid: a stable ``code`` and its numbers (the caller words the message)."""

    code: ElectionRuleCode
    args: dict[str, int]


def max_alternates_for(seats: int) -> int:
    """At most 50% of the members (DOMAIN §5): 7 seats → 3 alternates, 5 → 2, 11 → 5."""
    return seats // 2


def check_election_rules(seats: int, max_alternates: int, min_members: int) -> tuple[ElectionRuleProblem, ...]:
    """Every problem with an election's numbers; () when they are valid.

    - seats: 5 to 11 members (Shaoxing Art 18: 业主委员会由五至十一名委员组成), an odd number;
    - alternates: 0 to 50% of the seats (`max_alternates_for`);
    - the minimum number of members for the committee to count as formed (DOMAIN §5, Hangzhou Art 27): at least 5
      and at most the seats. The engine also requires more than half of the seats filled, whatever this number.
    """
    problems: list[ElectionRuleProblem] = []
    if not MIN_SEATS <= seats <= MAX_SEATS:
        problems.append(ElectionRuleProblem("seats_out_of_range", {"seats": seats, "min": MIN_SEATS, "max": MAX_SEATS}))
    elif seats % 2 == 0:
        problems.append(ElectionRuleProblem("seats_even", {"seats": seats}))
    if not 0 <= max_alternates <= max_alternates_for(max(seats, 0)):
        problems.append(
            ElectionRuleProblem(
                "too_many_alternates",
                {"alternates": max_alternates, "max": max_alternates_for(max(seats, 0)), "seats": seats},
            )
        )
    if not MIN_SEATS <= min_members <= max(seats, MIN_SEATS):
        problems.append(ElectionRuleProblem("min_members_out_of_range", {"min_members": min_members, "seats": seats}))
    return tuple(problems)
