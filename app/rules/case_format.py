"""The tally file format: `gongjue.tally-case/1` in, `gongjue.tally-result/1` out (docs/tally-format.md).

Reading a case checks everything a person can get wrong and names the place: `units[3].area`, `ballots[12]`.
Messages are in Chinese with the English after them, since the file may reach anyone who wants to recount.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.rules.areas import AreaFormatError, format_area, parse_area
from app.rules.elections import TIE_RULES, ElectionResult, LotsSeedMissing, Tie
from app.rules.model import (
    ALTERNATES_LIST,
    CATEGORIES,
    ELECTION_CATEGORY,
    MEMBERS_LIST,
    Ballot,
    Election,
    Matter,
    Motion,
    Runoff,
    Settings,
    Unit,
    UnitKind,
    UnitStatus,
)
from app.rules.motions import MotionResult, Weight
from app.rules.tally import TallyResult
from app.rules.thresholds import ThresholdTest
from app.rules.voters import VoterRoll

CASE_FORMAT = "gongjue.tally-case/1"
RESULT_FORMAT = "gongjue.tally-result/1"
RANK_KEYS = ("heads", "area")
UNIT_KINDS = frozenset(kind.value for kind in UnitKind)
UNIT_STATUSES = frozenset(status.value for status in UnitStatus)


class CaseError(ValueError):
    """A tally case that cannot be counted; the message says where and why."""


@dataclass(frozen=True)
class TallyCase:
    settings: Settings
    developer: str
    units: tuple[Unit, ...]
    matters: tuple[Matter, ...]
    ballots: tuple[Ballot, ...]
    #: the seed of lots (a result package's ledger root), for ties settled by lots
    lots_seed: str | None = None


def _fail(where: str, chinese: str, english: str) -> CaseError:
    return CaseError(f"{where}：{chinese}（{english}）")


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, "应为对象", "must be an object")
    return value


def _known_keys(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    """Refuse unknown keys: a misspelt "max_alternate" must not silently elect no alternates."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where, f"未知字段 {unknown}", f"unknown keys {unknown}")


class FractionalNumber(str):
    """A JSON number with a fraction, kept as its text so that read_case can refuse it at its place."""


def load_case_json(text: str) -> object:
    """Parse case JSON without ever making a float (numbers with a fraction become FractionalNumber)."""
    return json.loads(text, parse_float=FractionalNumber)


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, "应为列表", "must be a list")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or isinstance(value, FractionalNumber) or not value.strip():
        raise _fail(where, "应为非空文字", "must be a non-empty string")
    return value


def _integer(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(where, f"应为 {low} 到 {high} 之间的整数", f"must be an integer from {low} to {high}")
    return value


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, "应为 true 或 false", "must be true or false")
    return value


def read_settings(raw: object) -> Settings:
    """The engine's settings from a case's (or a result package's) "settings" object, checked."""
    data = _object(raw, "settings")
    _known_keys(
        data,
        "settings",
        {"count_parking", "blank_and_invalid_take_part", "rank_by", "min_committee_members", "tie_rule"},
    )
    defaults = Settings()
    rank_by = tuple(_list(data.get("rank_by", list(defaults.rank_by)), "settings.rank_by"))
    if not rank_by or len(set(rank_by)) != len(rank_by) or not set(rank_by) <= set(RANK_KEYS):
        raise _fail("settings.rank_by", "应为 heads、area 的不重复排列", 'must list "heads" and/or "area" once each')
    return Settings(
        count_parking=_flag(data.get("count_parking", defaults.count_parking), "settings.count_parking"),
        blank_and_invalid_take_part=_flag(
            data.get("blank_and_invalid_take_part", defaults.blank_and_invalid_take_part),
            "settings.blank_and_invalid_take_part",
        ),
        rank_by=rank_by,
        min_committee_members=_integer(
            data.get("min_committee_members", defaults.min_committee_members),
            "settings.min_committee_members",
            1,
            99,
        ),
        tie_rule=_tie_rule(data.get("tie_rule", defaults.tie_rule)),
    )


def _tie_rule(value: object) -> str:
    if value not in TIE_RULES:
        raise _fail("settings.tie_rule", '应为 "runoff"（另行选举）或 "lots"（抽签）', 'must be "runoff" or "lots"')
    return str(value)


def _lots_seed(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise _fail("lots_seed", "应为 64 位小写十六进制（选票账本的默克尔根）", "must be 64 lower-case hex digits")
    return value


_UNIT_KEYS = frozenset({"unit", "area", "kind", "status", "owners"})
_KIND_OF = {kind.value: kind for kind in UnitKind}
_STATUS_OF = {status.value: status for status in UnitStatus}


def _unit(raw: object, index: int, developer: str) -> Unit:
    """A unit of the case: a well-formed one the short way (no message to compose: a 20,000-unit case reads in a
    third of the time, issue 21 item 5), anything else the checked way, which names its problem and place."""
    if type(raw) is dict and raw.keys() <= _UNIT_KEYS:
        unit_id, area_text, owners = raw.get("unit"), raw.get("area"), raw.get("owners")
        kind, status = raw.get("kind"), raw.get("status")
        kind = _KIND_OF.get(kind) if type(kind) is str else None
        status = _STATUS_OF.get(status) if type(status) is str else None
        if (
            type(unit_id) is str
            and unit_id.strip()
            and type(area_text) is str
            and kind is not None
            and status is not None
            and type(owners) is list
            and (owners or status != UnitStatus.DELIVERED)
            and all([type(owner) is str and owner.strip() for owner in owners])
        ):
            try:
                area = parse_area(area_text)
            except AreaFormatError:
                area = 0
            if area > 0:
                return Unit(unit_id, area, kind, status, frozenset(owners) if owners else frozenset({developer}))
    return _checked_unit(raw, f"units[{index}]", developer)


def _checked_unit(raw: object, where: str, developer: str) -> Unit:
    data = _object(raw, where)
    _known_keys(data, where, {"unit", "area", "kind", "status", "owners"})
    area_text = data.get("area")
    if not isinstance(area_text, str) or isinstance(area_text, FractionalNumber):
        shown = area_text if isinstance(area_text, str) else json.dumps(area_text)
        raise _fail(
            f"{where}.area",
            f'面积应写成字符串，如 "89.50"，而不是 {shown}',
            f'area must be a decimal string such as "89.50", not {shown}',
        )
    try:
        area = parse_area(area_text)
    except AreaFormatError as error:
        raise _fail(
            f"{where}.area",
            f"面积 {area_text!r} 应为正数且最多两位小数",
            f"area {area_text!r} must be positive with at most two decimals",
        ) from error
    if area <= 0:
        raise _fail(f"{where}.area", "面积应大于零", "area must be more than zero")
    kind, status = data.get("kind"), data.get("status")
    if kind not in UNIT_KINDS:
        raise _fail(f"{where}.kind", f"未知类型 {kind!r}", f"unknown kind {kind!r}")
    if status not in UNIT_STATUSES:
        raise _fail(f"{where}.status", f"未知状态 {status!r}", f"unknown status {status!r}")
    owners = frozenset(
        _text(o, f"{where}.owners[{i}]") for i, o in enumerate(_list(data.get("owners"), f"{where}.owners"))
    )
    if status == UnitStatus.DELIVERED and not owners:
        raise _fail(f"{where}.owners", "已交付的专有部分应有业主", "a delivered unit needs its owners")
    return Unit(
        _text(data.get("unit"), f"{where}.unit"),
        area,
        UnitKind(kind),
        UnitStatus(status),
        owners or frozenset({developer}),
    )


def read_matter(raw: object, where: str) -> Matter:
    """A matter from a case's (or a result package's) "matters" entry, checked; ``where`` names it in errors."""
    data = _object(raw, where)
    _known_keys(
        data,
        where,
        {"id", "type", "category", "seats", "max_alternates", "candidates", "by_election", "list", "runoff"},
    )
    matter_id = _text(data.get("id"), f"{where}.id")
    category = _integer(data.get("category"), f"{where}.category", min(CATEGORIES), max(CATEGORIES))
    kind = data.get("type")
    if kind == "motion":
        return Motion(matter_id, category)
    if kind != "election":
        raise _fail(f"{where}.type", f"未知事项类型 {kind!r}", 'type must be "motion" or "election"')
    if category != ELECTION_CATEGORY:
        raise _fail(f"{where}.category", "选举业主委员会属第 3 类事项", "an election is category 3")
    candidates = tuple(
        _text(c, f"{where}.candidates[{i}]") for i, c in enumerate(_list(data.get("candidates"), f"{where}.candidates"))
    )
    if len(set(candidates)) != len(candidates):
        raise _fail(f"{where}.candidates", "候选人重复", "a candidate is listed twice")
    by_election = _flag(data.get("by_election", False), f"{where}.by_election")
    part = data.get("list")
    if part is not None and part not in (MEMBERS_LIST, ALTERNATES_LIST):
        raise _fail(f"{where}.list", f"未知名单 {part!r}", 'list must be "members" or "alternates"')
    if "runoff" in data:
        runoff = read_runoff(data["runoff"], f"{where}.runoff", len(candidates))
        return Election(matter_id, runoff.member_places, runoff.alternate_places, candidates, category, runoff=runoff)
    if part == ALTERNATES_LIST:
        _integer(data.get("seats"), f"{where}.seats", 0, 0)
        places = _integer(data.get("max_alternates"), f"{where}.max_alternates", 1, 5)
        return Election(matter_id, 0, places, candidates, category, part=part)
    seats = _integer(data.get("seats"), f"{where}.seats", 1 if by_election else 5, 11)
    if seats % 2 == 0 and not by_election:
        raise _fail(f"{where}.seats", "委员人数应为 5 到 11 之间的单数", "seats must be odd, from 5 to 11")
    most = 0 if part == MEMBERS_LIST else seats // 2
    max_alternates = _integer(data.get("max_alternates", 0), f"{where}.max_alternates", 0, most)
    return Election(matter_id, seats, max_alternates, candidates, category, by_election, part)


def read_runoff(raw: object, where: str = "runoff", candidates: int | None = None) -> Runoff:
    """What a run-off decides (DOMAIN §5): ``of`` the election's package hash, its ``matter``, the tie's ``rank`` and
    places, and ``stood_as``: each candidate's id in that election, in the run-off's ballot order."""
    data = _object(raw, where)
    _known_keys(data, where, {"of", "matter", "rank", "member_places", "alternate_places", "stood_as"})
    stood_as = tuple(
        _text(c, f"{where}.stood_as[{i}]") for i, c in enumerate(_list(data.get("stood_as"), f"{where}.stood_as"))
    )
    candidates = len(stood_as) if candidates is None else candidates
    if len(stood_as) != candidates or len(set(stood_as)) != candidates or candidates < 2:
        raise _fail(
            f"{where}.stood_as",
            "应按顺序列出每名候选人在原选举中的编号（至少两名）",
            "must name each candidate's id in the election, in order (two at least)",
        )
    member_places = _integer(data.get("member_places"), f"{where}.member_places", 0, candidates - 1)
    alternate_places = _integer(data.get("alternate_places"), f"{where}.alternate_places", 0, candidates)
    if member_places + alternate_places == 0 or member_places + alternate_places > candidates:
        raise _fail(f"{where}", "另行选举的席位数不正确", "the run-off's places do not fit its candidates")
    return Runoff(
        _text(data.get("of"), f"{where}.of"),
        _text(data.get("matter"), f"{where}.matter"),
        _integer(data.get("rank"), f"{where}.rank", 1, 1000),
        member_places,
        alternate_places,
        stood_as,
    )


def check_lists(matters: tuple[Matter, ...]) -> None:
    """Separate lists come in pairs: one members' part and one alternates' part, no candidate on both, the alternates
    at most half of the seats (Shaoxing Art 17; DOMAIN §5)."""
    parts = {m.part: m for m in matters if isinstance(m, Election) and m.part is not None}
    if not parts:
        return
    if set(parts) != {MEMBERS_LIST, ALTERNATES_LIST} or sum(1 for m in matters if getattr(m, "part", None)) != 2:
        raise _fail(
            "matters",
            "分设名单应有且仅有委员名单和候补委员名单各一",
            "separate lists are one members' and one alternates' list",
        )
    members, alternates = parts[MEMBERS_LIST], parts[ALTERNATES_LIST]
    if set(members.candidates) & set(alternates.candidates):
        raise _fail("matters", "一名候选人只能列入一个名单", "a candidate stands on one list only")
    if alternates.max_alternates > members.seats // 2:
        raise _fail("matters", "候补委员不得超过委员人数的 50%", "alternates are at most half of the seats")


_BALLOT_KEYS = frozenset({"unit", "choices"})


def _ballot(raw: object, index: int, unit_ids: set[str], matter_ids: set[str]) -> Ballot:
    """A ballot of the case: a well-formed one the short way, anything else the checked way (as `_unit`)."""
    if type(raw) is dict and raw.keys() <= _BALLOT_KEYS:
        unit_id, choices = raw.get("unit"), raw.get("choices", {})
        if type(unit_id) is str and unit_id in unit_ids and type(choices) is dict and choices.keys() <= matter_ids:
            return Ballot(unit_id, dict(choices))
    return _checked_ballot(raw, f"ballots[{index}]", unit_ids, matter_ids)


def _checked_ballot(raw: object, where: str, unit_ids: set[str], matter_ids: set[str]) -> Ballot:
    data = _object(raw, where)
    _known_keys(data, where, {"unit", "choices"})
    unit_id = _text(data.get("unit"), f"{where}.unit")
    if unit_id not in unit_ids:
        raise _fail(f"{where}.unit", f"名册中没有专有部分 {unit_id!r}", f"unknown unit {unit_id!r}")
    choices = _object(data.get("choices", {}), f"{where}.choices")
    for matter_id in choices:
        if matter_id not in matter_ids:
            raise _fail(f"{where}.choices", f"未知事项 {matter_id!r}", f"unknown matter {matter_id!r}")
    return Ballot(unit_id, dict(choices))


def _first_repeated_unit(units: tuple[Unit, ...]) -> None:
    """Raise CaseError naming the first unit whose id an earlier unit has."""
    seen: set[str] = set()
    for i, unit in enumerate(units):
        if unit.unit_id in seen:
            raise _fail(f"units[{i}].unit", f"专有部分 {unit.unit_id!r} 重复", f"unit {unit.unit_id!r} appears twice")
        seen.add(unit.unit_id)


def read_case(raw: object) -> TallyCase:
    """Check and convert a parsed JSON case; raise CaseError naming the first problem."""
    data = _object(raw, "case")
    _known_keys(data, "case", {"format", "settings", "developer", "units", "matters", "ballots", "lots_seed"})
    if data.get("format") != CASE_FORMAT:
        raise _fail("format", f"应为 {CASE_FORMAT!r}", f"must be {CASE_FORMAT!r}")
    developer = _text(data.get("developer"), "developer")
    settings = read_settings(data.get("settings", {}))
    units = tuple(_unit(u, i, developer) for i, u in enumerate(_list(data.get("units"), "units")))
    seen = {unit.unit_id for unit in units}
    if len(seen) != len(units):
        _first_repeated_unit(units)
    matters = tuple(read_matter(m, f"matters[{i}]") for i, m in enumerate(_list(data.get("matters", []), "matters")))
    matter_ids = [m.matter_id for m in matters]
    if len(set(matter_ids)) != len(matter_ids):
        raise _fail("matters", "事项编号重复", "a matter id appears twice")
    check_lists(matters)
    known_matters = set(matter_ids)
    ballots = tuple(_ballot(b, i, seen, known_matters) for i, b in enumerate(_list(data.get("ballots", []), "ballots")))
    return TallyCase(settings, developer, units, matters, ballots, _lots_seed(data.get("lots_seed")))


def _weight(weight: Weight) -> dict[str, Any]:
    return {"area": format_area(weight.area_centi), "heads": weight.heads}


def _number(test: ThresholdTest, value: int) -> str | int:
    return format_area(value) if test.dimension == "area" else value


def _test(test: ThresholdTest) -> dict[str, Any]:
    return {
        "name": test.name,
        "value": _number(test, test.value),
        "of": _number(test, test.total),
        "required": f"{test.fraction.numerator}/{test.fraction.denominator}",
        "comparison": test.comparison.value,
        "met": test.met,
        "margin": _number(test, test.margin),
    }


def _motion(result: MotionResult) -> dict[str, Any]:
    return {
        "type": "motion",
        "threshold": result.threshold.value,
        **{kind: _weight(weight) for kind, weight in result.counts.items()},
        "passed": result.passed,
        "failed_on": list(result.failed_on),
        "tests": [_test(t) for t in result.tests],
    }


def election_document(result: ElectionResult) -> dict[str, Any]:
    return {
        "type": "election",
        "threshold": result.threshold.value,
        "seats": result.seats,
        "max_alternates": result.max_alternates,
        "ballots": {kind: _weight(weight) for kind, weight in result.counts.items()},
        "quorum_met": result.quorum_met,
        "tests": [_test(t) for t in result.tests],
        "candidates": [
            {
                "id": c.candidate_id,
                **_weight(c.yes),
                "qualified": c.qualified,
                "rank": c.rank,
                "outcome": c.outcome,
                "tests": [_test(t) for t in c.tests],
            }
            for c in result.candidates
        ],
        "members": result.members,
        "alternates": result.alternates,
        "ties": [_tie(tie) for tie in result.ties],
        "unresolved_ties": result.unresolved_ties,
        "committee_formed": result.committee_formed,
        "committee_pending": result.committee_pending,
        "runoff_needed": result.runoff_needed,
        **({"list": result.part} if result.part else {}),
        **({"runoff": runoff_document(result.runoff), "settled": result.settled} if result.runoff else {}),
    }


def runoff_document(runoff: Runoff) -> dict[str, Any]:
    return {
        "of": runoff.of,
        "matter": runoff.matter,
        "rank": runoff.rank,
        "member_places": runoff.member_places,
        "alternate_places": runoff.alternate_places,
        "stood_as": list(runoff.stood_as),
    }


def _tie(tie: Tie) -> dict[str, Any]:
    return {
        "rank": tie.rank,
        "candidates": list(tie.candidates),
        "decides": tie.decides,
        "member_places": tie.member_places,
        "alternate_places": tie.alternate_places,
        "rule": tie.rule,
        "drawn": list(tie.drawn) if tie.drawn is not None else None,
    }


def _roll(roll: VoterRoll) -> dict[str, Any]:
    return {
        "voters": roll.total_heads,
        "developer_units": roll.developer_unit_count,
        "owners_of_several_units": sum(1 for v in roll.voters if len(v.unit_ids) > 1 and not v.is_developer),
        "co_owned_voters": sum(1 for v in roll.voters if len(v.owners) > 1),
    }


def result_document(result: TallyResult) -> dict[str, Any]:
    """The result as a `gongjue.tally-result/1` document (areas as two-decimal strings, heads as integers)."""
    settings = result.settings
    return {
        "format": RESULT_FORMAT,
        "settings": {
            "count_parking": settings.count_parking,
            "blank_and_invalid_take_part": settings.blank_and_invalid_take_part,
            "rank_by": list(settings.rank_by),
            "min_committee_members": settings.min_committee_members,
            "tie_rule": settings.tie_rule,
        },
        "totals": {"area": format_area(result.roll.total_area_centi), "heads": result.roll.total_heads},
        "roll": _roll(result.roll),
        "participation": {
            "area": format_area(result.participation.area_centi),
            "heads": result.participation.heads,
            "quorum_met": result.participation.quorum_met,
            "tests": [_test(t) for t in result.participation.tests],
        },
        "matters": {
            matter_id: _motion(r) if isinstance(r, MotionResult) else election_document(r)
            for matter_id, r in result.matters.items()
        },
    }


def count_case(case: TallyCase) -> TallyResult:
    """Count a case: voters from its units, then the tally; ballot problems become CaseError."""
    from app.rules.tally import BallotError, tally
    from app.rules.voters import build_voters

    roll = build_voters(case.units, case.developer, case.settings)
    if roll.total_heads == 0:
        raise _fail("units", "名册中没有计入表决的专有部分", "the roll has no unit that counts, so there is no voter")
    try:
        return tally(roll, case.matters, case.ballots, case.settings, case.lots_seed)
    except LotsSeedMissing as error:
        raise _fail("lots_seed", "以抽签决定的并列需要抽签种子（选票账本的默克尔根）", str(error)) from error
    except BallotError as error:
        raise _fail(f"ballots[{error.index}]", "选票无法计入", str(error)) from error
