"""A straightforward recount of a tally case, the yardstick of `gongjue tally` in bench/tally.py (issue 21 item 5).

What a person would write in an afternoon to count a `gongjue.tally-case/1` file: read the JSON, merge units
into voters by owner set (the developer's unsold and undelivered units as one), and sum area and heads per
answer of each motion and per candidate of each election. It checks nothing, decides nothing and prints only
the totals: a lower bound of what counting the file costs in Python, not a second implementation of the rules.

Run: `.venv/bin/python bench/straight_tally.py CASE.json`.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> None:
    with open(path, "rb") as case_file:
        case = json.load(case_file)
    developer = case["developer"]
    voter_of_owners: dict[frozenset[str], str] = {}
    voter_of_unit: dict[str, str] = {}
    area_of_voter: dict[str, int] = {}
    for unit in case["units"]:
        mine = unit["status"] != "delivered" or not unit["owners"]
        owners = frozenset([developer] if mine else unit["owners"])
        voter = voter_of_owners.setdefault(owners, unit["unit"])
        voter_of_unit[unit["unit"]] = voter
        whole, _, cents = unit["area"].partition(".")
        area_of_voter[voter] = area_of_voter.get(voter, 0) + int(whole) * 100 + int(cents.ljust(2, "0"))
    totals: dict[str, dict[str, list[int]]] = {matter["id"]: {} for matter in case["matters"]}
    for ballot in case["ballots"]:
        area = area_of_voter[voter_of_unit[ballot["unit"]]]
        for matter_id, answer in ballot["choices"].items():
            for mark in answer if isinstance(answer, list) else [answer]:
                weight = totals[matter_id].setdefault(str(mark), [0, 0])
                weight[0] += area
                weight[1] += 1
    json.dump(totals, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
