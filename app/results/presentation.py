"""What the result pages show, read from the package (the signed numbers, never recomputed for display)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.results.models import Result
from app.rules.areas import parse_area

#: chart bar length in SVG units (a multiple of 12, so that 1/2, 2/3 and 3/4 fall on whole units)
BAR_UNITS = 300
TEST_LABELS: dict[str, Any] = {
    "quorum_area": _l("Participation by area"),
    "quorum_heads": _l("Participation by owners"),
    "approval_area": _l("Approval by area"),
    "approval_heads": _l("Approval by owners"),
}
ANSWER_LABELS: dict[str, Any] = {
    "yes": _l("For"),
    "no": _l("Against"),
    "abstain": _l("Abstain"),
    "blank": _l("Blank"),
    "invalid": _l("Invalid"),
    "valid": _l("Valid"),
}
STATUS_LABELS: dict[str, Any] = {
    "counted": _l("Counted, not yet published"),
    "published": _l("Preliminary result, published for objections"),
    "certified": _l("Certified by the township"),
    "refused": _l("Refused by the township"),
}
OUTCOME_LABELS: dict[str, Any] = {
    "member": _l("Elected member"),
    "alternate": _l("Alternate"),
    "not_elected": _l("Not elected"),
    "tie_unresolved": _l("Tied: run-off"),
}
#: what a run-off among tied candidates decides (app.rules.elections.Tie.decides)
TIE_DECIDES: dict[str, Any] = {
    "seat": _l("a member seat"),
    "place": _l("an alternate place"),
    "order": _l("the order in which they fill vacancies"),
}
GOVERNANCE_LABELS: dict[str, Any] = {
    "committee": _l("The assembly is established and the owners' committee is elected."),
    "established": _l(
        "The assembly is established, but no committee was elected: the township may convert the preparatory group "
        "into a property management committee."
    ),
    "preparing": _l("The rules of procedure and the covenant were not both adopted: the assembly is not established."),
    "unchanged": _l("No committee was formed at this meeting: the body in office goes on."),
    "runoff_result": _l(
        "This run-off completes the committee's election: its certification forms the committee, or settles the "
        "places its tie contested."
    ),
    "runoff": _l(
        "The assembly is established; the committee's election waits for the run-off among the tied candidates."
    ),
}


def _number(value: Any) -> int:
    return parse_area(value) if isinstance(value, str) else int(value) * 100


def bar(test: dict[str, Any]) -> int:
    """A test's value as a bar length of BAR_UNITS (display only)."""
    total = _number(test["of"])
    return 0 if total == 0 else min(BAR_UNITS, _number(test["value"]) * BAR_UNITS // total)


def line(test: dict[str, Any]) -> int:
    """Where the test's required fraction falls on the bar."""
    numerator, denominator = (int(part) for part in str(test["required"]).split("/"))
    return BAR_UNITS * numerator // denominator


@dataclass(frozen=True)
class ResultView:
    result: Result
    package: dict[str, Any]

    @property
    def tally(self) -> dict[str, Any]:
        return dict(self.package["tally"])

    def title(self, matter_id: str) -> str:
        return str(self.package["labels"]["matters"].get(matter_id, matter_id))

    def candidate(self, candidate_id: str) -> str:
        return str(self.package["labels"]["candidates"].get(candidate_id, candidate_id))

    def candidates(self, candidate_ids: list[str]) -> str:
        """Names joined with 、 in the order given (a tie's ballot order, or its drawn order)."""
        return "、".join(self.candidate(c) for c in candidate_ids)

    def category(self, matter_id: str) -> int:
        return next(int(m["category"]) for m in self.package["matters"] if str(m["id"]) == matter_id)

    @property
    def encrypted(self) -> bool:
        """A /2 package: the ballots encrypted, the totals decrypted (issue 17)."""
        return self.package.get("format") == "gongjue.result-package/2"

    @property
    def unique_areas(self) -> int:
        """Ballots whose voter's area no other ballot's voter has: such a ballot could be linked to its unit by
        someone who knows the units' areas (docs/result-package.md, "Privacy"). Counted among the ballots, not the
        roll: two voters of one area hide each other only if both voted."""
        areas = {str(entry["voter"]): entry["area"] for entry in self.package["roll"]["voters"]}
        counts: dict[str, int] = {}
        for ballot in self.package["ledger"]["ballots"]:
            area = areas.get(str(ballot["voter"]), "")
            counts[area] = counts.get(area, 0) + 1
        return sum(1 for n in counts.values() if n == 1)


def result_view(result: Result) -> ResultView:
    return ResultView(result, json.loads(result.package))


def register(app: Any) -> None:
    app.add_template_global(bar, "result_bar")
    app.add_template_global(line, "result_line")
    app.jinja_env.globals.update(
        RESULT_BAR_UNITS=BAR_UNITS,
        RESULT_TEST_LABELS=TEST_LABELS,
        RESULT_ANSWER_LABELS=ANSWER_LABELS,
        RESULT_STATUS_LABELS=STATUS_LABELS,
        RESULT_OUTCOME_LABELS=OUTCOME_LABELS,
        RESULT_GOVERNANCE_LABELS=GOVERNANCE_LABELS,
        TIE_DECIDES=TIE_DECIDES,
    )
