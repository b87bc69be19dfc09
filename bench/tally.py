"""Benchmark of the counting engine: a 20,000-unit community, 8 motions and an 11-seat election.

Run: `.venv/bin/python bench/tally.py` (from the project root). Figures go into docs/performance.md.

The case is built as a `gongjue.tally-case/1` document with a fixed seed, so every run counts the same case:
- 20,000 units: about 90% residences, 2% shops, 8% parking spaces; about 3% unsold and 2% sold but undelivered
  (the developer's one voter); about 8% of the delivered units co-owned by two or three people; about 5% of the
  owners hold several units (two or three flats, or a flat and a parking space, under one owner set);
- 8 motions of categories 1, 2, 4, 5, 6, 7, 8, 9 and one 11-seat election with 25 candidates and at most
  5 alternates;
- 75% of the voters return a ballot (the developer does not); motion answers are mostly yes, with no, abstain,
  blank and a few invalid answers; an election ballot marks each candidate by the candidate's popularity (a slate of
  7 strong, 7 middling and 11 weak candidates; at most 11 marks), about 2% are blank and about 1% invalid
  (12 names).

Measured:
- the tally: build_voters + tally + result_document on the parsed case (min and median of several runs);
- the whole offline recount in-process: json.loads + read_case + the tally + json.dumps (min and median);
- the peak of Python allocations during the tally (tracemalloc), and the process's maximum resident set size;
- the real command `gongjue tally CASE.json` as a subprocess, several times: the child's CPU time (user + system,
  from getrusage), wall time and maximum RSS, which add the interpreter's start, the imports and the exit;
- the same for bench/straight_tally.py, a straightforward script that sums the same file without checking or
  deciding anything: the yardstick the command is compared with (issue 21 item 5).
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import tally_command  # noqa: E402
from app.rules.case_format import CASE_FORMAT, TallyCase, read_case, result_document  # noqa: E402
from app.rules.tally import tally  # noqa: E402
from app.rules.voters import build_voters  # noqa: E402

SEED = 20250517
UNITS = 20_000
TURNOUT = 0.75
RUNS = 7
COMMAND_RUNS = 9
TARGET_SECONDS = 1.0
TARGET_COMMAND_CPU = 0.4
TARGET_MB = 200
DEVELOPER = "DEV"
MOTION_CATEGORIES = (1, 2, 4, 5, 6, 7, 8, 9)
SEATS, MAX_ALTERNATES, CANDIDATES = 11, 5, 25


def _area(rng: random.Random, low: int, high: int) -> str:
    centi = rng.randint(low * 100, high * 100)
    return f"{centi // 100}.{centi % 100:02d}"


def draw_choices(
    rng: random.Random, yes_rate: list[float], candidates: list[str], popularity: list[float], seats: int
) -> dict[str, Any]:
    """One ballot's answers: motions m1… mostly yes at their rate, then no, abstain, blank and about 1% invalid (a
    word written on paper); the election "committee" by the candidates' popularity, 2% blank and 1% over the seats
    (invalid). Also used by bench/package.py."""
    choices: dict[str, Any] = {}
    for i, rate in enumerate(yes_rate):
        draw = rng.random()
        if draw < rate:
            choices[f"m{i + 1}"] = "yes"
        elif draw < rate + (1 - rate) * 0.6:
            choices[f"m{i + 1}"] = "no"
        elif draw < rate + (1 - rate) * 0.85:
            choices[f"m{i + 1}"] = "abstain"
        elif draw < rate + (1 - rate) * 0.97:
            pass  # left blank
        else:
            choices[f"m{i + 1}"] = "同意"  # written in words: invalid
    draw = rng.random()
    if draw < 0.02:
        choices["committee"] = []
    elif draw < 0.03:
        choices["committee"] = rng.sample(candidates, seats + 1)
    else:
        marked = [c for c, p in zip(candidates, popularity, strict=True) if rng.random() < p]
        choices["committee"] = rng.sample(marked, seats) if len(marked) > seats else marked
    return choices


def build_case(seed: int = SEED, n_units: int = UNITS) -> dict[str, Any]:
    """A realistic case as parsed JSON (areas as strings), the same for the same seed."""
    rng = random.Random(seed)
    n_parking = round(n_units * 0.08)
    n_shops = round(n_units * 0.02)
    n_homes = n_units - n_parking - n_shops

    unit_rows: list[tuple[str, str, str]] = []  # (id, kind, area)
    for i in range(n_homes):  # buildings of 2 stairs × 32 floors × 4 flats: "12-2-1503"
        building, rest = divmod(i, 256)
        stair, rest = divmod(rest, 128)
        floor, flat = divmod(rest, 4)
        unit_id = f"{building + 1}-{stair + 1}-{floor + 1:02d}{flat + 1:02d}"
        unit_rows.append((unit_id, "residence", _area(rng, 55, 165)))
    unit_rows += [(f"S-{i + 1:04d}", "commercial", _area(rng, 30, 320)) for i in range(n_shops)]
    unit_rows += [(f"P-{i + 1:05d}", "parking", _area(rng, 10, 16)) for i in range(n_parking)]

    statuses = ["unsold"] * round(n_units * 0.03) + ["undelivered"] * round(n_units * 0.02)
    statuses += ["delivered"] * (n_units - len(statuses))
    rng.shuffle(statuses)

    owner_count = 0

    def new_owner_set() -> list[str]:
        nonlocal owner_count
        size = rng.choice((2, 2, 2, 3)) if rng.random() < 0.08 else 1
        owners = [f"O{owner_count + k:06d}" for k in range(size)]
        owner_count += size
        return owners

    units: list[dict[str, Any]] = []
    home_owner_sets: list[list[str]] = []
    pending_second: list[list[str]] = []  # owner sets that will get one or two more flats
    for (unit_id, kind, area), status in zip(unit_rows, statuses, strict=True):
        owners: list[str] = []
        if status == "undelivered":
            owners = new_owner_set()  # sold, not yet delivered: still the developer's voter
        elif status == "delivered":
            if kind == "parking" and home_owner_sets and rng.random() < 0.5:
                owners = rng.choice(home_owner_sets)  # a flat's owners also own this space
            elif kind == "residence" and pending_second and rng.random() < 0.5:
                owners = pending_second.pop()
            else:
                owners = new_owner_set()
                if kind == "residence":
                    home_owner_sets.append(owners)
                    if rng.random() < 0.012:
                        pending_second += [owners] * rng.choice((1, 1, 2))
        units.append({"unit": unit_id, "area": area, "kind": kind, "status": status, "owners": owners})

    candidates = [f"C{i + 1:02d}" for i in range(CANDIDATES)]
    matters: list[dict[str, Any]] = [
        {"id": f"m{i + 1}", "type": "motion", "category": category} for i, category in enumerate(MOTION_CATEGORIES)
    ]
    matters.append(
        {
            "id": "committee",
            "type": "election",
            "category": 3,
            "seats": SEATS,
            "max_alternates": MAX_ALTERNATES,
            "candidates": candidates,
        }
    )

    # one ballot per voter (owner set), named by one of its units; the developer does not vote
    units_of: dict[frozenset[str], list[str]] = {}
    for unit in units:
        if unit["status"] == "delivered":
            units_of.setdefault(frozenset(unit["owners"]), []).append(unit["unit"])
    # a slate: 7 strong candidates, 7 with middling support, 11 outsiders
    popularity = [rng.uniform(0.75, 0.92) for _ in range(7)] + [rng.uniform(0.56, 0.7) for _ in range(7)]
    popularity += [rng.uniform(0.05, 0.2) for _ in range(CANDIDATES - 14)]
    yes_rate = [rng.uniform(0.55, 0.92) for _ in MOTION_CATEGORIES]
    ballots: list[dict[str, Any]] = []
    for voter_units in units_of.values():
        if rng.random() >= TURNOUT:
            continue
        choices = draw_choices(rng, yes_rate, candidates, popularity, SEATS)
        ballots.append({"unit": rng.choice(voter_units), "choices": choices})

    return {
        "format": CASE_FORMAT,
        "settings": {"count_parking": True, "blank_and_invalid_take_part": True, "rank_by": ["heads", "area"]},
        "developer": DEVELOPER,
        "units": units,
        "matters": matters,
        "ballots": ballots,
    }


def count(case: TallyCase) -> dict[str, Any]:
    """The tally step: build_voters + tally + result_document."""
    roll = build_voters(case.units, case.developer, case.settings)
    return result_document(tally(roll, case.matters, case.ballots, case.settings))


def recount(text: str) -> str:
    """The whole offline recount in-process: what `gongjue tally` does once it has read the file."""
    return tally_command.recount(text.encode())


def timed(step: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run (CPU time is less disturbed by other work on the machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _ms(times: list[float]) -> str:
    return f"min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms"


#: run by a small helper interpreter, so that the child's maximum RSS is not inflated by this big process
#: (a forked child counts the parent's pages until it execs); it prints the child's output and, on standard
#: error, its exit status, wall seconds, CPU seconds (user + system) and maximum RSS in KiB
MEASURE_COMMAND = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(done.stdout)
sys.stderr.write(f"{done.returncode} {seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
"""


@dataclass
class CommandFigures:
    """Runs of one command on the case file: wall and CPU seconds of each, and the largest maximum RSS in MB."""

    wall: list[float]
    cpu: list[float]
    max_rss_mb: float


def run_command(command: list[str], runs: int, check: Callable[[bytes], bool]) -> CommandFigures:
    """Run `command` (the case file's path last) `runs` times in an empty folder, in production mode with no other
    configuration; every run must exit 0 and print what `check` accepts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJUE_")} | {"GONGJUE_ENV": "production"}
    figures = CommandFigures([], [], 0.0)
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            helper = subprocess.run(
                [sys.executable, "-c", MEASURE_COMMAND, *command], cwd=folder, env=env, capture_output=True, check=True
            )
            returncode, seconds, cpu, maxrss_kib = helper.stderr.decode().split()
            if returncode != "0" or not check(helper.stdout):
                raise SystemExit(f"{command[0]} failed or printed a different result than the in-process count")
            figures.wall.append(float(seconds))
            figures.cpu.append(float(cpu))
            figures.max_rss_mb = max(figures.max_rss_mb, int(maxrss_kib) / 1024)
    return figures


def commands(text: str, document: dict[str, Any]) -> tuple[CommandFigures, CommandFigures]:
    """`gongjue tally` (checked against the in-process result) and the straightforward script on the case."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.case.json"
        path.write_text(text, encoding="utf-8")
        gongjue = run_command(
            [str(Path(sys.executable).parent / "gongjue"), "tally", str(path)],
            COMMAND_RUNS,
            lambda printed: json.loads(printed) == document,
        )
        straight = run_command(
            [sys.executable, str(ROOT / "bench" / "straight_tally.py"), str(path)],
            COMMAND_RUNS,
            lambda printed: bool(json.loads(printed)),
        )
    return gongjue, straight


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    text = json.dumps(build_case(), ensure_ascii=False)
    case = read_case(json.loads(text))
    document = count(case)
    participation = document["participation"]
    election = document["matters"]["committee"]
    print("Case")
    print(f"  units {len(case.units):,}; voters {document['totals']['heads']:,}; ballots {len(case.ballots):,}")
    print(f"  total area {document['totals']['area']} m²; participation {participation['heads']:,} heads")
    print(f"  roll: {json.dumps(document['roll'])}")
    print(f"  file size {len(text.encode()) / 1e6:.1f} MB; matters {len(case.matters)}")
    passed = [m for m, r in document["matters"].items() if r["type"] == "motion" and r["passed"]]
    print(f"  motions passed: {passed}; members {len(election['members'])}, alternates {len(election['alternates'])}")

    tally_times = timed(lambda: count(case), RUNS)
    recount_times = timed(lambda: recount(text), RUNS)

    tracemalloc.start()
    count(case)
    _, tally_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    recount(text)
    _, recount_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    gongjue, straight = commands(text, document)

    median = statistics.median(tally_times[0])
    print(f"Tally (build_voters + tally + result_document), {RUNS} runs (target < {TARGET_SECONDS:.0f} s)")
    print(f"  wall {_ms(tally_times[0])}; CPU {_ms(tally_times[1])}")
    print(f"Recount in-process (json.loads + read_case + tally + json.dumps), {RUNS} runs")
    print(f"  wall {_ms(recount_times[0])}; CPU {_ms(recount_times[1])}")
    print(f"`gongjue tally CASE.json` as a subprocess, {COMMAND_RUNS} runs (target < {TARGET_COMMAND_CPU} s CPU)")
    print(f"  CPU {_ms(gongjue.cpu)}; wall {_ms(gongjue.wall)}")
    print(f"bench/straight_tally.py on the same file (sums only: no check, no decision), {COMMAND_RUNS} runs")
    print(f"  CPU {_ms(straight.cpu)}; wall {_ms(straight.wall)}")
    ratio = statistics.median(gongjue.cpu) / statistics.median(straight.cpu)
    print(f"  `gongjue tally` ÷ the straightforward script, median CPU: {ratio:.2f}")
    print("Memory")
    print(f"  tracemalloc peak of the tally step {tally_peak / 2**20:.1f} MB (target < {TARGET_MB} MB)")
    print(f"  tracemalloc peak of the in-process recount {recount_peak / 2**20:.1f} MB")
    print(f"  max RSS of `gongjue tally` {gongjue.max_rss_mb:.0f} MB (the interpreter and the rules' imports included)")
    print(f"  ru_maxrss of this benchmark process {maxrss_mb:.0f} MB (holds the case three times: dicts, text, parsed)")
    print("Machine")
    print(f"  {platform.platform()}; {cpu_model()}; {os.cpu_count()} cores")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work slows the figures)")
    verdict = {True: "met", False: "NOT met"}
    print("Targets")
    print(f"  time < {TARGET_SECONDS:.0f} s (median wall of the tally step): {verdict[median < TARGET_SECONDS]}")
    command_ok = statistics.median(gongjue.cpu) < TARGET_COMMAND_CPU
    print(f"  `gongjue tally` < {TARGET_COMMAND_CPU} s CPU (median, whole process): {verdict[command_ok]}")
    memory_ok = max(tally_peak, recount_peak) / 2**20 < TARGET_MB and gongjue.max_rss_mb < TARGET_MB
    print(f"  memory < {TARGET_MB} MB (tracemalloc peaks, max RSS of `gongjue tally`): {verdict[memory_ok]}")


if __name__ == "__main__":
    main()
