"""Candidates for the owners' committee: nomination routes and eligibility (Shaoxing Arts 13, 17, 22; DOMAIN §6). PURE.

Each check returns an outcome and the evidence it rests on, so that the vetting page shows why, not only whether.
People are named by opaque keys (the keyed hash of their ID number), never by the number itself.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from app.rules.petitions import JOINT_NOMINATION_HEADS, heads_signed

# --- nomination routes (Shaoxing Art 13 ¶2) ------------------------------------------------------------------------

Route = Literal["self", "residents_committee", "joint"]
ROUTES: tuple[str, ...] = ("self", "residents_committee", "joint")

#: Art 13 ¶2: 物业所在地居（村）民委员会或者十名以上业主联名可以向筹备组推荐候选人
MIN_JOINT_NOMINATORS = JOINT_NOMINATION_HEADS


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


def check_joint_nomination(
    candidate_key: str, cosigners: Sequence[Cosigner], voters: Iterable[Collection[str]] | None = None
) -> tuple[NominationProblem, ...]:
    """Every problem with a joint nomination; () when it stands.

    "Ten or more owners jointly" (十名以上, which in Chinese law includes ten): at least `MIN_JOINT_NOMINATORS`
    distinct owners on the roll, the candidate not among them (one does not co-sign one's own nomination; that is a
    self-nomination). Each line of ``cosigners`` that is not on the roll, repeats an earlier person, or is the
    candidate is reported with its 1-based ``line``; only the remaining distinct owners count towards ten.

    With ``voters`` (each the set of its owners' keys, app.rules.voters) the owners are counted in heads as a vote
    counts them (DOMAIN §3; app.rules.petitions.heads_signed): the two co-owners of one flat are one head.

    Ten distinct owners on the roll → (); nine → too_few_cosigners {valid: 9, needed: 10}; ten lines of which one
    repeats another → duplicate_cosigner {line} and too_few_cosigners {valid: 9}; ten owners of whom two co-own one
    flat and own nothing else → too_few_cosigners {valid: 9}.
    """
    problems: list[NominationProblem] = []
    seen: set[str] = set()
    counted: list[str] = []
    for line, cosigner in enumerate(cosigners, start=1):
        if cosigner.key == candidate_key:
            problems.append(NominationProblem("candidate_cosigns", {"line": line}))
        elif cosigner.key in seen:
            problems.append(NominationProblem("duplicate_cosigner", {"line": line}))
        elif not cosigner.on_roll:
            problems.append(NominationProblem("cosigner_not_on_roll", {"line": line}))
        else:
            counted.append(cosigner.key)
        seen.add(cosigner.key)
    valid = len(counted) if voters is None else heads_signed(voters, counted)
    if valid < MIN_JOINT_NOMINATORS:
        problems.append(NominationProblem("too_few_cosigners", {"valid": valid, "needed": MIN_JOINT_NOMINATORS}))
    return tuple(problems)


# --- eligibility (Shaoxing Arts 17, 22; DOMAIN §6) -----------------------------------------------------------------

#: Art 22's prohibited acts, (一) … (十)
PROHIBITED_ACTS: tuple[int, ...] = tuple(range(1, 11))

CheckCode = Literal[
    "on_roll",
    "full_civil_capacity",
    "no_arrears_after_demand",
    "no_prohibited_act",
    "no_property_company_tie",
    "single",
]
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
    - ``other_nominations``: ids of the person's other nominations that are still standing;
    - ``birth_date`` (from the ID number; None when the document has none), ``checked_on`` (the day of the check),
      ``under_guardianship`` (recorded by the convener): full civil capacity;
    - ``arrears_bar``: whether the rules of procedure bar a candidacy for unpaid fees after a written demand.
    """

    units: tuple[str, ...]
    roll_version: int | None
    demands: tuple[ArrearsDemand, ...] = ()
    birth_date: date | None = None
    checked_on: date | None = None
    under_guardianship: bool = False
    arrears_bar: bool = True
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
    """The six checks, in this order, each with its evidence:

    - "on_roll" (Art 17 ¶1: 应当是物业管理区域内的业主): pass with the units and roll version, fail when none;
    - "full_civil_capacity" (Art 17 ¶1: 具有完全民事行为能力; Civil Code Arts 17–18, 21–24): fail when under
      guardianship or younger than 18 on the day of the check (18 on one's birthday: born 2008-12-09 passes on
      2026-12-09, fails on 12-08); pending when the document gives no birth date (the convener records it);
    - "no_arrears_after_demand" (Art 17 ¶2 (3), seed item 16 "依法": a bar to candidacy only where the rules of
      procedure say so, ``arrears_bar``): fail when any written demand is unpaid, with those demands as evidence;
      a demand paid later does not bar (the evidence lists it). No demand recorded, or no such rule → pass (the
      evidence says whether the rule applies);
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
        ),
        _capacity(facts),
    ]
    unpaid = [d for d in facts.demands if d.paid_on is None]
    checks.append(
        Check(
            "no_arrears_after_demand",
            "fail" if unpaid and facts.arrears_bar else "pass",
            {
                "applies": facts.arrears_bar,
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


#: full civil capacity from 18 (Civil Code Arts 17 and 18)
ADULT_AGE = 18


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day``: one turns a year older on one's birthday. **decision**: born on 29 February, one
    turns a year older on 1 March of a common year (the birthday has not come while February lasts). Born
    2008-02-29: 17 on 2026-02-28, 18 on 2026-03-01."""
    years = day.year - birth_date.year
    try:
        birthday = birth_date.replace(year=day.year)
    except ValueError:  # born on 29 February, a common year: the birthday is not reached until 1 March
        birthday = date(day.year, 3, 1)
    return years if day >= birthday else years - 1


def _capacity(facts: CandidateFacts) -> Check:
    """The evidence is the age on the day, not the birth date (which the vetting page need not show to everyone)."""
    known = facts.birth_date is not None and facts.checked_on is not None
    age = age_on(facts.birth_date, facts.checked_on) if facts.birth_date and facts.checked_on else None
    evidence: dict[str, object] = {"age": age, "under_guardianship": facts.under_guardianship}
    if facts.under_guardianship:
        return Check("full_civil_capacity", "fail", evidence)
    if not known or age is None:
        return Check("full_civil_capacity", "pending", evidence)
    return Check("full_civil_capacity", "pass" if age >= ADULT_AGE else "fail", evidence)


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
