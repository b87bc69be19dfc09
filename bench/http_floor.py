"""The floor under bench/cast.py: the same harness against a Flask app that does nothing.

Run: `.venv/bin/python bench/http_floor.py` (from the project root; no database needed). bench/cast.py also runs it
at the end of its own run, with the same workers and phones, and prints the ratio of the two CPU costs per ballot.

gunicorn (`--workers 2`, sync, as bench/cast.py starts it) serves this file's `app`: one Flask route that returns a
fixed 4 KB page, with no database, no session, no template and no audit. The phones of bench/load.py (32 gevent
greenlets in one process) each run "ballots" of 8 requests: the number one owner's ballot took over HTTP when the
figure was set (issue 21: seven steps and one stylesheet), kept as the yardstick even where the ballot now takes
fewer. What it prints is the cost of a ballot's worth of HTTP requests to this machine, this server model and this
load generator if the app's own work cost nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cast import cpu_seconds, free_port, outcomes_of, percentile, process_tree, run_load

REQUESTS_PER_BALLOT = 8
PAGE = "<!doctype html><title>x</title>" + "x" * 4000
READY_TIMEOUT_S = 30

app = Flask(__name__)


@app.get("/")
def page() -> str:
    return PAGE


def start(workers: int, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    popen = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            f"--access-logfile={folder / 'access.log'}",
            f"--worker-tmp-dir={folder}",
            "http_floor:app",
        ],
        cwd=Path(__file__).resolve().parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    probe = requests.Session()
    probe.trust_env = False
    while True:
        if popen.poll() is not None:
            raise SystemExit(f"gunicorn exited with {popen.returncode}")
        with suppress(requests.RequestException):
            if probe.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return popen, port
        if time.monotonic() > deadline:
            popen.kill()
            raise SystemExit("gunicorn did not answer in time")
        time.sleep(0.05)  # between polls; the answer decides readiness


@dataclass(frozen=True)
class FloorFigures:
    ballots: int
    requests_per_ballot: int
    rate: float  # ballots per second
    p50: float  # seconds, of a ballot's requests
    p99: float
    worker_ms: float  # gunicorn workers' CPU per ballot
    client_ms: float  # the load generator's CPU per ballot


def measure(workers: int, clients: int, ballots: int, folder: Path) -> FloorFigures:
    """The do-nothing app under bench/load.py's phones: `ballots` timed after two per phone to warm up."""
    popen, port = start(workers, folder)
    counters: dict[str, Any] = {}

    def on_warm() -> None:
        counters["workers"] = process_tree(popen.pid)[1:]
        counters["before"] = cpu_seconds(counters["workers"])

    job = {
        "mode": "floor",
        "port": port,
        "clients": clients,
        "warmup": clients * 2,
        "timed": ballots,
        "requests_per_ballot": REQUESTS_PER_BALLOT,
    }
    try:
        result = run_load(job, folder, on_warm)
        worker = cpu_seconds(counters["workers"]) - counters["before"]
    finally:
        popen.terminate()
        popen.wait(timeout=10)
    timed = outcomes_of(result, "timed")
    failed = [outcome for outcome in timed if outcome.error]
    if failed:
        raise SystemExit(f"{len(failed)} of the floor's ballots failed: {failed[0].error}")
    durations = [outcome.ended - outcome.started for outcome in timed]
    wall = max(outcome.ended for outcome in timed) - min(outcome.started for outcome in timed)
    return FloorFigures(
        ballots,
        REQUESTS_PER_BALLOT,
        ballots / wall,
        percentile(durations, 50),
        percentile(durations, 99),
        worker / ballots * 1000,
        result["cpu_seconds"] / ballots * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ballots", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        floor = measure(args.workers, args.clients, args.ballots, Path(folder))
    print(f"{floor.ballots} ballots of {floor.requests_per_ballot} requests to a do-nothing app, {args.clients} phones")
    print(f"  ballots per second            {floor.rate:8.1f}")
    print(f"  requests per second           {floor.rate * floor.requests_per_ballot:8.1f}")
    print(f"  p50 / p99 of a ballot         {floor.p50 * 1000:.0f} / {floor.p99 * 1000:.0f} ms")
    print(f"  CPU per ballot: phones {floor.client_ms:.1f} ms, workers {floor.worker_ms:.1f} ms")
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
