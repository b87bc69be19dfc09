"""Benchmark of casting ballots on the phone: 32 owners at a time vote through gunicorn's HTTP endpoints.

Run: `.venv/bin/python bench/cast.py` (from the project root; PostgreSQL and Redis as in CI). Figures go into
docs/performance.md. The benchmark creates a schema of its own in `--database-url` (default the CI database,
postgresql://postgres@127.0.0.1:5432/test) and drops it at the end.

The meeting is built like the product builds it, with a fixed seed: a roll from app.demo.roll_generator
.generate_demo_roll(buildings=14, floors=18, entrances=2, rooms_per_floor=6) (3,024 flats and the generator's shops
and parking spaces), published, and an open meeting of three matters (rules, covenant, and the committee election of
7 among 9 candidates) whose second factor is the ID number's last six characters; `meetings.open_voting` freezes the
roll and fixes the voters. Every voter with an owner (the developer aside) gets a credential from `credentials.issue`;
the tokens stay in this process's memory, and each voter's ID tail is found from the roll by its keyed look-up hash.

gunicorn then serves the app in production mode (GONGJUE_ENV=production, `--workers 2`, sync workers as in
docs/deploy.md, the access log of gunicorn.conf.py written to a file) on a free loopback port, behind a pretend TLS
proxy (X-Forwarded-Proto: https, GONGJUE_TRUSTED_PROXIES=1; the Secure session cookie carried by hand). Readiness is
/healthz answering, polled with a deadline. bench/load.py drives 32 phones (gevent, one connection each) that take
voters from one queue until it is empty, one voter per ballot, each doing what a new phone does: the sequence of
bench/ballot_sequence.py (the link, the second factor, the review, the cast, the receipt, and the stylesheet once).
The meeting has a contact phone, as one made from the preparatory group's plan has.

The choices are drawn per voter with a fixed seed (motions mostly "for", some against, abstain or blank; 0–7
candidates). The first 2 ballots of each client warm the workers up and are not timed. Measured:
- ballots per second over the timed ballots (first start to last end); p50 and p99 of the whole sequence, of the cast
  alone, and of every step;
- during the timed run: the CPU seconds of this process (the clients), of gunicorn's workers and of their PostgreSQL
  backends; the workers' time on a CPU, runnable but waiting for one, and blocked (/proc/<pid>/schedstat); what their
  database connections were doing (pg_stat_activity sampled every 20 ms);
- before gunicorn starts, 20 voters' sequences through the Flask test client in this process, one at a time: each
  step's SQL statements and time without HTTP, and how long each transaction holds the audit chain's advisory lock
  (app.audit.services: a community's audited writes queue for it; communities never wait for each other).
Afterwards the Ballot rows are counted: exactly one per voter who got a receipt, with the choices sent and the receipt
code shown; none for the others; no link's query string in the access log.

Options: `--clients` (32), `--workers` (2), `--voters N` (time only N ballots, for a quick look), `--redis-url`.

Targets: worker CPU per ballot at most 3× the floor's (issue 21); at least 300 ballots per second with p99 under
250 ms (issue 6, a deployment's figure).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import re
import resource
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from http_floor import FloorFigures

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from ballot_sequence import (  # noqa: E402
    STEPS,
    Form,
    Letter,
    Outcome,
    Reply,
    vote,
)

SEED = 2026
SIZES = {"buildings": 14, "floors": 18, "entrances": 2, "rooms_per_floor": 6}
CLIENTS = 32
WORKERS = 2
WARMUP_PER_CLIENT = 2
EXPLAIN_VOTERS = 20
SEATS = 7
CANDIDATES = 9
TARGET_RATE = 300.0
TARGET_P99_MS = 250.0
TARGET_FLOOR_RATIO = 3.0  # issue 21: worker CPU per ballot at most 3× the do-nothing app's on the same harness
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"  # production needs one; nothing on the voter's path writes to it
APPLICATION_NAME = "gongjue_bench_cast"  # names gunicorn's connections in pg_stat_activity

REQUEST_TIMEOUT_S = 30  # one HTTP request
READY_TIMEOUT_S = 30  # gunicorn answering /healthz
RUN_TIMEOUT_S = 900  # every client thread finished
STOP_TIMEOUT_S = 10  # gunicorn after SIGTERM
SAMPLE_EVERY_S = 0.02


# --- the machine, the database, the processes ------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def psycopg_url(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://") if url.startswith("postgresql://") else url


def with_option(url: str, name: str, value: str) -> str:
    return url + ("&" if "?" in url else "?") + f"{name}={quote(value)}"


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new schema of the PostgreSQL database `url`, as a URL whose search_path is that schema; dropped afterwards."""
    if not url.startswith(("postgresql://", "postgresql+psycopg://")):
        raise SystemExit("the benchmark runs on PostgreSQL: --database-url postgresql://…")
    url = psycopg_url(url)
    schema = f"bench_cast_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_option(url, "options", f"-csearch_path={schema}")
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the fields after "(comm)", from field 3 (state) on


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes (their exited children not included)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def scheduled_seconds(pids: list[int]) -> tuple[float, float]:
    """Seconds on a CPU and seconds runnable but waiting for one (/proc/<pid>/schedstat), summed over the processes."""
    running = waiting = 0
    for pid in pids:
        with suppress(OSError):
            on_cpu, queued, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
            running, waiting = running + int(on_cpu), waiting + int(queued)
    return running / 1e9, waiting / 1e9


def process_tree(root: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == root:
                pids.append(int(entry.name))
    return pids


def backend_pids(url: str) -> list[int]:
    """The PostgreSQL server processes of gunicorn's connections (named by their application_name)."""
    engine = sa.create_engine(psycopg_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
            return [int(pid) for pid in connection.scalars(query, {"name": APPLICATION_NAME})]
    finally:
        engine.dispose()


def no_control_socket() -> list[str]:
    """gunicorn 27 opens a control socket in ~/.gunicorn by default, shared by every gunicorn of the user."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


@dataclass
class Gunicorn:
    popen: subprocess.Popen[bytes]
    port: int
    log: Path
    access_log: Path

    def stop(self) -> None:
        """SIGTERM (gunicorn finishes its requests), then SIGKILL to the process group after STOP_TIMEOUT_S."""
        if self.popen.poll() is None:
            self.popen.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT_S)
        if self.popen.poll() is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=STOP_TIMEOUT_S)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def start_gunicorn(
    database_url: str,
    redis_url: str,
    secret_key: str,
    data_key: str,
    folder: Path,
    workers: int,
    sms_backend: str = "none",
) -> Gunicorn:
    """gunicorn in production mode on a free loopback port, ready: /healthz answered within READY_TIMEOUT_S.
    ``sms_backend``: none (no text message on the voter's path), or a plug-in (bench/owner_portal.py's)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GONGJUE_", "CELERY_"))}
    env.update(
        GONGJUE_ENV="production",
        GONGJUE_SECRET_KEY=secret_key,
        GONGJUE_DATA_KEY=data_key,
        GONGJUE_DATABASE_URL=with_option(database_url, "application_name", APPLICATION_NAME),
        GONGJUE_REDIS_URL=redis_url,
        GONGJUE_SMS_BACKEND=sms_backend,
        GONGJUE_TRUSTED_PROXIES="1",
        GONGJUE_INSTANCE_PATH=str(folder / "instance"),
        GONGJUE_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    port = free_port()
    log, access_log = folder / "gunicorn.log", folder / "access.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                f"--access-logfile={access_log}",
                "--graceful-timeout=5",
                *no_control_socket(),
                "wsgi:app",
            ],
            cwd=ROOT,  # gunicorn.conf.py: the access log format without query strings
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(popen, port, log, access_log)
    probe = requests.Session()
    probe.trust_env = False  # never through a proxy from the environment
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if popen.poll() is not None:
            raise SystemExit(f"gunicorn exited with {popen.returncode}:\n{server.tail()}")
        with suppress(requests.RequestException):
            if probe.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        if time.monotonic() > deadline:
            server.stop()
            raise SystemExit(f"gunicorn did not answer /healthz within {READY_TIMEOUT_S} s:\n{server.tail()}")
        time.sleep(0.05)  # between polls; the answer, not the pause, decides readiness


# --- the meeting -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    meeting_id: int
    letters: list[Letter]
    units: int
    voters: int


def choices_for(voter_id: int, motions: list[int], election: int, candidates: list[int]) -> Letter:
    rng = random.Random(SEED * 1_000_003 + voter_id)
    form: list[tuple[str, str]] = []
    expected: dict[str, Any] = {}
    for matter in motions:
        answer = rng.choice(["yes", "yes", "yes", "yes", "no", "abstain", None])
        expected[str(matter)] = answer
        if answer is not None:
            form.append((f"m{matter}", answer))
    picked = rng.sample(candidates, rng.randint(0, SEATS))
    expected[str(election)] = sorted(picked)
    form += [(f"m{election}", str(c)) for c in picked]
    return Letter(voter_id, "", "", form, expected)


def make_meeting() -> Plan:
    """The community, its published roll, the open meeting, and a credential for every voter with an owner."""
    from app.communities import services as communities
    from app.db_types import utcnow
    from app.demo.roll_generator import generate_demo_roll
    from app.extensions import db
    from app.preparation.models import Candidate
    from app.privacy import lookup_hash
    from app.roll import services as roll_services
    from app.roll.services import today
    from app.roll.versions import create_version
    from app.voting import announcement, credentials, meetings
    from app.voting.models import Matter, Meeting, MeetingVoter

    units = generate_demo_roll(SEED, **SIZES)
    owners = [owner for unit in units for owner in unit.owners]
    township = communities.create_township("基准街道", "330681901")
    community = communities.create_community(township, "基准小区", "基准路1号", "基准置业", 10**9)
    version = create_version(community, units, "基准测试", None, "import")
    roll_services.publish_version(version, today() - timedelta(days=30), None)
    now = utcnow()
    meeting = Meeting(
        community_id=community.id,
        title="基准小区首次业主大会会议",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        channels="phone,paper",
        second_factor="id_last6",
        contact_phone="0575-87001234",  # whom owners call, printed on the letters and every ballot page
        settings={"count_parking": True, "blank_and_invalid_take_part": True},
        matters=[
            Matter(position=1, kind="motion", category=1, title="表决通过《业主大会议事规则》", text="第一条……"),
            Matter(position=2, kind="motion", category=2, title="表决通过《管理规约》", text="第一条……"),
            Matter(
                position=3,
                kind="election",
                category=3,
                title="选举第一届业主委员会委员、候补委员",
                seats=SEATS,
                max_alternates=2,
            ),
        ],
    )
    db.session.add(meeting)
    db.session.flush()
    accepted = [  # nominated, vetted and approved (the pipeline is app/preparation's; tests/preparation covers it)
        Candidate(
            meeting_id=meeting.id,
            owner_lookup=lookup_hash(owner.id_number),
            name=owner.name,
            unit_labels=f"{i}幢",
            route="self",
            nominated_on=today(),
            statement="愿意为业主服务。",
            status="accepted",
            declaration_made=True,
            property_company_tie=False,
        )
        for i, owner in enumerate(owners[:CANDIDATES], start=1)
    ]
    db.session.add_all(accepted)
    db.session.flush()
    meeting.matters[2].candidates = meetings.ballot_candidates(accepted)
    db.session.flush()
    announced = today() - timedelta(days=30)  # the 15 days and the announcement's notice have run (Shaoxing Art 13)
    announcement.announce(meeting, announced, None, recorded_on=announced)
    meetings.open_voting(meeting, today(), None)
    motions = [m.id for m in meeting.matters if m.kind == "motion"]
    election = next(m for m in meeting.matters if m.kind == "election")
    candidate_ids = [c.id for c in election.candidates]
    tails = {lookup_hash("tail:" + credentials.id_tail(o.id_number)): credentials.id_tail(o.id_number) for o in owners}
    voters = db.session.scalars(select_voters(MeetingVoter, meeting.id)).all()
    letters = []
    for voter in voters:
        if voter.is_developer or voter.id_tail_lookup is None:
            continue
        issued = credentials.issue(voter, None)
        drawn = choices_for(voter.id, motions, election.id, candidate_ids)
        letters.append(Letter(voter.id, issued.token, tails[voter.id_tail_lookup], drawn.form, drawn.expected))
    db.session.commit()
    return Plan(meeting.id, letters, len(units), len(voters))


def select_voters(model: Any, meeting_id: int) -> Any:
    return sa.select(model).where(model.meeting_id == meeting_id).order_by(model.id)


# --- one voter's sequence --------------------------------------------------------------------------------------------


class HttpPhone:
    """One phone over HTTP, as if through nginx with TLS: X-Forwarded-Proto: https, the Referer that Flask-WTF checks
    on HTTPS posts, and the Secure session cookie kept by hand (no cookie jar returns it to an http:// URL)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = requests.Session()
        self.http.trust_env = False
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: Form | None, headers: dict[str, str]) -> Reply:
        sent = {"X-Forwarded-Proto": "https", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if "Referer" in sent:
            sent["Referer"] = f"https://127.0.0.1:{self.port}{sent['Referer']}"
        response = self.http.request(
            method,
            f"http://127.0.0.1:{self.port}{path}",
            data=form,
            headers=sent,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_S,
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, value = header.split(";", 1)[0].strip().partition("=")
            if re.search(r";\s*max-age=0\b", header, re.IGNORECASE):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.http.cookies.clear()
        return Reply(
            response.status_code,
            response.headers.get("Location", ""),
            response.text,
            response.headers.get("ETag", ""),
            response.headers.get("Cache-Control", ""),
        )

    def forget(self) -> None:
        """A new phone for the next voter: no session cookie."""
        self.cookies.clear()


class TestClientPhone:
    """The same sequence through the Flask test client in this process (no HTTP), for the per-step statement counts."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def send(self, method: str, path: str, form: Form | None, headers: dict[str, str]) -> Reply:
        from werkzeug.datastructures import MultiDict

        data = MultiDict(form) if form is not None else None
        response = self.client.open(path, method=method, data=data, headers=headers)
        return Reply(
            response.status_code,
            response.headers.get("Location", ""),
            response.get_data(as_text=True),
            response.headers.get("ETag", ""),
            response.headers.get("Cache-Control", ""),
        )


def run_load(job: dict[str, Any], folder: Path, on_warm: Callable[[], None]) -> dict[str, Any]:
    """bench/load.py on ``job``: its warm-up, then ``on_warm()`` (the server's counters are read while the phones
    wait), then the timed part; its result (the outcomes and its own CPU seconds). Every wait is bounded."""
    job_file, result_file = folder / "load-job.json", folder / "load-result.json"
    job_file.write_text(json.dumps(job))
    popen = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "load.py"), str(job_file), str(result_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if popen.stdin is None or popen.stdout is None:  # pipes asked for above; for the type checker
        raise SystemExit("the load generator has no pipes")
    try:
        ready, _, _ = select.select([popen.stdout], [], [], RUN_TIMEOUT_S)
        if not ready or popen.stdout.readline().strip() != "warm":
            raise SystemExit(f"the load generator did not finish its warm-up within {RUN_TIMEOUT_S} s")
        on_warm()
        popen.stdin.write("go\n")
        popen.stdin.flush()
        popen.wait(timeout=RUN_TIMEOUT_S)
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait(timeout=STOP_TIMEOUT_S)
    if popen.returncode != 0:
        raise SystemExit(f"the load generator exited with {popen.returncode}")
    return json.loads(result_file.read_text())


def outcomes_of(result: dict[str, Any], part: str) -> list[Outcome]:
    return [Outcome(**{**row, "steps": [tuple(step) for step in row["steps"]]}) for row in result[part]]


@dataclass(frozen=True)
class Usage:
    """Counters of the machine's work: this process's CPU, gunicorn's workers' CPU and scheduling, PostgreSQL's CPU."""

    wall: float
    client_cpu: float
    worker_cpu: float
    worker_running: float
    worker_queued: float
    database_cpu: float

    @classmethod
    def now(cls, workers: list[int], database: list[int]) -> Usage:
        running, queued = scheduled_seconds(workers)
        return cls(
            time.perf_counter(),
            time.process_time(),
            cpu_seconds(workers),
            running,
            queued,
            cpu_seconds(database),
        )

    def minus(self, before: Usage) -> Usage:
        return Usage(
            *(getattr(self, name) - getattr(before, name) for name in self.__dataclass_fields__)  # type: ignore[arg-type]
        )


# --- what the database connections do --------------------------------------------------------------------------------


class ActivitySampler:
    """Samples pg_stat_activity for gunicorn's connections every SAMPLE_EVERY_S: running a statement, waiting for a
    lock (which), idle inside a transaction (Python working between statements), or idle."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(psycopg_url(url), poolclass=sa.pool.NullPool)
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-activity", daemon=True)

    def _run(self) -> None:
        query = sa.text(
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE application_name = :name"
        )
        with self.engine.connect() as connection:
            while not self._stop.is_set():
                for state, wait_type, wait_event in connection.execute(query, {"name": APPLICATION_NAME}):
                    if state == "active" and wait_type == "Lock":
                        self.counts[f"waiting for a lock ({wait_event})"] += 1
                    elif state == "active" and wait_type in ("Client", "IO", "IPC", "LWLock"):
                        self.counts[f"active, waiting on {wait_type}:{wait_event}"] += 1
                    elif state == "active":
                        self.counts["running a statement"] += 1
                    else:
                        self.counts[str(state)] += 1
                connection.rollback()
                self.samples += 1
                self._stop.wait(SAMPLE_EVERY_S)

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.engine.dispose()


# --- the in-process look at one request at a time --------------------------------------------------------------------


@dataclass
class Explained:
    """What one ballot costs inside the app, one voter at a time: each step's SQL statements and milliseconds
    (medians), and how long each transaction held the audit chain's lock (from pg_advisory_xact_lock to its commit)."""

    steps: dict[str, tuple[float, float]]
    lock_holds_ms: list[float]
    outcomes: list[Outcome]


def explain(app: Any, letters: list[Letter]) -> Explained:
    """The voters' sequences through the Flask test client in this process, counted and timed (see Explained)."""
    from sqlalchemy.orm import Session

    from app.audit import services as audit_services
    from app.extensions import db

    statements = before = 0
    counted: dict[str, list[int]] = defaultdict(list)
    timed: dict[str, list[float]] = defaultdict(list)
    holds: list[float] = []
    locked_at: float | None = None
    outcomes = []

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    def on_step(name: str) -> None:
        nonlocal before
        counted[name].append(statements - before)
        before = statements

    lock_chain = audit_services._lock_chain

    def timed_lock(chain: int) -> None:
        nonlocal locked_at
        lock_chain(chain)
        locked_at = locked_at or time.perf_counter()

    def released(*_: Any) -> None:
        nonlocal locked_at
        if locked_at is not None:
            holds.append((time.perf_counter() - locked_at) * 1000)
            locked_at = None

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    sa.event.listen(Session, "after_commit", released)
    sa.event.listen(Session, "after_rollback", released)
    audit_services._lock_chain = timed_lock  # type: ignore[assignment]
    try:
        for letter in letters:
            statements = before = 0
            outcome = vote(TestClientPhone(app), letter, on_step)
            if outcome.error:
                raise SystemExit(f"in-process ballot of voter {letter.voter_id} failed: {outcome.error}")
            for name, seconds in outcome.steps:
                timed[name].append(seconds * 1000)
            outcomes.append(outcome)
    finally:
        audit_services._lock_chain = lock_chain  # type: ignore[assignment]
        sa.event.remove(Session, "after_rollback", released)
        sa.event.remove(Session, "after_commit", released)
        sa.event.remove(engine, "before_cursor_execute", count)
    steps = {name: (median(counted[name]), median(timed[name])) for name in STEPS if timed[name]}
    return Explained(steps, holds, outcomes)


# --- figures ---------------------------------------------------------------------------------------------------------


def median(values: list[float] | list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def check_ballots(plan: Plan, outcomes: list[Outcome], access_log: Path) -> list[str]:
    """Problems found in the database and the access log (empty: every ballot is there exactly once, as sent)."""
    from app.extensions import db
    from app.voting.models import Ballot

    problems = []
    letters = {letter.voter_id: letter for letter in plan.letters}
    stored: dict[int, list[Ballot]] = defaultdict(list)
    for ballot in db.session.scalars(sa.select(Ballot).where(Ballot.meeting_id == plan.meeting_id)):
        stored[ballot.meeting_voter_id].append(ballot)
    for outcome in outcomes:
        ballots = stored.pop(outcome.voter_id, [])
        if outcome.error is None:
            if len(ballots) != 1:
                problems.append(f"voter {outcome.voter_id} got a receipt but has {len(ballots)} ballots")
            elif ballots[0].choices != letters[outcome.voter_id].expected:
                problems.append(f"voter {outcome.voter_id}: stored {ballots[0].choices}")
            elif ballots[0].receipt_code != outcome.receipt_code:
                problems.append(f"voter {outcome.voter_id}: receipt {outcome.receipt_code} shown, stored another")
        elif ballots:
            problems.append(f"voter {outcome.voter_id} failed ({outcome.error}) but has {len(ballots)} ballots")
    for voter_id, ballots in stored.items():
        problems.append(f"voter {voter_id} never voted here but has {len(ballots)} ballots")
    log = access_log.read_text(errors="replace") if access_log.exists() else ""
    if "?t=" in log:
        problems.append("the access log holds a link's query string")
    sample = [letter.token for letter in plan.letters[:: max(1, len(plan.letters) // 50)]]
    if any(token in log for token in sample):
        problems.append("a token is in the access log")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL (a schema of its own)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis for production's rate-limit storage")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="concurrent phones")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn's sync workers")
    parser.add_argument("--voters", type=int, help="time only this many ballots (default: every voter left)")
    parser.add_argument("--no-floor", action="store_true", help="skip the do-nothing app's run on the same harness")
    args = parser.parse_args()
    from flask_migrate import upgrade
    from http_floor import measure as measure_floor

    from app import create_app
    from app.extensions import db

    secret_key = secrets.token_urlsafe(48)
    data_key = base64.b64encode(secrets.token_bytes(32)).decode()
    with tempfile.TemporaryDirectory() as folder, fresh_schema(args.database_url) as url:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": secret_key,
                "DATA_KEY_B64": data_key,
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": folder,
                "SERVER_NAME": None,
                "ARGON2_PROFILE": "CHEAPEST",
            }
        )
        try:
            with app.app_context():
                upgrade()
                start = time.perf_counter()
                plan = make_meeting()
                setup_seconds = time.perf_counter() - start
                db.session.remove()
            explained = explain(app, plan.letters[:EXPLAIN_VOTERS])
            outcomes = list(explained.outcomes)
            rest = plan.letters[EXPLAIN_VOTERS:]
            warmup, timed = rest[: WARMUP_PER_CLIENT * args.clients], rest[WARMUP_PER_CLIENT * args.clients :]
            timed = timed[: args.voters] if args.voters else timed

            server = start_gunicorn(url, args.redis_url, secret_key, data_key, Path(folder), args.workers)
            counters: dict[str, Any] = {}

            def on_warm() -> None:
                counters["workers"] = process_tree(server.popen.pid)[1:]
                counters["database"] = backend_pids(args.database_url)
                counters["before"] = Usage.now(counters["workers"], counters["database"])
                counters["activity"] = ActivitySampler(args.database_url).__enter__()

            job = {
                "mode": "ballots",
                "port": server.port,
                "clients": args.clients,
                "warmup": [asdict(letter) for letter in warmup],
                "timed": [asdict(letter) for letter in timed],
            }
            try:
                result = run_load(job, Path(folder), on_warm)
                usage = Usage.now(counters["workers"], counters["database"]).minus(counters["before"])
                usage = replace(usage, client_cpu=result["cpu_seconds"])
            finally:
                if "activity" in counters:
                    counters["activity"].__exit__(None, None, None)
                server.stop()
            outcomes += outcomes_of(result, "warmup")
            measured = outcomes_of(result, "timed")
            activity = counters["activity"]
            with app.app_context():
                problems = check_ballots(plan, outcomes + measured, server.access_log)
                db.session.remove()
            access_lines = len(server.access_log.read_text(errors="replace").splitlines())
        finally:
            with app.app_context():
                db.engine.dispose()
        floor = None if args.no_floor else measure_floor(args.workers, args.clients, len(measured), Path(folder))

    report(args, plan, setup_seconds, explained, measured, usage, activity, problems, access_lines, floor)


def report(
    args: argparse.Namespace,
    plan: Plan,
    setup_seconds: float,
    explained: Explained,
    measured: list[Outcome],
    usage: Usage,
    activity: ActivitySampler,
    problems: list[str],
    access_lines: int,
    floor: FloorFigures | None,
) -> None:
    done = [o for o in measured if o.error is None]
    failed = [o for o in measured if o.error is not None]
    wall = max(o.ended for o in measured) - min(o.started for o in measured)
    rate = len(done) / wall
    sequence = [o.ended - o.started for o in done]
    times: dict[str, list[float]] = defaultdict(list)
    for outcome in done:
        for name, seconds in outcome.steps:
            times[name].append(seconds)
    final = times["cast"]

    print(
        f"Meeting: {plan.units:,} units, {plan.voters:,} voters, {len(plan.letters):,} letters (the developer aside); "
        f"3 matters; set up in {setup_seconds:.1f} s"
    )
    print(
        f"Load: gunicorn --workers {args.workers} (sync, production mode), {args.clients} phones (bench/load.py); "
        f"{EXPLAIN_VOTERS} ballots in-process first, then {WARMUP_PER_CLIENT * args.clients} to warm up, "
        f"then {len(measured):,} timed"
    )
    print(f"Timed: {len(done):,} ballots in {wall:.2f} s: {rate:.1f} ballots/s; {len(failed)} failed")
    for outcome in failed[:10]:
        print(f"  voter {outcome.voter_id}: {outcome.error}")
    if done:
        requests_per_ballot = len(done[0].steps)
        print(
            f"  whole sequence ({requests_per_ballot} requests): p50 {ms(percentile(sequence, 50))}, "
            f"p99 {ms(percentile(sequence, 99))}"
        )
        print(f"  final POST /v/cast alone:     p50 {ms(percentile(final, 50))}, p99 {ms(percentile(final, 99))}")
        print("  each request over HTTP under load | in-process, one at a time: SQL statements and time (medians)")
        for n, name in enumerate(name for name in STEPS if times[name]):
            label = f"{n + 1}. {name}" if name != "stylesheet" else f"   stylesheet ×{len(times[name]) // len(done)}"
            statements, alone = explained.steps.get(name, (0, 0.0))
            print(
                f"    {label:<17} p50 {ms(percentile(times[name], 50)):>7}, p99 {ms(percentile(times[name], 99)):>7}"
                f"   | {statements:>4.0f} statements, {alone:5.1f} ms"
            )
    per_ballot = 1000 / max(len(done), 1)
    print("CPU during the timed run (seconds, and per ballot)")
    for label, seconds in (
        ("phones (bench/load.py)", usage.client_cpu),
        ("gunicorn workers", usage.worker_cpu),
        ("PostgreSQL (their backends)", usage.database_cpu),
    ):
        print(f"  {label:<27} {seconds:6.1f} s   {seconds * per_ballot:5.1f} ms/ballot")
    print(f"  of {wall * (os.cpu_count() or 1):.1f} s available ({os.cpu_count()} cores × {wall:.1f} s)")
    worker_ms = usage.worker_cpu * per_ballot
    if floor is not None:
        print(
            f"The floor, same harness and workers, same run (bench/http_floor.py: {floor.ballots:,} ballots of "
            f"{floor.requests_per_ballot} requests to an app that does nothing): {floor.rate:.1f} ballots/s, "
            f"p50 {ms(floor.p50)}, p99 {ms(floor.p99)}; workers {floor.worker_ms:.1f} ms/ballot "
            f"({floor.worker_ms / floor.requests_per_ballot:.2f} ms/request), phones {floor.client_ms:.1f} ms/ballot"
        )
        ratio = worker_ms / floor.worker_ms
        verdict = "met" if ratio <= TARGET_FLOOR_RATIO else "NOT met"
        print(
            f"  worker CPU per ballot ÷ the floor's: {worker_ms:.1f} ÷ {floor.worker_ms:.1f} = {ratio:.1f} "
            f"(target ≤ {TARGET_FLOOR_RATIO:.0f}: {verdict})"
        )
    workers = args.workers
    blocked = usage.wall * workers - usage.worker_running - usage.worker_queued
    print(f"The {workers} gunicorn workers' time ({workers} × {usage.wall:.1f} s, /proc/<pid>/schedstat)")
    for label, seconds in (
        ("on a CPU", usage.worker_running),
        ("runnable, waiting for a CPU", usage.worker_queued),
        ("blocked (socket, database, idle)", blocked),
    ):
        print(f"  {label:<33} {seconds / (usage.wall * workers):6.1%}   {seconds * per_ballot:5.1f} ms/ballot")
    cores = os.cpu_count() or 1
    ceiling = cores / usage.worker_cpu * len(done) if usage.worker_cpu else 0.0
    print(f"  ceiling with the {cores} cores to the workers alone: {ceiling:.0f} ballots/s (cores ÷ CPU per ballot)")
    total = sum(activity.counts.values()) or 1
    print(f"gunicorn's database connections ({activity.samples} samples of pg_stat_activity)")
    for what, count in activity.counts.most_common():
        print(f"  {what:<44} {count / total:6.1%}")
    holds = explained.lock_holds_ms
    if holds:
        per_ballot_holds = len(holds) / len(explained.outcomes)
        hold = median(holds)
        print(
            f"Audit chain lock (in-process, one voter at a time): {per_ballot_holds:.0f} holds per ballot, "
            f"median {hold:.1f} ms, max {max(holds):.1f} ms from pg_advisory_xact_lock to the commit; the holds of "
            f"every worker queue behind each other, so the lock alone allows at most "
            f"{1000 / (hold * per_ballot_holds):.0f} ballots/s"
        )
    print(f"Access log: {access_lines:,} requests")
    print("Ballots in the database:", "one per voter with a receipt, as sent" if not problems else "PROBLEMS")
    for problem in problems[:20]:
        print(f"  {problem}")
    print("Machine")
    print(f"  {platform.platform()}; {cpu_model()}; {os.cpu_count()} cores")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  ru_maxrss of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work slows the figures)")
    if done:
        p99, p99_final = percentile(sequence, 99) * 1000, percentile(final, 99) * 1000
        verdict = "met" if rate >= TARGET_RATE and p99 < TARGET_P99_MS else "NOT met"
        print(
            f"Target: ≥ {TARGET_RATE:.0f} ballots/s with p99 < {TARGET_P99_MS:.0f} ms: {verdict} "
            f"({rate:.0f} ballots/s, p99 of the sequence {p99:.0f} ms, of the final POST {p99_final:.0f} ms)"
        )
    if problems or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
