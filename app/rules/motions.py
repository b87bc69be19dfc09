"""Counting a motion: yes, no, abstain, blank and invalid answers, in area and heads (Civil Code Art 278 ¶2).

An abstention takes part and is not a yes. A blank or invalid answer takes part and is not a yes, unless the
community chose before the vote that blank and invalid answers do not take part; then that matter's quorum and
approval are computed without them.

Example: 100 heads take part in an ordinary motion (more than half): 51 yes passes, 50 fails. For a matter of
category (6)(7)(8) (at least 3/4): 75 yes passes, 74 fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.rules.model import Motion, Settings, Threshold
from app.rules.thresholds import ThresholdTest, approval_tests, quorum_tests
from app.rules.voters import VoterRoll

ANSWERS = ("yes", "no", "abstain", "blank", "invalid")
TAKE_PART_ALWAYS = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Weight:
    """Area (0.01 m²) and heads of a group of voters."""

    area_centi: int = 0
    heads: int = 0


@dataclass(frozen=True)
class MotionResult:
    matter_id: str
    threshold: Threshold
    counts: dict[str, Weight]
    tests: tuple[ThresholdTest, ...]

    @property
    def passed(self) -> bool:
        return all(test.met for test in self.tests)

    @property
    def failed_on(self) -> tuple[str, ...]:
        return tuple(test.name for test in self.tests if not test.met)


def classify_motion_answer(answer: object) -> str:
    """'yes', 'no', 'abstain'; None (missing) is 'blank'; anything else is 'invalid'."""
    if answer is None:
        return "blank"
    if isinstance(answer, str) and answer in TAKE_PART_ALWAYS:
        return answer
    return "invalid"


def matter_quorum(
    taking_part: Weight, roll: VoterRoll, overall: tuple[ThresholdTest, ThresholdTest], settings: Settings
) -> tuple[ThresholdTest, ThresholdTest]:
    """The quorum tests of one matter: the meeting's, or (when blank and invalid answers do not take part) the
    matter's own on those who gave a valid answer."""
    if settings.blank_and_invalid_take_part:
        return overall
    return quorum_tests(taking_part.area_centi, taking_part.heads, roll.total_area_centi, roll.total_heads)


def taking_part_in(counts: dict[str, Weight], settings: Settings) -> Weight:
    """The weight of the voters taking part in a matter, by the blank-and-invalid setting."""
    kinds = [k for k in counts if settings.blank_and_invalid_take_part or k not in ("blank", "invalid")]
    return Weight(sum(counts[k].area_centi for k in kinds), sum(counts[k].heads for k in kinds))


def count_motion(
    motion: Motion,
    answers: Iterable[tuple[int, object]],
    roll: VoterRoll,
    overall_quorum: tuple[ThresholdTest, ThresholdTest],
    settings: Settings,
) -> MotionResult:
    """Count one motion from each returned ballot's (voter's area in 0.01 m², answer); it passes only if the quorum
    and the approval hold in both dimensions."""
    area = dict.fromkeys(ANSWERS, 0)
    heads = dict.fromkeys(ANSWERS, 0)
    for area_centi, answer in answers:
        kind = classify_motion_answer(answer)
        area[kind] += area_centi
        heads[kind] += 1
    counts = {kind: Weight(area[kind], heads[kind]) for kind in ANSWERS}
    return decide_motion(motion, counts, roll, overall_quorum, settings)


def decide_motion(
    motion: Motion,
    counts: dict[str, Weight],
    roll: VoterRoll,
    overall_quorum: tuple[ThresholdTest, ThresholdTest],
    settings: Settings,
) -> MotionResult:
    """The motion's result from its totals per answer (each of `ANSWERS`): from the ballots (`count_motion`), or
    from the decrypted totals of an encrypted count (app.results.encrypted), which never sees a ballot."""
    taking_part = taking_part_in(counts, settings)
    quorum = matter_quorum(taking_part, roll, overall_quorum, settings)
    approval = approval_tests(
        counts["yes"].area_centi,
        counts["yes"].heads,
        taking_part.area_centi,
        taking_part.heads,
        three_quarters=motion.threshold == Threshold.THREE_QUARTERS,
    )
    return MotionResult(motion.matter_id, motion.threshold, counts, (*quorum, *approval))
