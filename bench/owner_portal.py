"""Benchmark of owners on their own phones (issue 20, "Figures"): 2,000 owners sign in by SMS and open "my community",
32 at a time, through gunicorn and PostgreSQL; the same harness then drives the do-nothing app of bench/http_floor.py.

Run: `.venv/bin/python bench/owner_portal.py` (from the project root; PostgreSQL and Redis as in CI). Figures go into
docs/performance.md.

The community is built as the product builds it, with a fixed seed: a roll from app.demo.roll_generator
(buildings=12, floors=18, entrances=2, rooms_per_floor=5: 2,160 flats and the generator's shops and parking spaces,
each owner with a mobile number), published for objections today, an owners' committee of seven in office, and ten
published items of its public record (Shaoxing Art 23). gunicorn serves the app as bench/cast.py does (production
mode, `--workers 2`, sync, behind a pretend TLS proxy), with an SMS plug-in (bench/sms_kept.py) that keeps each
message in the outbox table under the per-number limit, so that a client reads its code from the database. Each
client has an address of its own (X-Forwarded-For, one trusted proxy), as phones have.

Each owner, on a new phone (no cookie):
  1. GET  /owner/sign-in                 the number form
  2. POST /owner/sign-in                 → 302 (a code sent: a row, an audit event)
  3. GET  /owner/sign-in/code            the code form
  4. POST /owner/sign-in/code            → 302 (the session opened: a row, an audit event, its cookie)
  5. GET  /owner                         → 302 to the only community
  6. GET  /owner/communities/<id>        "my community": units, stage, notices, body, meetings, record, objections
  (between 2 and 4 the client reads the code from the outbox, untimed).
Measured over the timed owners (the first 2 of each client warm the workers up): owners and requests per second,
p50/p99 of a request, of "my community" alone and of the whole sequence; gunicorn's workers' CPU per request, beside
the do-nothing app's on the same harness, same clients, in the same run (bench/http_floor.py's app, 8 requests a
sequence). Afterwards: exactly one live session per timed owner.

Options: `--owners` (2000), `--clients` (32), `--workers` (2).
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import queue
import re
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from cast import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    RUN_TIMEOUT_S,
    HttpPhone,
    Reply,
    cpu_seconds,
    fresh_schema,
    median,
    ms,
    percentile,
    process_tree,
    start_gunicorn,
)

SEED = 2026
SIZES = {"buildings": 12, "floors": 18, "entrances": 2, "rooms_per_floor": 5}
OWNERS = 2000
CLIENTS = 32
WORKERS = 2
WARMUP_PER_CLIENT = 2
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
SMS_PLUGIN = "bench.sms_kept:KeptSms"
FLOOR_SEQUENCE = 8
STEPS = ("sign-in form", "send code", "code form", "sign in", "my communities", "my community")


@dataclass(frozen=True)
class Owner:
    number: int
    phone: str


@dataclass
class Outcome:
    owner: Owner
    started: float = 0.0
    ended: float = 0.0
    steps: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None


def make_community() -> tuple[int, list[Owner]]:
    """The community, its published roll, its committee and its public record; the owners with a phone."""
    from app.communities import services as communities
    from app.demo.roll_generator import generate_demo_roll
    from app.extensions import db
    from app.governance import transparency
    from app.governance.body_models import BodyMember, GoverningBody
    from app.roll import services as roll_services
    from app.roll.services import today
    from app.roll.versions import create_version

    units = generate_demo_roll(SEED, **SIZES)
    township = communities.create_township("基准街道", "330681901")
    community = communities.create_community(township, "基准小区", "基准路1号", "基准置业", 10**9)
    version = create_version(community, units, "基准测试", None, "import")
    roll_services.publish_version(version, today(), None)
    body = GoverningBody(
        community_id=community.id,
        kind="committee",
        formed_on=today() - timedelta(days=400),
        seats=7,
        term_years=5,
        term_ends_on=today() + timedelta(days=1400),
        members=[
            BodyMember(name=f"委员{rank}", seat="member", rank=rank, joined_on=today() - timedelta(days=400))
            for rank in range(1, 8)
        ],
    )
    db.session.add(body)
    community.governance = "committee"
    for number in range(10):
        item = transparency.record(
            community, "decision", f"业主委员会决定第{number + 1}号", "决定内容……" * 20, today(), None, None
        )
        transparency.publish(item, today(), None)
    db.session.commit()
    phones: dict[str, None] = {}
    for unit in units:
        for owner in unit.owners:
            if owner.phone:
                phones.setdefault(owner.phone, None)
    return community.id, [Owner(i, phone) for i, phone in enumerate(phones)]


def read_code(engine: sa.Engine, phone: str) -> str:
    """The code of the newest message to ``phone`` in the outbox (by its keyed hash, as the platform finds it)."""
    from app.voting.models import SmsMessage

    with engine.connect() as connection:
        body = connection.execute(
            sa.select(SmsMessage.body)
            .where(SmsMessage.phone_lookup == PHONE_KEYS[phone])
            .order_by(SmsMessage.id.desc())
            .limit(1)
        ).scalar_one()
    found = CODE.search(body)
    if found is None:
        raise RuntimeError("no code in the message")
    return found.group(0)


PHONE_KEYS: dict[str, str] = {}


def sign_in_and_look(port: int, engine: sa.Engine, owner: Owner) -> Outcome:
    """The six requests of one owner on a new phone, each timed."""
    phone = HttpPhone(port)
    address = {"X-Forwarded-For": f"10.{owner.number // 65536 % 256}.{owner.number // 256 % 256}.{owner.number % 256}"}
    outcome = Outcome(owner, time.perf_counter())

    def step(name: str, method: str, path: str, form: list[tuple[str, str]] | None = None, **extra: str) -> Reply:
        started = time.perf_counter()
        reply = phone.send(method, path, form, {**address, **extra})
        outcome.steps.append((name, time.perf_counter() - started))
        if reply.status >= 400:
            raise RuntimeError(f"{name}: {reply.status}")
        return reply

    try:
        form = step("sign-in form", "GET", "/owner/sign-in")
        csrf = CSRF_FIELD.search(form.text)
        sent = step(
            "send code",
            "POST",
            "/owner/sign-in",
            [("csrf_token", csrf.group(1) if csrf else ""), ("phone", owner.phone)],
            Referer="/owner/sign-in",
        )
        if sent.status != 302:
            raise RuntimeError(f"send code: {sent.status}")
        code_form = step("code form", "GET", "/owner/sign-in/code")
        csrf = CSRF_FIELD.search(code_form.text)
        code = read_code(engine, owner.phone)
        signed = step(
            "sign in",
            "POST",
            "/owner/sign-in/code",
            [("csrf_token", csrf.group(1) if csrf else ""), ("code", code)],
            Referer="/owner/sign-in/code",
        )
        if signed.status != 302 or "gongjue_owner" not in phone.cookies:
            raise RuntimeError(f"sign in: {signed.status}")
        home = step("my communities", "GET", "/owner")
        page = step("my community", "GET", urlsplit(home.location).path)
        if "data-my-unit" not in page.text:
            raise RuntimeError("my community: no unit shown")
    except Exception as error:
        outcome.error = str(error)
    outcome.ended = time.perf_counter()
    return outcome


def run_clients(port: int, engine: sa.Engine, owners: list[Owner], clients: int) -> list[Outcome]:
    work: queue.Queue[Owner] = queue.Queue()
    for owner in owners:
        work.put(owner)
    results: list[Outcome] = []
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                owner = work.get_nowait()
            except queue.Empty:
                return
            outcome = sign_in_and_look(port, engine, owner)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return results


def floor(clients: int, sequences: int, workers: int) -> tuple[float, float, float]:
    """The do-nothing app on the same harness: requests per second, p99 of a request (ms), workers' CPU per
    request (ms)."""
    import http_floor

    with tempfile.TemporaryDirectory() as folder:
        popen, port = http_floor.start(workers, Path(folder))
        try:
            http_floor.run(port, clients, clients * 2)
            pids = process_tree(popen.pid)[1:]
            before = cpu_seconds(pids)
            wall, durations = http_floor.run(port, clients, sequences)
            cpu = cpu_seconds(pids) - before
        finally:
            popen.terminate()
            popen.wait(timeout=10)
    requests_made = sequences * FLOOR_SEQUENCE
    per_request = [d / FLOOR_SEQUENCE for d in durations]
    return requests_made / wall, percentile(per_request, 99) * 1000, cpu / requests_made * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--owners", type=int, default=OWNERS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.privacy import phone_lookup

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
            }
        )
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with app.app_context():
                upgrade()
                started = time.perf_counter()
                community_id, owners = make_community()
                setup = time.perf_counter() - started
                PHONE_KEYS.update({o.phone: phone_lookup(o.phone) for o in owners})
                db.session.remove()
            warmup = owners[: WARMUP_PER_CLIENT * args.clients]
            timed = owners[len(warmup) : len(warmup) + args.owners]
            server = start_gunicorn(
                url, args.redis_url, secret_key, data_key, Path(folder), args.workers, sms_backend=SMS_PLUGIN
            )
            try:
                run_clients(server.port, engine, warmup, args.clients)
                workers = process_tree(server.popen.pid)[1:]
                cpu_before, wall_before = cpu_seconds(workers), time.perf_counter()
                measured = run_clients(server.port, engine, timed, args.clients)
                wall, cpu = time.perf_counter() - wall_before, cpu_seconds(workers) - cpu_before
            finally:
                server.stop()
            with app.app_context():
                from app.owners.models import OwnerSession

                sessions = db.session.scalar(sa.select(sa.func.count(OwnerSession.id)))
                db.session.remove()
        finally:
            engine.dispose()
            with app.app_context():
                db.engine.dispose()
    floor_rate, floor_p99, floor_cpu = floor(args.clients, args.owners, args.workers)
    report(
        args, community_id, len(owners), setup, measured, wall, cpu, sessions or 0, (floor_rate, floor_p99, floor_cpu)
    )


def report(
    args: argparse.Namespace,
    community_id: int,
    owners: int,
    setup: float,
    measured: list[Outcome],
    wall: float,
    cpu: float,
    sessions: int,
    floor_figures: tuple[float, float, float],
) -> None:
    done = [o for o in measured if o.error is None]
    failed = [o for o in measured if o.error is not None]
    requests_made = sum(len(o.steps) for o in measured)
    every = [seconds for o in done for _, seconds in o.steps]
    page = [seconds for o in done for name, seconds in o.steps if name == "my community"]
    whole = [o.ended - o.started for o in done]
    floor_rate, floor_p99, floor_cpu = floor_figures
    per_request = cpu / max(requests_made, 1) * 1000
    print(
        f"Owners on their phones: {len(measured)} timed of {owners} with a phone, {args.clients} phones at a time, "
        f"{args.workers} workers (setup {setup:.1f} s)"
    )
    rows = [
        ("owners signed in and shown their community per second", f"{len(done) / wall:.1f}"),
        ("requests per second", f"{requests_made / wall:.1f}"),
        ("p50 / p99 of a request", f"{ms(median(every))} / {ms(percentile(every, 99))}"),
        ("p50 / p99 of 'my community'", f"{ms(median(page))} / {ms(percentile(page, 99))}"),
        ("p50 / p99 of the whole sequence (6 requests)", f"{ms(median(whole))} / {ms(percentile(whole, 99))}"),
        ("workers' CPU per request", f"{per_request:.1f} ms"),
    ]
    for label, value in rows:
        print(f"  {label:<56} {value}")
    for name in STEPS:
        times = [seconds for o in done for step, seconds in o.steps if step == name]
        if times:
            print(f"    {name:<16} p50 {ms(median(times)):>8}   p99 {ms(percentile(times, 99)):>8}")
    print("Floor (bench/http_floor.py's do-nothing app, same harness, same run):")
    print(f"  requests per second {floor_rate:.1f}, p99 of a request {floor_p99:.0f} ms")
    print(f"  workers' CPU per request {floor_cpu:.2f} ms; owners' pages / floor: {per_request / floor_cpu:.1f}x")
    signed_in = len(done) + WARMUP_PER_CLIENT * args.clients
    print(f"Check: {len(failed)} failed sequences; {sessions} sessions stored for {signed_in} owners signed in")
    for outcome in failed[:5]:
        print(f"  owner {outcome.owner.number}: {outcome.error}")
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    if failed or sessions < len(done):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
