"""The floor under bench/cast.py: the same harness against a Flask app that does nothing.

Run: `.venv/bin/python bench/http_floor.py` (from the project root; no database needed). Figures go into
docs/performance.md next to the casting figures.

gunicorn (`--workers 2`, sync, as bench/cast.py starts it) serves this file's `app`: one Flask route that returns a
fixed 4 KB page, with no database, no session, no template and no audit. 32 client threads (requests, as in
bench/cast.py) each run "ballots" of 8 requests, the number one owner's ballot takes over HTTP once the stylesheet
is cached (bench/cast.py: 7 steps and one stylesheet). What it prints is the most ballots per second that this
machine, this server model and this load generator could give if the app's own work cost nothing: a ceiling that
the casting target (300 ballots/s) can be compared with.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path

import requests
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cast import cpu_seconds, free_port, process_tree

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


def run(port: int, clients: int, ballots: int) -> tuple[float, list[float]]:
    """`ballots` sequences of REQUESTS_PER_BALLOT requests over `clients` threads; wall seconds and each duration."""
    remaining = [ballots]
    lock = threading.Lock()
    durations: list[float] = []

    def client() -> None:
        http = requests.Session()
        http.trust_env = False
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            start = time.perf_counter()
            for _ in range(REQUESTS_PER_BALLOT):
                response = http.get(f"http://127.0.0.1:{port}/", timeout=30)
                if response.status_code != 200:
                    raise SystemExit(f"unexpected {response.status_code}")
            with lock:
                durations.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ballots", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        popen, port = start(args.workers, Path(folder))
        try:
            run(port, args.clients, args.clients * 2)  # warm-up
            workers = process_tree(popen.pid)[1:]
            own_before, workers_before = time.process_time(), cpu_seconds(workers)
            wall, durations = run(port, args.clients, args.ballots)
            own, worker = time.process_time() - own_before, cpu_seconds(workers) - workers_before
        finally:
            popen.terminate()
            popen.wait(timeout=10)
    durations.sort()
    p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))]
    print(f"{args.ballots} ballots of {REQUESTS_PER_BALLOT} requests to a do-nothing app, {args.clients} phones")
    print(f"  ballots per second            {args.ballots / wall:8.1f}")
    print(f"  requests per second           {args.ballots * REQUESTS_PER_BALLOT / wall:8.1f}")
    print(f"  p50 / p99 of a ballot         {durations[len(durations) // 2] * 1000:.0f} / {p99 * 1000:.0f} ms")
    clients_ms, workers_ms = own / args.ballots * 1000, worker / args.ballots * 1000
    print(f"  CPU per ballot: clients {clients_ms:.1f} ms, workers {workers_ms:.1f} ms")
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
