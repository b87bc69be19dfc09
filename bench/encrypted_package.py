"""Benchmark of the encrypted result package (`gongjue.result-package/2`, issue 17): building it (encrypting every
ballot with its proofs, the weighted totals on ciphertexts, the trustees' decryptions, the tally) and verifying it
(every proof, the totals again, the decryptions, the recount), on both cores.

Run: `.venv/bin/python bench/encrypted_package.py --ballots 3000` and `--ballots 20000` (from the project root).
Figures go into docs/performance.md.

The meeting is bench/package.py's (8 motions, an 11-seat election among 25 candidates; 24,000 voters), with the
number of ballots asked for; the voters who vote are the first ones drawn by the same seed.

Printed:
- the group operations per ballot (scalar multiplications, fixed-base and variable-base, and additions), counted on
  a sample, to encrypt and prove, and to verify;
- wall time of building and of verifying with `--jobs` processes (default 2), and the per-ballot CPU cost;
- the package's size (canonical JSON) and the maximum resident memory of this process and of its pool's workers.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from package import build_meeting  # noqa: E402 (bench/package.py)

from app.results import encrypted  # noqa: E402
from app.results.encrypted import PlainBallot  # noqa: E402
from app.results.verify import verify_package  # noqa: E402
from app.rules.model import Settings  # noqa: E402
from crypto import group  # noqa: E402
from crypto.canonical import canonical_json  # noqa: E402

MEETING = {"id": 1, "title": "基准小区业主大会", "closes_at": "2026-06-14T18:00:00+08:00"}
COMMUNITY = {"id": 1, "name": "基准小区", "township": "基准街道"}
SEED = b"benchmark seed of the randomness"


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Count the group operations made inside the block (patched in this process only)."""
    counts: Counter[str] = Counter()
    originals = {name: getattr(group, name) for name in ("mul", "base_mul", "add", "sub")}

    def wrap(name: str) -> Callable[..., bytes]:
        def counted(*args: Any) -> bytes:
            counts[name] += 1
            return originals[name](*args)

        return counted

    for name in originals:
        setattr(group, name, wrap(name))
    try:
        yield counts
    finally:
        for name, function in originals.items():
            setattr(group, name, function)


def secrets() -> dict[str, int]:
    return {role: group.random_scalar() for role in encrypted.TRUSTEE_ROLES}


def plain_ballots(count: int) -> tuple[list[tuple[str, int]], list[PlainBallot], list[Any]]:
    voters, ballots, matters = build_meeting()
    chosen = [*ballots[: count - 1], ballots[-1]]  # the developer's ballot is the last one
    plain = [PlainBallot(b.receipt, b.voter, b.channel, b.cast_at[:10], b.choices) for b in chosen]
    return voters, plain, matters


def per_ballot_operations(voters: list[tuple[str, int]], plain: list[PlainBallot], matters: list[Any]) -> None:
    sample = plain[:20]
    keys = secrets()
    public_key = encrypted.election_key(encrypted.trustee_entries(1, keys))
    roll_root = "00" * 32
    with counting() as made:
        entries = [encrypted.encrypt_ballot(b, matters, public_key, 1, roll_root, SEED) for b in sample]
    questions = encrypted.questions_of(matters)
    with counting() as checked:
        if not all(encrypted.ballot_valid(e, questions, public_key, 1, roll_root) for e in entries):
            raise SystemExit("a sample ballot does not verify")
    options = sum(len(q.options) for q in questions)
    print(f"questions per ballot: {len(questions)}, ciphertexts per ballot: {options}")
    for label, counts in (("encrypt and prove", made), ("verify", checked)):
        per = {name: counts[name] / len(sample) for name in ("base_mul", "mul", "add", "sub")}
        print(
            f"{label}: per ballot {per['base_mul']:.0f} fixed-base and {per['mul']:.0f} variable-base scalar "
            f"multiplications, {per['add'] + per['sub']:.0f} additions"
        )


def run(count: int, jobs: int) -> None:
    voters, plain, matters = plain_ballots(count)
    per_ballot_operations(voters, plain, matters)
    keys = secrets()
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs) as pool:
        start, cpu = time.perf_counter(), time.process_time()
        body = encrypted.build_body(
            community=COMMUNITY,
            meeting=MEETING,
            settings=Settings(),
            matters=matters,
            labels={"matters": {m.matter_id: f"事项 {m.matter_id}" for m in matters}},
            voters=voters,
            ballots=plain,
            secrets=keys,
            seed=SEED,
            mapper=lambda function, items: pool.imap(function, items, chunksize=32),
        )
        built = time.perf_counter() - start
        print(
            f"build ({count} ballots, {jobs} processes): {built:.1f} s wall, {built / count * 1000:.2f} ms per ballot"
        )
        print(f"  (this process's CPU: {time.process_time() - cpu:.1f} s; the rest ran in the pool)")
        size = len(canonical_json(body))
        print(f"package body: {size / 1e6:.1f} MB of canonical JSON, {size / count / 1000:.1f} KB per ballot")
        text = json.dumps(body)
        start = time.perf_counter()
        checks = verify_package(
            json.loads(text), mapper=lambda function, items: pool.imap(function, items, chunksize=32)
        )
        verified = time.perf_counter() - start
    failed = [c.name for c in checks if not c.ok and not c.name.startswith("signature")]
    print(
        f"verify ({jobs} processes): {verified:.1f} s wall, {verified / count * 1000:.2f} ms per ballot;",
        f"failed: {failed}",
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"maximum resident memory: this process {own:.0f} MB, largest worker {children:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=2)
    arguments = parser.parse_args()
    run(arguments.ballots, arguments.jobs)


if __name__ == "__main__":
    main()
