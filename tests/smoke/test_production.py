"""Smoke test of a production deployment: the real commands, as docs/deploy.md tells an operator to run them.

`gongjue db upgrade` and `gongjue create-admin` build a fresh PostgreSQL schema; gunicorn (two workers), a
Celery worker and Celery beat then run as separate processes in production mode (GONGJUE_ENV=production),
sharing one Redis database for the broker, the results and the rate limits. The test talks to them only over
HTTP, through the database and through the broker:

* production refuses to start without its secret key;
* an administrator logs in through the form, over "HTTPS" as seen behind a TLS-terminating proxy
  (GONGJUE_TRUSTED_PROXIES=1 and X-Forwarded-Proto: https), and gets a Secure, HttpOnly, SameSite=Lax cookie;
* both web workers serve;
* POST /audit/verify sends a task that the worker runs, and beat schedules its own verification;
* the API reports the latest verification with a personal API token;
* the app's Referrer-Policy lets browsers send the Referer that Flask-WTF checks on HTTPS form posts.

Needs TEST_DATABASE_URL=postgresql://… and CELERY_BROKER_URL=redis://…; skipped otherwise. The run uses
its own Redis database on the broker's server (15, or 14 when the broker uses 15), flushed at the start and
at the end, and its own PostgreSQL schema, dropped at the end. The processes' logs are in the run's temporary
folder; their last lines are printed when a test fails.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from tests.databases import TEST_DATABASE_URL, fresh_database_url, sqlalchemy_url, uses_postgresql

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

ADMIN = "smokeadmin"
ADMIN_NAME = "冒烟测试管理员"
ADMIN_PASSWORD = "smoke test: correct horse battery staple"

COMMAND_TIMEOUT = 60  # seconds for one `gongjue` command
WEB_READY_TIMEOUT = 30
WORKER_READY_TIMEOUT = 60
TASK_TIMEOUT = 60
STOP_TIMEOUT = 10

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NEW_TOKEN = re.compile(r'<code class="secret" id="new-token">([^<]+)</code>')
ACCESS_LINE = re.compile(r"^smoke-access pid=<(\d+)> ", re.MULTILINE)

T = TypeVar("T")


def _skip_reason() -> str | None:
    if not uses_postgresql():
        return "the smoke test needs TEST_DATABASE_URL=postgresql://… (production runs on PostgreSQL)"
    if not BROKER_URL.startswith("redis://"):
        return "the smoke test needs CELERY_BROKER_URL=redis://… (production's broker is Redis)"
    return None


def smoke_redis_url(broker_url: str) -> str:
    """The broker's Redis server, on database 15 (14 if the broker itself uses 15): the run's own database."""
    parts = urlsplit(broker_url)
    broker_db = parts.path.strip("/") or "0"
    db = 14 if broker_db == "15" else 15
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def schema_of(database_url: str) -> str | None:
    """The schema named by `options=-csearch_path=<schema>` in a URL made by fresh_database_url()."""
    for option in parse_qs(urlsplit(database_url).query).get("options", []):
        match = re.search(r"-csearch_path=(\S+)", unquote(option))
        if match:
            return match.group(1)
    return None


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.25) -> T:
    """Call `probe` until it returns something other than None/False, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def production_environment(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    """The process environment of every production command: only the GONGJUE_* variables set here count.

    CELERY_* variables are left out too: Celery reads CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the
    environment before its configuration, so the test's own broker URL would take the processes off the run's
    Redis database.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GONGJUE_", "CELERY_"))}
    env.update(
        GONGJUE_ENV="production",
        GONGJUE_SECRET_KEY=secrets.token_urlsafe(48),
        GONGJUE_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        GONGJUE_DATABASE_URL=database_url,
        GONGJUE_REDIS_URL=redis_url,
        GONGJUE_SMS_BACKEND="none",  # no provider here: the audited no-SMS mode (app.config)
        GONGJUE_AUDIT_VERIFY_INTERVAL="2",
        GONGJUE_TRUSTED_PROXIES="1",
        GONGJUE_INSTANCE_PATH=str(instance),
        GONGJUE_LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


def gongjue(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a `gongjue` command; with `check`, a failure shows the command's output."""
    try:
        return subprocess.run(
            [str(BIN / "gongjue"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=check,
        )
    except subprocess.CalledProcessError as error:
        raise AssertionError(
            f"gongjue {args[0]} exited with {error.returncode}\n{error.stdout}\n{error.stderr}"
        ) from error


# --- HTTP, as a browser behind a TLS-terminating proxy --------------------------------------------


class _NoErrorProcessing(urllib.request.HTTPErrorProcessor):
    """Return every response as it is: no exception for 4xx/5xx, no redirect following."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


@dataclass
class Response:
    status: int
    headers: Any
    text: str

    @property
    def set_cookies(self) -> list[str]:
        return list(self.headers.get_all("Set-Cookie") or [])


@dataclass
class Browser:
    """Plain HTTP to gunicorn as if through nginx with TLS: each request says X-Forwarded-Proto: https.

    Cookies are kept by hand: the app marks them Secure (they would come back over HTTPS), and neither a
    browser nor http.cookiejar would return a Secure cookie to an http:// URL.
    """

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # ProxyHandler({}): never send 127.0.0.1 through an http_proxy from the environment
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoErrorProcessing)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        referer: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if referer is not None:
            all_headers["Referer"] = self.origin + referer
        all_headers.update(headers or {})
        data = urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers=all_headers
        )
        with self._opener.open(request, timeout=15) as raw:
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        for header in response.set_cookies:
            name, _, value = header.split(";", 1)[0].strip().partition("=")
            if re.search(r";\s*max-age=0\b", header, re.IGNORECASE):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str], referer: str | None) -> Response:
        return self.request("POST", path, form=form, referer=referer)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, f"GET {path} answered {page.status}"
        match = CSRF_FIELD.search(page.text)
        assert match, f"no csrf_token in {path}"
        return match.group(1)


def cookie_attributes(set_cookie: str) -> set[str]:
    """The attributes of a Set-Cookie header, lowercased: "secure", "httponly", "samesite=lax" …"""
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


# --- the processes --------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def terminate(self) -> None:
        """SIGTERM: gunicorn and Celery shut down cleanly on it."""
        if self.popen.poll() is None:
            self.popen.terminate()

    def wait_or_kill(self, deadline: float) -> None:
        """Wait until `deadline` (monotonic), then SIGKILL the process group (gunicorn's workers too)."""
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
        if self.popen.poll() is None:
            # start_new_session=True made it lead its own process group, with its children (gunicorn workers)
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=STOP_TIMEOUT)


@dataclass
class Stack:
    env: dict[str, str]
    database_url: str
    redis_url: str
    port: int
    tmp: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, *args: str) -> Process:
        log = self.tmp / f"{name}.log"
        with log.open("wb") as output:
            popen = subprocess.Popen(
                [str(BIN / args[0]), *args[1:]],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def process(self, name: str) -> Process:
        return next(process for process in self.processes if process.name == name)

    def check_alive(self) -> None:
        for process in self.processes:
            assert process.alive(), f"{process.name} exited with {process.popen.returncode}"

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes:
            process.wait_or_kill(deadline)

    def print_logs(self, lines: int = 60) -> None:
        for process in self.processes:
            tail = process.log_text().splitlines()[-lines:]
            print(f"\n----- last {len(tail)} lines of {process.log} -----")
            print("\n".join(tail))

    @contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.print_logs()
            if not _schema_exists(self.database_url):
                print(
                    f"\n!!! The schema {schema_of(self.database_url)} was dropped during the run: another "
                    "test run on the same TEST_DATABASE_URL (reset_main_database drops every t_* schema) "
                    "interfered."
                )
            raise

    def browser(self) -> Browser:
        return Browser(self.port)


def _web_is_up(stack: Stack) -> bool:
    stack.check_alive()
    try:
        return stack.browser().get("/healthz").status == 200
    except OSError:  # refused, reset, timed out: not listening yet
        return False


def _worker_answers(stack: Stack, hostname: str) -> bool:
    """The worker answers a broadcast ping through the broker (as `celery inspect ping` would)."""
    from celery import Celery

    stack.check_alive()
    with pytest.MonkeyPatch.context() as environment:
        # Celery prefers CELERY_BROKER_URL (the test's broker) to its configuration: hide it from the probe
        for name in [name for name in os.environ if name.startswith("CELERY_")]:
            environment.delenv(name)
        probe = Celery("gongjue-smoke-probe", broker=stack.redis_url, set_as_current=False)
        try:
            return bool(probe.control.ping(destination=[hostname], timeout=1))
        finally:
            probe.close()


def _check_row(engine: sa.Engine, triggered_by: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT id, is_ok, links_checked FROM audit_chain_checks "
                "WHERE triggered_by = :who ORDER BY id DESC LIMIT 1"
            ),
            {"who": triggered_by},
        ).first()


def _no_gunicorn_control_socket() -> list[str]:
    """gunicorn 27 opens a control socket in ~/.gunicorn by default, shared by every gunicorn of the user."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def _schema_exists(database_url: str) -> bool:
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return bool(
                connection.scalar(
                    sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :name"),
                    {"name": schema_of(database_url)},
                )
            )
    finally:
        engine.dispose()


def _drop_schema(database_url: str) -> None:
    schema = schema_of(database_url)
    if schema is None:
        return
    engine = sa.create_engine(sqlalchemy_url(TEST_DATABASE_URL), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """A fresh database schema, the run's flushed Redis database and the production environment."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("smoke")
    database_url = fresh_database_url(tmp, "smoke")
    redis_url = smoke_redis_url(BROKER_URL)
    flush_redis(redis_url)
    try:
        yield production_environment(database_url, redis_url, tmp / "instance"), tmp
    finally:
        flush_redis(redis_url)
        _drop_schema(database_url)


@pytest.fixture(scope="module")
def stack(production_env: tuple[dict[str, str], Path]) -> Iterator[Stack]:
    """Migrated database, one administrator, gunicorn (2 workers), a Celery worker and beat, all ready."""
    env, tmp = production_env
    gongjue(env, "db", "upgrade")
    gongjue(env, "create-admin", ADMIN, "--name", ADMIN_NAME, "--password", ADMIN_PASSWORD)

    running = Stack(env, env["GONGJUE_DATABASE_URL"], env["GONGJUE_REDIS_URL"], free_port(), tmp)
    worker_name = f"smoke-{secrets.token_hex(4)}@gongjue-smoke"
    try:
        with running.logs_on_failure():
            running.start(
                "gunicorn",
                "gunicorn",
                "--workers=2",
                f"--bind=127.0.0.1:{running.port}",
                "--access-logfile=-",
                "--access-logformat=smoke-access pid=%(p)s %(m)s %(U)s %(s)s",
                "--graceful-timeout=5",
                *_no_gunicorn_control_socket(),
                "wsgi:app",
            )
            running.start(
                "celery-worker",
                "celery",
                "-A",
                "wsgi:celery",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={worker_name}",
            )
            running.start(
                "celery-beat",
                "celery",
                "-A",
                "wsgi:celery",
                "beat",
                f"--schedule={tmp / 'beat-schedule'}",
                "--loglevel=INFO",
            )
            wait_for("gunicorn to answer /healthz", lambda: _web_is_up(running), WEB_READY_TIMEOUT)
            wait_for(
                "the Celery worker to answer a ping",
                lambda: _worker_answers(running, worker_name),
                WORKER_READY_TIMEOUT,
                interval=0.5,
            )
        yield running
    finally:
        running.stop()


# --- tests ----------------------------------------------------------------------------------------


def test_production_refuses_to_start_without_its_secret_key(
    production_env: tuple[dict[str, str], Path],
) -> None:
    env = {key: value for key, value in production_env[0].items() if key != "GONGJUE_SECRET_KEY"}
    result = gongjue(env, "db", "upgrade", check=False)
    assert result.returncode != 0
    assert "GONGJUE_SECRET_KEY" in result.stderr, result.stderr


def test_production_stack_serves_logins_runs_tasks_and_beat(stack: Stack) -> None:
    engine = sa.create_engine(stack.database_url, poolclass=sa.pool.NullPool)
    try:
        with stack.logs_on_failure():
            admin = _log_in_and_check_the_cookie(stack)
            _both_web_workers_serve(stack)
            _admin_verification_runs_on_the_worker(stack, admin, engine)
            beat = wait_for("beat's verification", lambda: _check_row(engine, "beat"), TASK_TIMEOUT)
            assert beat.is_ok
            stack.check_alive()
    finally:
        engine.dispose()


def test_https_form_posts_work_for_a_browser_honouring_the_referrer_policy(stack: Stack) -> None:
    """Flask-WTF refuses an HTTPS form POST without a same-origin Referer (WTF_CSRF_SSL_STRICT): the app's
    Referrer-Policy must let browsers send one (no-referrer would make every form fail)."""
    browser = stack.browser()
    page = browser.get("/login")
    token = CSRF_FIELD.search(page.text)
    assert token
    # a browser sends no Referer at all under no-referrer; under any other policy, at least the origin
    policy = (page.headers.get("Referrer-Policy") or "strict-origin-when-cross-origin").strip().lower()
    assert policy != "no-referrer", "browsers would send no Referer, and Flask-WTF would refuse every form"
    form = {"username": ADMIN, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)}
    response = browser.post("/login", form, referer="/login")
    assert response.status == 302, f"login over HTTPS answered {response.status} (Referrer-Policy: {policy})"


# --- steps of the main test -----------------------------------------------------------------------


def _log_in_and_check_the_cookie(stack: Stack) -> Browser:
    browser = stack.browser()
    assert browser.get("/").status == 302  # not logged in yet
    token = browser.csrf_token("/login")
    # The Referer a browser sends to its own site under the app's same-origin referrer policy: Flask-WTF
    # checks it on HTTPS requests (the last test checks the policy).
    response = browser.post(
        "/login", {"username": ADMIN, "password": ADMIN_PASSWORD, "csrf_token": token}, referer="/login"
    )
    assert response.status == 302, f"login answered {response.status}: {response.text[:500]}"
    assert urlsplit(response.headers["Location"]).path == "/"
    session_cookie = next((c for c in response.set_cookies if c.startswith("session=")), None)
    assert session_cookie, f"no session cookie in {response.set_cookies}"
    attributes = cookie_attributes(session_cookie)
    assert {"secure", "httponly", "samesite=lax"} <= attributes, session_cookie

    dashboard = browser.get("/")
    assert dashboard.status == 200
    assert ADMIN_NAME in dashboard.text
    return browser


def _both_web_workers_serve(stack: Stack) -> None:
    """Concurrent requests until the access log shows both gunicorn workers' pids (at least 8 requests)."""
    gunicorn = stack.process("gunicorn")

    def one_request(_: int) -> int:
        return stack.browser().get("/healthz").status

    def both_served() -> bool:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(one_request, range(16)))
        assert statuses == [200] * 16, statuses
        return len(set(ACCESS_LINE.findall(gunicorn.log_text()))) >= 2

    wait_for("both gunicorn workers to serve", both_served, WEB_READY_TIMEOUT)


def _admin_verification_runs_on_the_worker(stack: Stack, browser: Browser, engine: sa.Engine) -> None:
    assert _check_row(engine, ADMIN) is None
    token = browser.csrf_token("/audit")
    response = browser.post("/audit/verify", {"csrf_token": token}, referer="/audit")
    assert response.status == 302, f"POST /audit/verify answered {response.status}: {response.text[:500]}"
    assert urlsplit(response.headers["Location"]).path == "/audit"

    check = wait_for("the worker's verification for the admin", lambda: _check_row(engine, ADMIN), TASK_TIMEOUT)
    assert check.is_ok
    assert check.links_checked >= 3  # account.create, auth.login, audit.verify_requested

    # the API, with a personal token, reports a verification (the admin's or a later one by beat)
    token = browser.csrf_token("/account/tokens")
    page = browser.post("/account/tokens", {"name": "smoke", "csrf_token": token}, referer="/account/tokens")
    assert page.status == 200
    secret = NEW_TOKEN.search(page.text)
    assert secret, "the new API token is not shown"
    api = stack.browser().request(
        "GET", "/api/v1/audit/verifications/latest", headers={"Authorization": f"Bearer {secret.group(1)}"}
    )
    assert api.status == 200, api.text
    assert json.loads(api.text)["is_ok"] is True, api.text
