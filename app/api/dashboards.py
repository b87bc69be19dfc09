"""/api/v1 dashboards (issue 8 item 10): the township's dashboard figures and the city's, read-only, through the same
functions as the pages (app/governance/measures.py, app/dashboard/township.py, app/dashboard/city.py).

Who may read them, as on the pages: a township's dashboard, whoever sees the township in full (its officials and
observers, administrators); the city's, platform administrators only (docs/dashboards.md says why).

Figures are exact: every share is given as its numerator and denominator (null when there is nothing to measure),
with ``percent``, the same share rounded half up to one decimal, for display only.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.common import check_api_auth
from app.api.schemas import Schema
from app.auth import permissions
from app.dashboard import city
from app.dashboard.stage import Stage
from app.dashboard.township import CommunityRow, TownshipDashboard, township_dashboard, waiting_label
from app.errors import Forbidden
from app.governance import measures
from app.governance.measures import Measures, Ratio, percent_text
from app.governance.services import STATE_LABELS
from app.roll.services import today
from app.rules.areas import format_area
from app.rules.turnout import Participation, percent_down

blp = Blueprint("api_dashboards", __name__, description="Dashboards: the township's and the city's measures")
blp.before_request(check_api_auth)


# --- schemas --------------------------------------------------------------------------------------------------------


class DashboardShareSchema(Schema):
    """An exact share: numerator / denominator (both null when there is nothing to measure), and for display its
    percentage rounded half up to one decimal."""

    numerator = fields.Integer(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    percent = fields.String(allow_none=True, metadata={"example": "66.7"})


class DashboardRatioSchema(DashboardShareSchema):
    """``part`` of ``whole`` (the share is part / whole; null when the whole is 0)."""

    part = fields.Integer()
    whole = fields.Integer()


class DashboardAverageSchema(DashboardShareSchema):
    """The mean of ``count`` shares."""

    count = fields.Integer()


class DashboardPmcSpanSchema(Schema):
    community_id = fields.Integer()
    started_on = fields.Date(metadata={"description": "the township's conversion (convert_to_pmc)"})
    ended_on = fields.Date(allow_none=True, metadata={"description": "null while it still acts"})
    days = fields.Integer()


class DashboardPmcsSchema(Schema):
    acting = fields.Integer()
    average_days = fields.Nested(
        DashboardShareSchema, metadata={"description": "the acting ones' mean duration, in days"}
    )
    spans = fields.List(fields.Nested(DashboardPmcSpanSchema))


class DashboardMembersSchema(Schema):
    serving = fields.Integer(metadata={"description": "members serving on the owners' committees in office"})
    party_members = fields.Nested(DashboardRatioSchema)
    peoples_congress_deputies = fields.Nested(DashboardRatioSchema)
    cppcc_members = fields.Nested(DashboardRatioSchema)


class DashboardParticipationSchema(Schema):
    votes = fields.Integer(metadata={"description": "certified votes"})
    heads = fields.Nested(DashboardAverageSchema)
    area = fields.Nested(DashboardAverageSchema)


class DashboardMeasuresSchema(Schema):
    """The policy's measures (app/governance/measures.py) now, or at ``on`` (a month-end of the trend)."""

    on = fields.Date(allow_none=True, metadata={"description": "null: now"})
    communities = fields.Integer()
    states = fields.Dict(keys=fields.String(), values=fields.Integer())
    establishment_rate = fields.Nested(
        DashboardRatioSchema,
        metadata={"description": "communities with a committee / communities meeting the conditions"},
    )
    property_management_committees = fields.Nested(DashboardPmcsSchema)
    committee_members = fields.Nested(DashboardMembersSchema)
    participation = fields.Nested(DashboardParticipationSchema)


class DashboardTownshipSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    admin_code = fields.String()


class DashboardClockSchema(Schema):
    code = fields.String()
    label = fields.String()
    due = fields.Date(allow_none=True, metadata={"description": "null when the year's holiday calendar is missing"})
    provisional = fields.Boolean(
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"}
    )
    done = fields.Boolean()
    state = fields.String(allow_none=True, metadata={"description": "due_in, due_today or overdue"})
    days = fields.Integer(allow_none=True)


class DashboardWaitingSchema(Schema):
    code = fields.String()
    label = fields.String()
    community_id = fields.Integer()
    result_id = fields.Integer(allow_none=True)


class CommunityTurnoutSchema(Schema):
    """A meeting's participation so far (live while voting), against the 2/3 lines of Civil Code Art 278 ¶2."""

    voted_heads = fields.Integer()
    total_heads = fields.Integer()
    voted_area = fields.String(metadata={"description": "m², two decimals", "example": "2984.19"})
    total_area = fields.String(metadata={"description": "m², two decimals"})
    heads_percent = fields.String(metadata={"description": "rounded down, for display", "example": "66.6"})
    area_percent = fields.String(metadata={"description": "rounded down, for display"})
    meets_heads = fields.Boolean()
    meets_area = fields.Boolean()
    meets_quorum = fields.Boolean(metadata={"description": "both lines reached"})


class CommunityStageSchema(Schema):
    """Where a community stands (app/dashboard/stage.py): its meeting under way, else its preparation's stage, else
    its legal state; the same as on the dashboard and the community page."""

    code = fields.String(
        metadata={
            "description": "announced, voting, window_ended, counting, counted, objections, to_certify (a meeting "
            "under way); a preparation's stage; or the legal state"
        }
    )
    label = fields.String()
    state = fields.String()
    state_label = fields.String()
    meeting_id = fields.Integer(allow_none=True)
    result_id = fields.Integer(allow_none=True)
    opens_at = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    objections_until = fields.Date(allow_none=True)
    turnout = fields.Nested(CommunityTurnoutSchema, allow_none=True)
    open_notice_objections = fields.Integer(
        metadata={"description": "objections to the preparatory group's notices without an answer (the group's)"}
    )


class DashboardCommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    state = fields.String()
    state_label = fields.String()
    stage = fields.Nested(CommunityStageSchema)
    since = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    clocks = fields.List(fields.Nested(DashboardClockSchema))
    waiting = fields.List(fields.Nested(DashboardWaitingSchema))


class TownshipDashboardSchema(Schema):
    township = fields.Nested(DashboardTownshipSchema)
    as_of = fields.Date()
    communities = fields.List(
        fields.Nested(DashboardCommunitySchema),
        metadata={"description": "overdue first, then those with something waiting"},
    )
    waiting = fields.List(fields.Nested(DashboardWaitingSchema))
    measures = fields.Nested(DashboardMeasuresSchema)
    trend = fields.List(
        fields.Nested(DashboardMeasuresSchema), metadata={"description": "the last 12 month-ends, oldest first"}
    )


class DashboardRankedTownshipSchema(Schema):
    rank = fields.Integer()
    township = fields.Nested(DashboardTownshipSchema)
    measures = fields.Nested(DashboardMeasuresSchema)


class CityDashboardSchema(Schema):
    as_of = fields.Date()
    townships = fields.List(
        fields.Nested(DashboardRankedTownshipSchema),
        metadata={"description": "ranked by the committee establishment rate"},
    )
    total = fields.Nested(DashboardMeasuresSchema)
    trend = fields.List(fields.Nested(DashboardMeasuresSchema))


# --- figures --------------------------------------------------------------------------------------------------------


def share(value: Fraction | None) -> dict[str, Any]:
    if value is None:
        return {"numerator": None, "denominator": None, "percent": None}
    return {"numerator": value.numerator, "denominator": value.denominator, "percent": percent_text(value)}


def ratio(value: Ratio) -> dict[str, Any]:
    return {"part": value.part, "whole": value.whole, **share(value.value)}


def measures_document(point: Measures) -> dict[str, Any]:
    members = point.members
    return {
        "on": point.on,
        "communities": point.communities,
        "states": point.states,
        "establishment_rate": ratio(point.establishment),
        "property_management_committees": {
            "acting": point.pmcs.acting,
            "average_days": share(point.pmcs.average_days),
            "spans": [
                {"community_id": s.community_id, "started_on": s.started_on, "ended_on": s.ended_on, "days": s.days}
                for s in point.pmcs.spans
            ],
        },
        "committee_members": {
            "serving": members.members,
            "party_members": ratio(members.party),
            "peoples_congress_deputies": ratio(members.deputy),
            "cppcc_members": ratio(members.cppcc),
        },
        "participation": {
            "votes": point.participation.votes,
            "heads": {"count": point.participation.heads.count, **share(point.participation.heads.value)},
            "area": {"count": point.participation.area.count, **share(point.participation.area.value)},
        },
    }


def _township_ref(township: Any) -> dict[str, Any]:
    return {"id": township.id, "name": township.name, "admin_code": township.admin_code}


def _clocks(row: CommunityRow) -> list[dict[str, Any]]:
    clocks = []
    if row.preparation is not None:
        for view in row.preparation.clocks:
            state = view.state
            clocks.append(
                {
                    "code": view.clock.code,
                    "label": str(view.label),
                    "due": view.clock.due,
                    "provisional": view.clock.provisional,
                    "done": view.done,
                    "state": state.state if state else None,
                    "days": state.days if state else None,
                }
            )
    for clock in row.clocks:
        state = clock.state
        clocks.append(
            {
                "code": clock.code,
                "label": str(clock.label),
                "due": clock.due,
                "provisional": clock.provisional,
                "done": clock.done,
                "state": state.state if state else None,
                "days": state.days if state else None,
            }
        )
    return clocks


def turnout_document(turnout: Participation) -> dict[str, Any]:
    return {
        "voted_heads": turnout.voted_heads,
        "total_heads": turnout.total_heads,
        "voted_area": format_area(turnout.voted_area_centi),
        "total_area": format_area(turnout.total_area_centi),
        "heads_percent": percent_down(turnout.heads_share),
        "area_percent": percent_down(turnout.area_share),
        "meets_heads": turnout.meets_heads,
        "meets_area": turnout.meets_area,
        "meets_quorum": turnout.meets_quorum,
    }


def stage_document(stage: Stage) -> dict[str, Any]:
    """A community's stage as `CommunityStageSchema` has it."""
    meeting, result = stage.meeting, stage.result
    return {
        "code": stage.code,
        "label": str(stage.label),
        "state": stage.state,
        "state_label": str(stage.state_label),
        "meeting_id": meeting.id if meeting is not None else None,
        "result_id": result.id if result is not None else None,
        "opens_at": meeting.opens_at if meeting is not None else None,
        "closes_at": meeting.closes_at if meeting is not None else None,
        "objections_until": result.objections_until if result is not None else None,
        "turnout": turnout_document(stage.turnout) if stage.turnout is not None else None,
        "open_notice_objections": stage.preparation.open_objections if stage.preparation is not None else 0,
    }


def township_document(dashboard: TownshipDashboard) -> dict[str, Any]:
    def waiting(item: Any) -> dict[str, Any]:
        return {
            "code": item.code,
            "label": str(waiting_label(item.code)),
            "community_id": item.community.id,
            "result_id": item.result.id if item.result is not None else None,
        }

    return {
        "township": _township_ref(dashboard.township),
        "as_of": dashboard.today,
        "communities": [
            {
                "id": row.community.id,
                "name": row.community.name,
                "state": row.state,
                "state_label": str(STATE_LABELS[row.state]),
                "stage": stage_document(row.stage),
                "since": row.since,
                "overdue": row.overdue,
                "clocks": _clocks(row),
                "waiting": [waiting(item) for item in row.waiting],
            }
            for row in dashboard.rows
        ],
        "waiting": [waiting(item) for item in dashboard.waiting],
        "measures": measures_document(dashboard.now),
        "trend": [measures_document(point) for point in dashboard.trend],
    }


# --- endpoints ------------------------------------------------------------------------------------------------------


@blp.get("/townships/<id:township_id>/dashboard")
@blp.response(200, TownshipDashboardSchema)
def township(township_id: int) -> Any:
    """The township's dashboard: every community with its state, clocks and what waits (overdue first), the measures
    now and at the last 12 month-ends."""
    found = permissions.get_township(current_user, township_id)
    if not permissions.can_view_township_in_full(current_user, found):
        raise Forbidden("forbidden", _l("Only the township's officials and observers may see its dashboard."))
    return township_document(township_dashboard(found, today()))


@blp.get("/city/dashboard")
@blp.response(200, CityDashboardSchema)
def city_dashboard() -> Any:
    """Every township's measures ranked by the committee establishment rate, the city's total and its trend
    (administrators)."""
    permissions.require_admin(current_user)
    day = today()
    records = measures.load(None, day)
    ranked, total = city.city_ranking(records)
    return {
        "as_of": day,
        "townships": [
            {"rank": row.rank, "township": _township_ref(row.township), "measures": measures_document(row.measures)}
            for row in ranked
        ],
        "total": measures_document(total),
        "trend": [measures_document(point) for point in measures.trend(records, day)],
    }
