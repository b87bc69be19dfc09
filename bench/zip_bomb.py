"""Benchmark of a hostile roll upload (issue 16 item 3): how long a zip bomb takes to be refused, and the process's
peak memory meanwhile, against a real 20,280-unit roll's inflated size.

Run: `.venv/bin/python bench/zip_bomb.py` (from the project root; no database). Figures go into docs/security.md.

Each measurement runs in a fresh child process (`multiprocessing`, spawn), so that its peak resident set
(resource.getrusage, ru_maxrss) is its own: the child reads the file's bytes, then calls
app.roll.parsing.read_roll_file as the import task does. The bomb (tests/roll/bombs.py) is the roll template whose
shared strings hold one string of 1 GiB of "A", deflated to about 1 MB. The real roll is bench/roll_import.py's
20,280-unit file. Target (issue): refused in under a second with peak memory under 200 MB.
"""

from __future__ import annotations

import io
import multiprocessing
import resource
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _read(data: bytes, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from app.roll.parsing import RollFileError, read_roll_file

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        read_roll_file("roll.xlsx", data)
        outcome = "read"
    except RollFileError as error:
        outcome = error.code
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((outcome, elapsed, before / 1024, peak / 1024))


def measure(data: bytes) -> tuple[str, float, float, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_read, args=(data, queue))
    child.start()
    result = queue.get(timeout=600)
    child.join(timeout=60)
    return result


def main() -> None:
    from app.demo.roll_generator import generate_demo_roll
    from bench.roll_import import SEED, SIZES, build_xlsx
    from tests.roll.bombs import zip_bomb

    bomb = zip_bomb(1024 * 1024 * 1024)
    roll = build_xlsx(generate_demo_roll(seed=SEED, **SIZES))
    inflated = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(roll)).infolist())
    print(f"zip bomb: {len(bomb) / 1e6:.2f} MB on disk, 1024 MB inflated")
    outcome, seconds, start_mb, peak_mb = measure(bomb)
    print(
        f"  refused: {outcome} in {seconds:.2f} s; peak resident memory {peak_mb:.0f} MB (at start {start_mb:.0f} MB)"
    )
    print(f"real roll: {len(roll) / 1e6:.2f} MB on disk, {inflated / 1e6:.1f} MB inflated")
    outcome, seconds, start_mb, peak_mb = measure(roll)
    print(f"  {outcome} in {seconds:.2f} s; peak resident memory {peak_mb:.0f} MB (at start {start_mb:.0f} MB)")


if __name__ == "__main__":
    main()
