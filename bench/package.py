"""Benchmark of the result package: building, signing, serializing and verifying a 20,000-ballot package.

Run: `.venv/bin/python bench/package.py` (from the project root). Figures go into docs/result-package.md.

The meeting is built with a fixed seed, so every run builds the same package:
- 24,000 voters (pseudonyms shaped like the roll's: 32 hex characters) with areas from 30.00 to 300.00 m²:
  mostly flats of 55–165 m², some large flats and shops up to 300 m², parking spaces' owners from 30 m²;
  and the developer's voter "developer" with its unsold units;
- 8 motions of categories 1, 2, 4, 5, 6, 7, 8, 9 and one 11-seat election with 25 candidates and at most
  5 alternates;
- 20,000 ballots (the developer's among them), 80% by phone, 15% on paper, 5% by proxy; motion answers mostly
  yes, with no, abstain, blank and a few invalid answers; an election ballot marks each candidate by the
  candidate's popularity, about 2% blank and 1% invalid, as in bench/tally.py;
- the platform and the convener sign it (Ed25519), as when the result is counted.

Measured (min and median of several runs, wall and CPU):
- building and signing: build_body (roll and ledger entries, both Merkle roots, the tally) + two signatures
  (each hashes the canonical body);
- serializing: canonical_json of the whole package (what the platform stores and serves), and json.loads of it;
- verifying in-process: json.loads + verify_package;
- once, the real command `gongjue verify FILE` as a subprocess (wall time and the child's maximum RSS), which
  adds the interpreter's start and the imports;
- the process's maximum resident set size (resource.getrusage).
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tally import draw_choices  # noqa: E402 (bench/tally.py: the same ballots as the counting benchmark)

from app.results.package import (  # noqa: E402
    DEVELOPER,
    LedgerBallot,
    build_body,
    count,
    engine_matters,
    engine_roll,
    merkle_root,
    package_hash,
    sign,
)
from app.results.verify import passed, verify_package  # noqa: E402
from app.rules.model import Election, Matter, Motion, Settings  # noqa: E402
from crypto.canonical import canonical_json  # noqa: E402
from crypto.signing import generate_private_key_pem, public_key_pem  # noqa: E402

SEED = 20260614
VOTERS = 24_000
BALLOTS = 20_000
RUNS = 3
TARGET_SECONDS = 10.0
MOTION_CATEGORIES = (1, 2, 4, 5, 6, 7, 8, 9)
SEATS, MAX_ALTERNATES, CANDIDATES = 11, 5, 25
SIGNED_AT = "2026-06-14T18:30:00+08:00"


def _area(rng: random.Random) -> int:
    """An owner's area in 0.01 m², 30.00–300.00: mostly a flat, sometimes a large flat or a shop."""
    draw = rng.random()
    if draw < 0.85:
        return rng.randint(5500, 16500)
    if draw < 0.95:
        return rng.randint(16500, 30000)
    return rng.randint(3000, 5500)  # a small shop, or a parking space's owner with a storeroom


def build_meeting(seed: int = SEED) -> tuple[list[tuple[str, int]], list[LedgerBallot], list[Matter]]:
    """The roll, the ledger and the matters, the same for the same seed."""
    rng = random.Random(seed)
    voters = [(hashlib.sha256(f"owners-{i}".encode()).hexdigest()[:32], _area(rng)) for i in range(VOTERS - 1)]
    voters.append((DEVELOPER, 1_245_000))  # the developer's unsold flats and spaces together

    candidates = [f"C{i + 1:02d}" for i in range(CANDIDATES)]
    matters: list[Matter] = [Motion(f"m{i + 1}", category) for i, category in enumerate(MOTION_CATEGORIES)]
    matters.append(Election("committee", SEATS, MAX_ALTERNATES, tuple(candidates)))
    popularity = [rng.uniform(0.75, 0.92) for _ in range(7)] + [rng.uniform(0.56, 0.7) for _ in range(7)]
    popularity += [rng.uniform(0.05, 0.2) for _ in range(CANDIDATES - 14)]
    yes_rate = [rng.uniform(0.55, 0.92) for _ in MOTION_CATEGORIES]

    who = [*rng.sample([voter for voter, _ in voters[:-1]], BALLOTS - 1), DEVELOPER]
    ballots = []
    for index, voter in enumerate(who):
        choices = draw_choices(rng, yes_rate, candidates, popularity, SEATS)
        channel = rng.choices(("phone", "paper", "proxy"), (80, 15, 5))[0]
        day, second = divmod(index * 61, 86400)
        cast_at = f"2026-06-{1 + day % 14:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+08:00"
        receipt = hashlib.sha256(rng.getrandbits(256).to_bytes(32, "big")).hexdigest()
        ballots.append(LedgerBallot(receipt, voter, channel, cast_at, choices))
    return voters, ballots, matters


def build_and_sign(
    voters: list[tuple[str, int]], ballots: list[LedgerBallot], matters: list[Matter], keys: dict[str, bytes]
) -> dict[str, Any]:
    package = build_body(
        community={"id": 1, "name": "基准小区", "township": "基准街道"},
        meeting={"id": 1, "title": "基准小区业主大会", "closes_at": "2026-06-14T18:00:00+08:00"},
        settings=Settings(),
        matters=matters,
        labels={"matters": {m.matter_id: f"事项 {m.matter_id}" for m in matters}},
        voters=voters,
        ballots=ballots,
        excluded=[{"voter": voters[0][0], "entries": 2, "reason": "两张纸质选票内容不一致"}],
    )
    for role, private_pem in keys.items():
        sign(
            package,
            role=role,
            public_pem=public_key_pem(private_pem).decode(),
            private_pem=private_pem,
            signed_at=SIGNED_AT,
        )
    return package


def timed(step: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _s(times: list[float]) -> str:
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s"


def verify_text(text: str) -> bool:
    return passed(verify_package(json.loads(text)))


#: run by a small helper interpreter, so that the child's maximum RSS is not inflated by this big process
MEASURE_COMMAND = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
seconds = time.perf_counter() - start
sys.stdout.buffer.write(done.stdout)
sys.stderr.write(f"{done.returncode} {seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def run_command(path: Path) -> tuple[float, float, str]:
    """`gongjue verify FILE` in an empty folder, in production mode with no other configuration: its wall seconds,
    maximum RSS in MB, and last line (the summary); exits if it does not pass."""
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJUE_")} | {"GONGJUE_ENV": "production"}
        command = [str(Path(sys.executable).parent / "gongjue"), "verify", str(path)]
        helper = subprocess.run(
            [sys.executable, "-c", MEASURE_COMMAND, *command], cwd=folder, env=env, capture_output=True, check=True
        )
    returncode, seconds, maxrss_kib = helper.stderr.decode().split()
    summary = helper.stdout.decode().splitlines()[-1]
    if returncode != "0":
        raise SystemExit(f"`gongjue verify` failed: {helper.stdout.decode()[-2000:]}")
    return float(seconds), int(maxrss_kib) / 1024, summary


def profile(step: Callable[[], object], lines: int = 14) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    step()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def parts(package: dict[str, Any]) -> list[tuple[str, float]]:
    """Wall seconds of each part of the work, once each, without a profiler's overhead."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("roll Merkle root (24,000 canonical leaves)", lambda: merkle_root(package["roll"]["voters"])),
        ("ledger Merkle root (20,000 canonical leaves)", lambda: merkle_root(package["ledger"]["ballots"])),
        ("body hash (canonical JSON of the body + SHA-256)", lambda: package_hash(package)),
        (
            "tally (the counting engine on the roll and the ledger)",
            lambda: count(
                package["settings"],
                engine_matters(package["matters"]),
                engine_roll(package["roll"]["voters"]),
                package["ledger"]["ballots"],
            ),
        ),
    ]
    return [(name, min(timed(step, 1)[0])) for name, step in steps]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    voters, ballots, matters = build_meeting()
    keys = {"platform": generate_private_key_pem(), "convener": generate_private_key_pem()}

    build_times = timed(lambda: build_and_sign(voters, ballots, matters, keys), RUNS)
    package = build_and_sign(voters, ballots, matters, keys)
    serialize_times = timed(lambda: canonical_json(package), RUNS)
    text = canonical_json(package).decode()
    parse_times = timed(lambda: json.loads(text), RUNS)
    if not verify_text(text):
        raise SystemExit("the package does not verify in-process")
    verify_times = timed(lambda: verify_text(text), RUNS)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "result-package.json"
        path.write_text(text, encoding="utf-8")
        size = path.stat().st_size
        command_seconds, child_mb, summary = run_command(path)

    tally = package["tally"]
    print("Package")
    print(f"  voters {len(package['roll']['voters']):,}; ballots {len(package['ledger']['ballots']):,}")
    print(f"  total area {tally['totals']['area']} m²; participation {tally['participation']['heads']:,} heads")
    passed_motions = [m for m, r in tally["matters"].items() if r["type"] == "motion" and r["passed"]]
    election = tally["matters"]["committee"]
    print(f"  motions passed: {passed_motions}; members {len(election['members'])}")
    print(f"  file size {size / 1e6:.1f} MB (canonical JSON, UTF-8)")
    print(f"Building and signing (build_body + 2 signatures), {RUNS} runs (target < {TARGET_SECONDS:.0f} s)")
    print(f"  wall {_s(build_times[0])}; CPU {_s(build_times[1])}")
    print(f"Serializing (canonical_json of the package), {RUNS} runs")
    print(f"  wall {_s(serialize_times[0])}; CPU {_s(serialize_times[1])}")
    print(f"  json.loads of the text: wall {_s(parse_times[0])}")
    print(f"Verifying in-process (json.loads + verify_package), {RUNS} runs (target < {TARGET_SECONDS:.0f} s)")
    print(f"  wall {_s(verify_times[0])}; CPU {_s(verify_times[1])}")
    print(f"`gongjue verify FILE` as a subprocess, once: {command_seconds:.2f} s wall")
    print(f"  it printed: {summary}")
    print("Parts, once each (building hashes the body twice, once per signature; verifying once)")
    for name, seconds in parts(package):
        print(f"  {name}: {seconds:.2f} s")
    print("Memory")
    print(f"  max RSS of `gongjue verify` {child_mb:.0f} MB (interpreter, Flask and the app's imports included)")
    print(f"  ru_maxrss of this benchmark process {maxrss_mb:.0f} MB (holds the inputs, the package and its text)")
    print("Machine")
    print(f"  {platform.platform()}; {cpu_model()}; {os.cpu_count()} cores")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work slows the figures)")
    verdict = {True: "met", False: "NOT met"}
    build_ok = statistics.median(build_times[0]) < TARGET_SECONDS
    verify_ok = max(statistics.median(verify_times[0]), command_seconds) < TARGET_SECONDS
    print("Targets")
    print(f"  building and signing < {TARGET_SECONDS:.0f} s (median wall): {verdict[build_ok]}")
    print(f"  verifying < {TARGET_SECONDS:.0f} s (median in-process and the command's wall): {verdict[verify_ok]}")
    if "--profile" in sys.argv or not (build_ok and verify_ok):
        print("Profile of building and signing (cumulative)")
        print(profile(lambda: build_and_sign(voters, ballots, matters, keys)))
        print("Profile of verifying (cumulative)")
        print(profile(lambda: verify_text(text)))


if __name__ == "__main__":
    main()
