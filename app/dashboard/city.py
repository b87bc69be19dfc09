"""The city's view (the housing bureau; issue 8 item 6): the policy's measures for every township, ranked by the
committee establishment rate.

Who sees it: platform administrators only. Gongjue has no role for the city's housing bureau, and the brief forbids
adding one; the administrators run the platform for the city and already see every township. A township official or
observer sees their own township's dashboard, never the others' figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.communities.models import Township
from app.extensions import db
from app.governance import measures
from app.governance.measures import Measures, Records


@dataclass(frozen=True)
class TownshipMeasures:
    rank: int
    township: Township
    measures: Measures


def ranking_key(township: Township, point: Measures) -> tuple[int, object, int, str]:
    """Highest establishment rate first; townships with no community meeting the conditions last; ties by the number
    of communities with a committee (more first), then by the administrative code.

    Example: A 3/4 (75%), B 2/2 (100%), C 0/0, D 6/8 (75%) rank B, D, A, C.
    """
    rate = point.establishment.value
    return (rate is None, -(rate or 0), -point.establishment.part, township.admin_code)


def city_ranking(records: Records) -> tuple[list[TownshipMeasures], Measures]:
    """Every township's measures now, ranked, and the city's (all communities together), from every township's
    records (`measures.load(None, today)`)."""
    townships = db.session.scalars(select(Township).order_by(Township.admin_code)).all()
    scored = [(township, measures.measures(records.of_townships([township.id]))) for township in townships]
    scored.sort(key=lambda pair: ranking_key(*pair))
    ranked = [TownshipMeasures(rank, township, point) for rank, (township, point) in enumerate(scored, start=1)]
    return ranked, measures.measures(records)
