"""Dashboards: what each role sees first, with empty states that say what to do next; the township's dashboard of
its communities' self-governance and the city's view across townships (issue 8 items 5 and 6; docs/dashboards.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.calendar.services import missing_next_year
from app.communities.models import Township
from app.dashboard import charts, city, exports
from app.dashboard.township import BODY_CLOCK_LABELS, TownshipDashboard, township_dashboard, waiting_label
from app.errors import NotFound
from app.extensions import db
from app.governance import measures
from app.governance.services import STATE_LABELS
from app.roll.services import today
from app.rules.turnout import percent_down, scaled_length

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index() -> Any:
    """The signed-in user's dashboard."""
    townships = db.session.scalars(permissions.visible_townships_query(current_user)).all()
    communities = db.session.scalars(permissions.visible_communities_query(current_user)).all()
    return render_template(
        "dashboard/index.html",
        townships=townships,
        full_townships=[t for t in townships if permissions.can_view_township_in_full(current_user, t)],
        communities=communities,
        latest_check=audit.latest_check() if current_user.is_admin else None,
        missing_holiday_year=missing_next_year(today()) if current_user.is_admin else None,
    )


def _township(township_id: int) -> Township:
    """The township if the caller sees all of it (its officials and observers, administrators), else 404/403."""
    try:
        township = permissions.get_township(current_user, township_id)
    except NotFound:
        abort(404)
    if not permissions.can_view_township_in_full(current_user, township):
        abort(403)
    return township


def _dashboard(township_id: int) -> TownshipDashboard:
    return township_dashboard(_township(township_id), today())


#: the length of a turnout bar on the dashboard (the meeting's own turnout page draws the same chart)
TURNOUT_BAR = 300


@bp.get("/townships/<id:township_id>/dashboard")
@login_required
def township(township_id: int) -> Any:
    """Every community with its stage and clocks (overdue first), the meetings in voting with their turnout, what waits
    for the township, the measures and their trend as charts; links to the printable summary and the XLSX export."""
    dashboard = _dashboard(township_id)
    return render_template(
        "dashboard/township.html",
        dashboard=dashboard,
        township=dashboard.township,
        charts=charts.trend_charts(dashboard.trend),
        # the turnout chart's helpers (templates/voting/_turnout_chart.html), rounded down as on the meeting's page
        turnout_helpers={
            "percent": percent_down,
            "bar": lambda share: scaled_length(share, TURNOUT_BAR),
            "bar_length": TURNOUT_BAR,
        },
        rows=exports.measure_rows(dashboard.now),
        names={row.community.id: row.community.name for row in dashboard.rows},
        state_labels=STATE_LABELS,
        body_clock_labels=BODY_CLOCK_LABELS,
        waiting_label=waiting_label,
        percent=measures.percent_text,
        shown=exports.shown,
        **charts.chart_helpers(),
    )


def _file(data: bytes, mimetype: str, name: str, disposition: str = "attachment") -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@bp.get("/townships/<id:township_id>/dashboard.xlsx")
@login_required
def township_xlsx(township_id: int) -> Any:
    """The communities, the measures and their trend as a workbook."""
    dashboard = _dashboard(township_id)
    name = exports.filename(f"township-{dashboard.township.admin_code}-dashboard", dashboard.today, "xlsx")
    return _file(exports.township_xlsx(dashboard), exports.XLSX_MIMETYPE, name)


@bp.get("/townships/<id:township_id>/dashboard.pdf")
@login_required
def township_pdf(township_id: int) -> Any:
    """The printable summary."""
    dashboard = _dashboard(township_id)
    name = exports.filename(f"township-{dashboard.township.admin_code}-summary", dashboard.today, "pdf")
    return _file(exports.township_pdf(dashboard), "application/pdf", name, "inline")


def _require_admin() -> None:
    """The city's view is the platform administrators' (app/dashboard/city.py says why)."""
    if not current_user.is_admin:
        abort(403)


@bp.get("/city/dashboard")
@login_required
def city_view() -> Any:
    """Every township's measures, ranked by the committee establishment rate, and the city's trend."""
    _require_admin()
    day = today()
    records = measures.load(None, day)
    ranked, total = city.city_ranking(records)
    trend = measures.trend(records, day)
    return render_template(
        "dashboard/city.html",
        ranked=ranked,
        total=total,
        today=day,
        ranking=charts.ranking_chart([(row.township.name, row.measures.establishment) for row in ranked]),
        charts=charts.trend_charts(trend),
        percent=measures.percent_text,
        shown=exports.shown,
        **charts.chart_helpers(),
    )


@bp.get("/city/dashboard.xlsx")
@login_required
def city_xlsx() -> Any:
    _require_admin()
    day = today()
    ranked, total = city.city_ranking(measures.load(None, day))
    rows = [(row.township.name, row.township.admin_code, row.measures) for row in ranked]
    return _file(exports.city_xlsx(rows, total), exports.XLSX_MIMETYPE, exports.filename("city-dashboard", day, "xlsx"))
