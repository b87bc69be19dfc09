"""The load generator of bench/cast.py and bench/http_floor.py: many phones in one process that costs little CPU.

Run by those benchmarks as a subprocess, not by hand: `python bench/load.py JOB.json RESULT.json`. Each phone is a
gevent greenlet with a geventhttpclient connection (the HTTP client inside Locust's FastHttpUser, without Locust's
framework: what is measured here is the sequence's own timings and the server's CPU, which Locust's statistics would
not give). One process and one core's fraction serve every phone, where bench/cast.py's earlier 32 threads of
`requests` spent about 15 ms of CPU per ballot on the same two cores as the server.

The job (JSON) says what to run:
- ``{"mode": "ballots", "port", "clients", "warmup": [letter...], "timed": [letter...]}``: each letter (see
  bench/ballot_sequence.Letter) is one owner's ballot, the sequence of bench/ballot_sequence.vote, through a pretend
  TLS proxy (X-Forwarded-Proto: https; the Secure session cookie kept by hand; a same-origin Referer on POSTs);
- ``{"mode": "floor", "port", "clients", "warmup": N, "timed": N, "requests_per_ballot": 8}``: N "ballots" of
  GET / to bench/http_floor.py's app that does nothing.

It runs the warm-up, prints ``warm`` and waits for a line on its standard input (the parent then reads the server's
CPU counters), runs the timed part, and writes RESULT.json: every timed outcome and this process's CPU seconds
during the timed part.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import gevent  # noqa: E402
import gevent.queue  # noqa: E402
from geventhttpclient import HTTPClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ballot_sequence import Broken, Form, Letter, Outcome, Reply, vote  # noqa: E402

CONNECT_TIMEOUT_S = 10
REQUEST_TIMEOUT_S = 30
RUN_TIMEOUT_S = 900
FORM_TYPE = "application/x-www-form-urlencoded"


class GeventPhone:
    """One phone: its own connection, its own cookies (the Secure session cookie returned by hand, as behind TLS)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = HTTPClient(
            "127.0.0.1", port, connection_timeout=CONNECT_TIMEOUT_S, network_timeout=REQUEST_TIMEOUT_S
        )
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: Form | None, headers: dict[str, str]) -> Reply:
        sent = {"X-Forwarded-Proto": "https", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if "Referer" in sent:
            sent["Referer"] = f"https://127.0.0.1:{self.port}{sent['Referer']}"
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = FORM_TYPE
        try:
            response = self.http.request(method, path, body=body, headers=sent)
            text = response.read().decode("utf-8", "replace")
        except (OSError, gevent.Timeout) as error:
            raise Broken(f"{type(error).__name__}: {error}") from error
        found: dict[str, str] = {}
        for name, value in response.items():
            lower = name.lower()
            if lower == "set-cookie":
                cookie, _, value_ = value.split(";", 1)[0].strip().partition("=")
                if "max-age=0" in value.lower():
                    self.cookies.pop(cookie, None)
                else:
                    self.cookies[cookie] = value_
            else:
                found[lower] = value
        return Reply(
            response.status_code,
            found.get("location", ""),
            text,
            found.get("etag", ""),
            found.get("cache-control", ""),
        )

    def forget(self) -> None:
        """A new phone for the next owner: no session cookie."""
        self.cookies.clear()

    def close(self) -> None:
        self.http.close()


def run_ballots(port: int, clients: int, letters: list[Letter]) -> list[Outcome]:
    """`clients` phones taking owners from one queue until it is empty."""
    work: gevent.queue.Queue[Letter] = gevent.queue.Queue()
    for letter in letters:
        work.put(letter)
    outcomes: list[Outcome] = []

    def phone() -> None:
        device = GeventPhone(port)
        try:
            while not work.empty():
                letter = work.get_nowait()
                device.forget()
                outcomes.append(vote(device, letter))
        finally:
            device.close()

    finish([gevent.spawn(phone) for _ in range(clients)])
    return outcomes


def run_floor(port: int, clients: int, ballots: int, requests_per_ballot: int) -> list[Outcome]:
    """`ballots` sequences of `requests_per_ballot` GET / over `clients` phones."""
    left = [ballots]
    outcomes: list[Outcome] = []

    def phone() -> None:
        device = GeventPhone(port)
        try:
            while left[0] > 0:
                left[0] -= 1
                outcome = Outcome(len(outcomes), time.perf_counter())
                for _ in range(requests_per_ballot):
                    start = time.perf_counter()
                    try:
                        reply = device.send("GET", "/", None, {})
                    except Broken as error:
                        outcome.error = str(error)
                        break
                    outcome.steps.append(("page", time.perf_counter() - start))
                    if reply.status != 200:
                        outcome.error = f"page: {reply.status}"
                        break
                outcome.ended = time.perf_counter()
                outcomes.append(outcome)
        finally:
            device.close()

    finish([gevent.spawn(phone) for _ in range(clients)])
    return outcomes


def finish(phones: list[gevent.Greenlet]) -> None:
    done = gevent.joinall(phones, timeout=RUN_TIMEOUT_S, raise_error=True)
    if len(done) != len(phones):
        raise SystemExit(f"the phones did not finish within {RUN_TIMEOUT_S} s")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    job: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text())
    port, clients = int(job["port"]), int(job["clients"])
    if job["mode"] == "ballots":

        def run(part: str) -> list[Outcome]:
            return run_ballots(port, clients, [Letter(**letter) for letter in job[part]])
    else:

        def run(part: str) -> list[Outcome]:
            return run_floor(port, clients, int(job[part]), int(job["requests_per_ballot"]))

    warm = run("warmup")
    print("warm", flush=True)
    sys.stdin.readline()
    before = cpu_seconds()
    timed = run("timed")
    result = {
        "cpu_seconds": cpu_seconds() - before,
        "warmup": [asdict(outcome) for outcome in warm],
        "timed": [asdict(outcome) for outcome in timed],
    }
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
