"""The township's dashboard (issue 8 item 5, issue 19 item 1): every community with its stage and its clocks,
overdue ones first; the meetings in voting with their live turnout; what waits for the township, and only that; the
policy's measures (app/governance/measures.py) with their trend.

A community's stage is `app.dashboard.stage.community_stage`'s, the one the community page and the API show: a
meeting under way (voting, counted, published for objections …) before the preparatory group's stage. A community
whose group prepares and has no meeting under way shows the group's clocks (app/preparation/progress.py); the
governing bodies add their own clocks (filing within 30 days of the election, Shaoxing Art 17; the re-election 60
days before the term ends, Art 24), and the township's open orders to correct a decision theirs (the city policy's
item 15, app/governance/supervision.py).

What waits for the township is what the township itself does (DOMAIN §7 item 10: it guides, reviews and certifies,
and does not act in a body's place): form a group, review a candidate list, confirm a composition, certify a result
(and the objections to it that certifying waits for), decide on a conversion, the late filing and re-election, an
overdue order. Objections to a preparatory group's notices are the group's to answer: the row shows how many are
open, and the township's list does not (app/preparation/progress.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.communities.models import Community, Township
from app.dashboard.stage import Stage, community_stage
from app.extensions import db
from app.governance import bodies, measures
from app.governance.body_models import GoverningBody
from app.governance.supervision_models import SupervisionAction
from app.owners.models import Petition
from app.owners.petitions import CONVENE_DAYS
from app.preparation import progress
from app.results.certification import notice_over
from app.results.models import Result
from app.rules.calendar import CalendarMissing
from app.rules.preparation import ClockState
from app.rules.turnout import Participation
from app.voting.models import Meeting

BODY_CLOCK_LABELS: dict[str, Any] = {
    "filing": _l("File the committee (30 days from its election, Shaoxing Art 17)"),
    "re_election": _l("Organise the re-election (60 days before the term ends, Shaoxing Art 24)"),
    "correction": _l("Correct the decision the township ordered corrected"),
    "petition": _l("Convene the meeting the owners proposed, 20%, counted in heads (within 30 days of the threshold)"),
}

#: what waits for the township beyond the preparations' own items (progress.WAITING_LABELS)
WAITING_LABELS: dict[str, Any] = {
    "certify_result": _l("A published result is ready to certify"),
    "result_objections": _l("Objections to a published result wait for an answer: certifying waits for them"),
    "decide_conversion": _l("Assembly established without a committee: decide on the property management committee"),
    "file_committee": _l("The committee was not filed within 30 days"),
    "re_election_due": _l("The committee's re-election is due"),
    "below_half": _l("Fewer than half the committee's seats are filled: a re-election group may be formed"),
    "order_overdue": _l("An order to correct a decision is overdue: record the correction or revoke the decision"),
}


@dataclass(frozen=True)
class BodyClock:
    """A clock of the body in office: its due day (None when the year's holiday calendar is missing) and where today
    stands."""

    code: str
    due: date | None
    missing_year: int | None
    state: ClockState | None
    done: bool
    #: the due day was reckoned on a year without the official holiday arrangement (shown as provisional)
    provisional: bool = False

    @property
    def label(self) -> Any:
        return BODY_CLOCK_LABELS[self.code]

    @property
    def overdue(self) -> bool:
        return not self.done and self.state is not None and self.state.state == "overdue"


def _clock(
    code: str, due: date | None, missing_year: int | None, today: date, done: bool, provisional: bool = False
) -> BodyClock:
    state = None
    if due is not None:
        delta = (due - today).days
        if delta > 0:
            state = ClockState("due_in", delta)
        elif delta == 0:
            state = ClockState("due_today", 0)
        else:
            state = ClockState("overdue", -delta)
    return BodyClock(code, due, missing_year, state, done, provisional)


def order_clocks(orders: list[SupervisionAction], today: date) -> list[BodyClock]:
    """The township's open orders to correct a decision (the city policy's item 15), each due on its day."""
    return [_clock("correction", order.due_on or order.acted_on, None, today, False) for order in orders]


def petition_clocks(petitions: list[Petition], today: date) -> list[BodyClock]:
    """The owners' proposals that reached their threshold (app.owners.petitions): the body announces the meeting by
    the day; None when the year's holiday calendar is missing."""
    return [
        _clock(
            "petition",
            p.convene_by,
            None if p.convene_by else ((p.reached_on or today) + timedelta(days=CONVENE_DAYS)).year,
            today,
            False,
        )
        for p in petitions
    ]


def body_clocks(body: GoverningBody, state: str, today: date) -> list[BodyClock]:
    """A committee's clocks: filing (until filed) and re-election (until the township forms a re-election group)."""
    if body.kind != "committee":
        return []
    clocks = []
    if body.filed_on is None:
        try:
            provisional = bodies.filing_due_is_provisional(body)
            clocks.append(_clock("filing", bodies.filing_due(body), None, today, False, provisional))
        except CalendarMissing as missing:
            clocks.append(_clock("filing", None, missing.year, today, False))
    due = bodies.re_election_due(body)
    if due is not None:
        clocks.append(_clock("re_election", due, None, today, state == "re_election"))
    return clocks


@dataclass(frozen=True)
class WaitingItem:
    """One thing the township should do: its code (WAITING_LABELS or progress.WAITING_LABELS), the community, and
    the result to certify when it is one."""

    code: str
    community: Community
    result: Result | None = None
    meeting_id: int | None = None


@dataclass
class CommunityRow:
    community: Community
    stage: Stage
    since: date | None
    body: GoverningBody | None
    clocks: list[BodyClock]
    pmc_days: int | None
    waiting: list[WaitingItem] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.community.governance

    @property
    def preparation(self) -> progress.Overview | None:
        """The preparatory group's overview while it prepares and no meeting is under way."""
        return self.stage.preparation

    @property
    def overdue(self) -> bool:
        return (self.preparation is not None and self.preparation.overdue) or any(c.overdue for c in self.clocks)

    @property
    def serving(self) -> int:
        return len(bodies.serving(self.body)) if self.body is not None else 0


@dataclass
class TownshipDashboard:
    township: Township
    today: date
    rows: list[CommunityRow]
    now: measures.Measures
    trend: list[measures.Measures]

    @property
    def waiting(self) -> list[WaitingItem]:
        return [item for row in self.rows for item in row.waiting]

    @property
    def voting(self) -> list[CommunityRow]:
        """The communities whose meeting is open for voting or whose window has just ended, with their turnout."""
        return [row for row in self.rows if row.stage.turnout is not None]

    @property
    def voting_rows(self) -> list[tuple[str, Participation]]:
        """The rows of the turnout chart of the meetings in voting: (community, participation)."""
        return [(row.community.name, row.stage.turnout) for row in self.voting if row.stage.turnout is not None]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.overdue)


def published_results(township_id: int) -> list[tuple[Result, Meeting]]:
    """The township's results published for objections, oldest notice first."""
    rows = db.session.execute(
        select(Result, Meeting)
        .join(Meeting, Meeting.id == Result.meeting_id)
        .join(Community, Community.id == Meeting.community_id)
        .where(Community.township_id == township_id, Result.status == "published")
        .order_by(Result.objections_until, Result.id)
    ).all()
    return [(result, meeting) for result, meeting in rows]


def ready_to_certify(township_id: int, today: date) -> list[tuple[Result, Meeting]]:
    """Published results of the township whose notice is over with every objection answered."""
    return [
        (result, meeting)
        for result, meeting in published_results(township_id)
        if notice_over(result, today) and all(o.answer is not None for o in result.objections)
    ]


def township_dashboard(township: Township, today: date) -> TownshipDashboard:
    """Every community of the township (overdue first, then those with something waiting, then by name)."""
    communities = db.session.scalars(
        select(Community).where(Community.township_id == township.id).order_by(Community.name, Community.id)
    ).all()
    records = measures.load([township.id], today)
    by_id = {record.id: record for record in records.communities}
    in_office = {
        body.community_id: body
        for body in db.session.scalars(
            select(GoverningBody)
            .join(Community, Community.id == GoverningBody.community_id)
            .where(Community.township_id == township.id, GoverningBody.dissolved_on.is_(None))
            .order_by(GoverningBody.id)
        )
    }
    pmc_days = {
        span.community_id: span.days
        for span in measures.property_management_committees(records).spans
        if span.ended_on is None
    }
    orders: dict[int, list[SupervisionAction]] = {}
    proposals: dict[int, list[Petition]] = {}
    for order in db.session.scalars(
        select(SupervisionAction)
        .join(Community, Community.id == SupervisionAction.community_id)
        .where(
            Community.township_id == township.id,
            SupervisionAction.kind == "order",
            SupervisionAction.status == "open",
        )
        .order_by(SupervisionAction.due_on, SupervisionAction.id)
    ):
        orders.setdefault(order.community_id, []).append(order)
    for petition in db.session.scalars(
        select(Petition)
        .join(Community, Community.id == Petition.community_id)
        .where(Community.township_id == township.id, Petition.status == "reached", Petition.kind != "joint_nomination")
        .order_by(Petition.convene_by, Petition.id)
    ):
        proposals.setdefault(petition.community_id, []).append(petition)
    published: dict[int, list[tuple[Result, Meeting]]] = {}
    for result, meeting in published_results(township.id):
        published.setdefault(meeting.community_id, []).append((result, meeting))

    rows = []
    for community in communities:
        events = by_id[community.id].events
        body = in_office.get(community.id)
        row = CommunityRow(
            community=community,
            stage=community_stage(community, today),
            since=events[-1][0] if events else None,
            body=body,
            clocks=(body_clocks(body, community.governance, today) if body is not None else [])
            + order_clocks(orders.get(community.id, []), today)
            + petition_clocks(proposals.get(community.id, []), today),
            pmc_days=pmc_days.get(community.id),
        )
        row.waiting = _waiting(row, published.get(community.id, []), today)
        rows.append(row)
    rows.sort(key=lambda row: (not row.overdue, not row.waiting))
    return TownshipDashboard(township, today, rows, measures.measures(records), measures.trend(records, today))


def _result_item(community: Community, result: Result, meeting: Meeting, today: date) -> WaitingItem | None:
    """A published result waits for the township: its objections to answer (a preparatory group's meeting, which
    the township leads), then once its notice is over its certification; None while its notice runs without an open
    objection, or while a body answers the objections to its meeting."""
    if any(o.answer is None for o in result.objections):
        # the convener answers: the township, which leads the preparatory group, for a group's meeting; a body's
        # own accounts for a later one (DOMAIN §7 item 10), whose row shows its stage ("objections to answer")
        return WaitingItem("result_objections", community, result, meeting.id) if meeting.body_id is None else None
    if notice_over(result, today):
        return WaitingItem("certify_result", community, result, meeting.id)
    return None


def _waiting(row: CommunityRow, results: list[tuple[Result, Meeting]], today: date) -> list[WaitingItem]:
    community = row.community
    found = (_result_item(community, result, meeting, today) for result, meeting in results)
    items = [item for item in found if item is not None]
    if community.governance == "established":
        items.append(WaitingItem("decide_conversion", community))
    for clock in row.clocks:
        if clock.code == "filing" and clock.overdue:
            items.append(WaitingItem("file_committee", community))
        if clock.code == "correction" and clock.overdue:
            items.append(WaitingItem("order_overdue", community))
        due = clock.state is not None and clock.state.state != "due_in"
        if clock.code == "re_election" and due and community.governance == "committee":
            items.append(WaitingItem("re_election_due", community))
    body = row.body
    committee = body is not None and body.kind == "committee" and community.governance == "committee"
    if committee and body is not None and body.seats and row.serving * 2 < body.seats:
        items.append(WaitingItem("below_half", community))
    if row.preparation is not None:
        items.extend(WaitingItem(code, community) for code in row.preparation.waiting)
    return items


def waiting_label(code: str) -> Any:
    return WAITING_LABELS.get(code) or progress.WAITING_LABELS[code]
