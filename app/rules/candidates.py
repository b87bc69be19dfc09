"""Candidates for the owners' committee: nomination routes and eligibility (Shaoxing Arts 13, 17, 22; DOMAIN §6). PURE.

Each check returns an outcome and the evidence it rests on, so that the vetting page shows why, not only whether.
People are named by opaque keys (the keyed hash of their ID number), never by the number itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

# --- nomination routes (Shaoxing Art 13 ¶2) ------------------------------------------------------------------------

Route = Literal["self", "residents_committee", "joint"]
ROUTES: tuple[str, ...] = ("self", "residents_committee", "joint")

#: Art 13 ¶2: 物业所在地居（村）民委员会或者十名以上业主联名可以向筹备组推荐候选人
MIN_JOINT_NOMINATORS = 10


@dataclass(frozen=True)
class Cosigner:
    """One owner who signed a joint nomination: ``key`` identifies the person, ``on_roll`` whether they are an owner
    on the roll (the frozen roll of the meeting if there is one, else the current version)."""

    key: str
    on_roll: bool


@dataclass(frozen=True)
class NominationProblem:
    """Why a joint nomination is not valid: a stable ``code`` and its arguments (the caller words the message)."""

    code: Literal["too_few_cosigners", "cosigner_not_on_roll", "duplicate_cosigner", "candidate_cosigns"]
    args: Mapping[str, int] = field(default_factory=dict)


def check_joint_nomination(candidate_key: str, cosigners: Sequence[Cosigner]) -> tuple[NominationProblem, ...]:
    """Every problem with a joint nomination; () when it stands.

    "Ten or more owners jointly" (十名以上, which in Chinese law includes ten): at least `MIN_JOINT_NOMINATORS`
    distinct owners on the roll, the candidate not among them (one does not co-sign one's own nomination; that is a
    self-nomination). Each line of ``cosigners`` that is not on the roll, repeats an earlier person, or is the
    candidate is reported with its 1-based ``line``; only the remaining distinct owners count towards ten.

    Ten distinct owners on the roll → (); nine → too_few_cosigners {valid: 9, needed: 10}; ten lines of which one
    repeats another → duplicate_cosigner {line} and too_few_cosigners {valid: 9}.
    """
    problems: list[NominationProblem] = []
    seen: set[str] = set()
    valid = 0
    for line, cosigner in enumerate(cosigners, start=1):
        if cosigner.key == candidate_key:
            problems.append(NominationProblem("candidate_cosigns", {"line": line}))
        elif cosigner.key in seen:
            problems.append(NominationProblem("duplicate_cosigner", {"line": line}))
        elif not cosigner.on_roll:
            problems.append(NominationProblem("cosigner_not_on_roll", {"line": line}))
        else:
            valid += 1
        seen.add(cosigner.key)
    if valid < MIN_JOINT_NOMINATORS:
        problems.append(NominationProblem("too_few_cosigners", {"valid": valid, "needed": MIN_JOINT_NOMINATORS}))
    return tuple(problems)


# --- eligibility (Shaoxing Arts 17, 22; DOMAIN §6) -----------------------------------------------------------------

#: Art 22's prohibited acts, (一) … (十)
PROHIBITED_ACTS: tuple[int, ...] = tuple(range(1, 11))

CheckCode = Literal["on_roll", "no_arrears_after_demand", "no_prohibited_act", "no_property_company_tie", "single"]
Outcome = Literal["pass", "fail", "pending"]


@dataclass(frozen=True)
class ArrearsDemand:
    """A written demand (书面催缴) for property fees or maintenance-fund contributions, and the day it was paid."""

    kind: Literal["property_fee", "maintenance_fund"]
    amount_fen: int
    demanded_on: date
    paid_on: date | None = None


@dataclass(frozen=True)
class CandidateFacts:
    """What is known about a nominee when the checks run.

    - ``units``: the labels of the units the person owns on the roll (empty: not an owner on the roll);
      ``roll_version``: that roll's version number;
    - ``demands``: the written demands recorded for the person;
    - ``declaration_made``: whether the person signed the declaration on Art 22; ``declared_acts``: the items
      (1–10) the person declared having done;
    - ``property_company_tie``: the person's declared employment or business tie with the property company
      (None: not declared yet);
    - ``other_nominations``: ids of the person's other nominations that are still standing.
    """

    units: tuple[str, ...]
    roll_version: int | None
    demands: tuple[ArrearsDemand, ...] = ()
    declaration_made: bool = False
    declared_acts: tuple[int, ...] = ()
    property_company_tie: bool | None = None
    other_nominations: tuple[int, ...] = ()


@dataclass(frozen=True)
class Check:
    """One eligibility check: ``outcome`` and ``evidence`` (values the page shows next to the check)."""

    code: CheckCode
    outcome: Outcome
    evidence: Mapping[str, object]


def check_eligibility(facts: CandidateFacts) -> tuple[Check, ...]:
    """The five checks, in this order, each with its evidence:

    - "on_roll" (Art 17 ¶1: 应当是物业管理区域内的业主): pass with the units and roll version, fail when none;
    - "no_arrears_after_demand" (Art 17 ¶2 (3), seed item 16; DOMAIN §6 treats it as a bar to candidacy): fail
      when any written demand is unpaid, with those demands as evidence; a demand paid later does not bar (the
      evidence lists it). No demand recorded → pass;
    - "no_prohibited_act" (Art 22): pending until the declaration is made; fail when it declares any act;
    - "no_property_company_tie" (Art 22 (7)–(8): no benefit from, or part in, the property company's business):
      pending until declared; fail when a tie is declared;
    - "single": not already nominated (fail with the other nominations' ids).

    A candidate is eligible when every check passes (`is_eligible`).
    """
    if any(act not in PROHIBITED_ACTS for act in facts.declared_acts):
        raise ValueError(f"declared acts must be among 1–10 (Shaoxing Art 22), not {facts.declared_acts}")
    checks = [
        Check(
            "on_roll",
            "pass" if facts.units else "fail",
            {"units": list(facts.units), "roll_version": facts.roll_version},
        )
    ]
    unpaid = [d for d in facts.demands if d.paid_on is None]
    checks.append(
        Check(
            "no_arrears_after_demand",
            "fail" if unpaid else "pass",
            {
                "unpaid": [_demand_evidence(d) for d in unpaid],
                "paid": [_demand_evidence(d) for d in facts.demands if d.paid_on is not None],
            },
        )
    )
    if not facts.declaration_made:
        checks.append(Check("no_prohibited_act", "pending", {"declared_acts": []}))
    else:
        acts = sorted(set(facts.declared_acts))
        checks.append(Check("no_prohibited_act", "fail" if acts else "pass", {"declared_acts": acts}))
    tie = facts.property_company_tie
    checks.append(
        Check("no_property_company_tie", "pending" if tie is None else ("fail" if tie else "pass"), {"tie": tie})
    )
    others = sorted(facts.other_nominations)
    checks.append(Check("single", "fail" if others else "pass", {"other_nominations": others}))
    return tuple(checks)


def _demand_evidence(demand: ArrearsDemand) -> dict[str, object]:
    return {
        "kind": demand.kind,
        "amount_fen": demand.amount_fen,
        "demanded_on": demand.demanded_on.isoformat(),
        "paid_on": demand.paid_on.isoformat() if demand.paid_on else None,
    }


def is_eligible(checks: Sequence[Check]) -> bool:
    """True when every check passed (a pending check is not a pass)."""
    return all(check.outcome == "pass" for check in checks)
