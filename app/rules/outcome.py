"""What a counted result decides for the community (DOMAIN §4 and §9; Shaoxing Art 16).

- The assembly is established when the first meeting adopts both the rules of procedure (Civil Code Art 278 ¶1
  category 1) and the covenant (category 2). A meeting without both on its agenda cannot establish it.
- The committee is elected when the election's result says the committee is formed (enough definite members,
  app/rules/elections.py). At a first meeting it counts only if the assembly is established at the same meeting
  (`governance`); at a later meeting the assembly exists already.
- The committee's election is pending its run-off when a tie for a seat decides whether the committee is formed
  (DOMAIN §5): the community waits for the run-off ("runoff"); it has not failed.
- Established without a committee elected: the township may convert the preparatory group into a property
  management committee (Art 16 ¶3); that decision is the governance workflow's, not the count's.

Example: categories 1 and 2 both passed and the election formed the committee → established, committee elected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RULES_CATEGORY = 1
COVENANT_CATEGORY = 2


@dataclass(frozen=True)
class Outcome:
    assembly_established: bool
    committee_formed: bool
    runoff_needed: bool
    passed: tuple[str, ...]
    failed: tuple[str, ...]
    #: the committee's election waits for its run-off (DOMAIN §5): it has not failed
    committee_pending: bool = False
    #: "first" (the first meeting, which establishes the assembly), "later" (a meeting of an established assembly) or
    #: "runoff" (a run-off, which completes an earlier election when certified: app.rules.completion)
    meeting: str = "first"

    @property
    def governance(self) -> str:
        """What the result decides once certified: "committee", "runoff" (the committee's election waits for its
        run-off, DOMAIN §5), "established" (no committee) or "preparing" for a first meeting; for a later meeting
        "committee", "runoff" or "unchanged" (the assembly exists already); "runoff_result" for a run-off."""
        if self.meeting == "runoff":
            return "runoff_result"
        if self.meeting == "later":
            return "committee" if self.committee_formed else "runoff" if self.committee_pending else "unchanged"
        if not self.assembly_established:
            return "preparing"
        if self.committee_formed:
            return "committee"
        return "runoff" if self.committee_pending else "established"

    def document(self) -> dict[str, Any]:
        return {
            "assembly_established": self.assembly_established,
            "committee_formed": self.committee_formed,
            "runoff_needed": self.runoff_needed,
            "committee_pending": self.committee_pending,
            "passed": list(self.passed),
            "failed": list(self.failed),
            "governance": self.governance,
        }


def forms_committee(matter: Mapping[str, Any]) -> bool:
    """Whether an election matter (tally-case format) decides if a committee is formed: not a by-election (it fills
    vacant seats of the committee in office), a run-off (it completes an earlier election) or the alternates' list."""
    return not matter.get("by_election") and "runoff" not in matter and matter.get("list") != "alternates"


def outcome(
    matters: Iterable[Mapping[str, Any]], results: Mapping[str, Mapping[str, Any]], meeting: str = "first"
) -> Outcome:
    """From the package's matters (tally-case format) and the tally's per-matter results; ``meeting`` as
    `Outcome.meeting`."""
    passed: list[str] = []
    failed: list[str] = []
    adopted: set[int] = set()
    committee_formed = runoff_needed = committee_pending = False
    for matter in matters:
        result = results[str(matter["id"])]
        if matter["type"] == "election":
            runoff_needed = runoff_needed or bool(result["runoff_needed"])
            if forms_committee(matter):
                committee_formed = committee_formed or bool(result["committee_formed"])
                committee_pending = committee_pending or bool(result.get("committee_pending"))
            continue
        (passed if result["passed"] else failed).append(str(matter["id"]))
        if result["passed"]:
            adopted.add(int(matter["category"]))
    established = {RULES_CATEGORY, COVENANT_CATEGORY} <= adopted
    return Outcome(
        established,
        committee_formed,
        runoff_needed,
        tuple(passed),
        tuple(failed),
        committee_pending and not committee_formed,
        meeting,
    )
