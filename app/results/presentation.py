"""What the result pages show, read from the package (the signed numbers, never recomputed for display).

Every word the pages show comes from here or the templates in the user's language (issue 19 item 4): a test's name,
an answer, a status, a paper entry's state, a ranking key, a channel and a required share each have their words; a
time is shown in Beijing time. The outcome comes first (`ResultView.elected`, the templates' summary); hashes and the
package's own field names stay in the expandable technical detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.results.models import Result
from app.rules.areas import parse_area
from app.template_helpers import local_time

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
#: the share a test requires, in words (app.rules.thresholds: comparison and required fraction)
REQUIREMENT_WORDS: dict[tuple[str, str], Any] = {
    ("more_than", "1/2"): _l("more than half"),
    ("at_least", "2/3"): _l("at least two thirds"),
    ("at_least", "3/4"): _l("at least three quarters"),
}
#: a paper ballot still to settle before counting (app.voting.paper_models.PaperEntry.status)
PAPER_STATUS_LABELS: dict[str, Any] = {
    "pending": _l("entered once: waiting for a second teller"),
    "mismatch": _l("the two entries differ: a third teller settles it"),
    "conflict": _l("the owner had already voted by phone or through a proxy: the first ballot counts"),
}
#: what candidates are ranked by (the election settings' rank_by)
RANK_KEY_LABELS: dict[str, Any] = {
    "heads": _l("the number of owners for them"),
    "area": _l("the area of the owners for them"),
}
#: how a ballot came, as the ledger says (app.voting.ballots.CHANNELS)
CHANNEL_LABELS: dict[str, Any] = {
    "phone": _l("on the phone"),
    "paper": _l("on a paper ballot"),
    "proxy": _l("by a proxy"),
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


def rank_order(keys: list[str]) -> str:
    """The ranking keys in words: ["heads", "area"] → "the number of owners for them, then the area …"."""
    return str(_(", then by ")).join(str(RANK_KEY_LABELS.get(key, key)) for key in keys)


def cast_when(value: object) -> str:
    """When a ballot was cast, as the ledger says it, for reading: a day stays a day (2026-11-22, what the package
    publishes since issue 16); a full time of an older package is shown in Beijing time, never as UTC ISO text."""
    text = str(value or "")
    if len(text) <= len("2026-11-22"):
        return text
    try:
        return local_time(datetime.fromisoformat(text))
    except ValueError:
        return text


def requirement(test: dict[str, Any]) -> str:
    """What a test requires, in words: "more than half", "at least two thirds"."""
    words = REQUIREMENT_WORDS.get((str(test["comparison"]), str(test["required"])))
    if words is not None:
        return str(words)
    comparison = _("more than") if test["comparison"] == "more_than" else _("at least")
    return f"{comparison} {test['required']}"


def test_sentence(test: dict[str, Any]) -> str:
    """One test in a line, with its mark and its verdict in words (never colour alone): "✓ Approval by owners: 45 of
    45, needs more than half: met"."""
    words = _(
        "%(label)s: %(value)s of %(of)s%(unit)s, needs %(requirement)s: %(verdict)s",
        label=str(TEST_LABELS.get(test["name"], test["name"])),
        value=test["value"],
        of=test["of"],
        unit=" m²" if str(test["name"]).endswith("_area") else "",
        requirement=requirement(test),
        verdict=_("reached") if test["met"] else _("not reached"),
    )
    return f"{'✓' if test['met'] else '✗'} {words}"


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

    def elected(self, matter_id: str) -> dict[str, list[str]]:
        """The names an election's count gave: its members and alternates in rank order, and the candidates tied for
        a place a run-off decides."""
        by_outcome: dict[str, list[str]] = {"member": [], "alternate": [], "tie_unresolved": []}
        for candidate in self.tally["matters"][matter_id].get("candidates", []):
            if candidate["outcome"] in by_outcome:
                by_outcome[candidate["outcome"]].append(self.candidate(str(candidate["id"])))
        return by_outcome

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
    app.add_template_global(rank_order, "result_rank_order")
    app.add_template_global(cast_when, "result_cast_when")
    app.add_template_global(test_sentence, "result_test_sentence")
    app.jinja_env.globals.update(
        RESULT_PAPER_STATUS_LABELS=PAPER_STATUS_LABELS,
        RESULT_CHANNEL_LABELS=CHANNEL_LABELS,
        RESULT_BAR_UNITS=BAR_UNITS,
        RESULT_TEST_LABELS=TEST_LABELS,
        RESULT_ANSWER_LABELS=ANSWER_LABELS,
        RESULT_STATUS_LABELS=STATUS_LABELS,
        RESULT_OUTCOME_LABELS=OUTCOME_LABELS,
        RESULT_GOVERNANCE_LABELS=GOVERNANCE_LABELS,
        TIE_DECIDES=TIE_DECIDES,
    )
