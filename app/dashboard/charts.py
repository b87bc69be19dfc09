"""The dashboards' charts as plain data for templates/dashboard/_charts.html: no script, every bar with its number in
words, nothing told by colour alone (the style of templates/voting/_turnout_chart.html). The words are HTML text of
a fixed size and only the bars are SVG, so that a chart reads the same on a 360-px phone and on a desktop (issue 19
item 3: text scaled with its drawing was 13 px on a phone and 40 px on a desktop).

Lengths are computed here from the exact figures (rounded down to whole drawing units); texts are rounded only for
display (`measures.percent_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

from app.governance.measures import Average, Measures, Ratio, percent_text

#: the height of a column at 100%, in drawing units (and in CSS pixels: a column's drawing is 120 px tall)
COLUMN_HEIGHT = 120
#: the length of a horizontal bar at 100%
BAR_LENGTH = 640


@dataclass(frozen=True)
class Column:
    #: under the column (the month), above it (the value), and the whole sentence (its title, read aloud)
    label: str
    text: str
    words: str
    height: int


@dataclass(frozen=True)
class ColumnChart:
    key: str
    caption: str
    columns: list[Column]


@dataclass(frozen=True)
class Bar:
    label: str
    words: str
    length: int


@dataclass(frozen=True)
class BarChart:
    key: str
    caption: str
    bars: list[Bar]


def scaled(share: Fraction | None, length: int) -> int:
    """A share of ``length`` drawing units, rounded down and kept within 0…length: 2/3 of 120 → 80."""
    if share is None:
        return 0
    return max(0, min(length, share.numerator * length // share.denominator))


def _month(point: Measures) -> str:
    return point.on.strftime("%Y-%m") if point.on else ""


def _percent(share: Fraction | None) -> str:
    return percent_text(share) + ("%" if share is not None else "")


#: a sentence for one column of a share: (day, part, whole, percent) → words in the user's language
Words = Callable[[str, int, int, str], str]


def _ratio_chart(
    key: str, caption: str, trend: Sequence[Measures], pick: Callable[[Measures], Ratio], words: Words
) -> ColumnChart:
    columns = []
    for point in trend:
        ratio = pick(point)
        sentence = words(str(point.on), ratio.part, ratio.whole, percent_text(ratio.value))
        columns.append(Column(_month(point), _percent(ratio.value), sentence, scaled(ratio.value, COLUMN_HEIGHT)))
    return ColumnChart(key, caption, columns)


def _average_chart(
    key: str, caption: str, trend: Sequence[Measures], pick: Callable[[Measures], Average], words: Words
) -> ColumnChart:
    columns = []
    for point in trend:
        average = pick(point)
        sentence = words(str(point.on), average.count, 0, percent_text(average.value))
        columns.append(Column(_month(point), _percent(average.value), sentence, scaled(average.value, COLUMN_HEIGHT)))
    return ColumnChart(key, caption, columns)


def trend_charts(trend: Sequence[Measures]) -> list[ColumnChart]:
    """One chart per measure, a column per month-end (the last one is today)."""
    most = max([p.pmcs.acting for p in trend] + [1])
    pmcs = ColumnChart(
        "pmcs",
        _("Property management committees acting, at each month's end"),
        [
            Column(
                _month(p),
                str(p.pmcs.acting),
                _("%(day)s: %(n)d property management committees acting", day=str(p.on), n=p.pmcs.acting),
                scaled(Fraction(p.pmcs.acting, most), COLUMN_HEIGHT),
            )
            for p in trend
        ],
    )
    return [
        _ratio_chart(
            "establishment",
            _("Committee establishment rate among the communities that meet the conditions, at each month's end"),
            trend,
            lambda p: p.establishment,
            lambda day, part, whole, percent: _(
                "%(day)s: %(part)d of %(whole)d communities have a committee (%(percent)s%%)",
                day=day,
                part=part,
                whole=whole,
                percent=percent,
            ),
        ),
        pmcs,
        _ratio_chart(
            "party",
            _("Party members among the serving committee members, at each month's end"),
            trend,
            lambda p: p.members.party,
            lambda day, part, whole, percent: _(
                "%(day)s: %(part)d of %(whole)d committee members are party members (%(percent)s%%)",
                day=day,
                part=part,
                whole=whole,
                percent=percent,
            ),
        ),
        _ratio_chart(
            "deputies",
            _("People's congress deputies among the serving committee members, at each month's end"),
            trend,
            lambda p: p.members.deputy,
            lambda day, part, whole, percent: _(
                "%(day)s: %(part)d of %(whole)d committee members are people's congress deputies (%(percent)s%%)",
                day=day,
                part=part,
                whole=whole,
                percent=percent,
            ),
        ),
        _average_chart(
            "heads",
            _("Average participation of the owners in certified votes (the votes certified by each month's end)"),
            trend,
            lambda p: p.participation.heads,
            lambda day, n, _whole, percent: _(
                "%(day)s: %(n)d certified votes; on average %(percent)s%% of the owners took part",
                day=day,
                n=n,
                percent=percent,
            ),
        ),
        _average_chart(
            "area",
            _("Average participation by area in certified votes (the votes certified by each month's end)"),
            trend,
            lambda p: p.participation.area,
            lambda day, n, _whole, percent: _(
                "%(day)s: %(n)d certified votes; on average %(percent)s%% of the area took part",
                day=day,
                n=n,
                percent=percent,
            ),
        ),
    ]


def ranking_chart(rows: Sequence[tuple[str, Ratio]]) -> BarChart:
    """The townships' establishment rates, in the ranking's order."""
    bars = [
        Bar(
            name,
            _(
                "%(part)d of %(whole)d communities have a committee (%(percent)s%%)",
                part=ratio.part,
                whole=ratio.whole,
                percent=percent_text(ratio.value),
            ),
            scaled(ratio.value, BAR_LENGTH),
        )
        for name, ratio in rows
    ]
    return BarChart("ranking", _("Committee establishment rate by township"), bars)


def chart_helpers() -> dict[str, int]:
    """The drawing sizes the chart templates need."""
    return {"column_height": COLUMN_HEIGHT, "bar_length": BAR_LENGTH}
