"""The app when a dependency is away (issue 18 items 5 and 6; docs/deploy.md "What fails when"): Redis down leaves
staff login and the typed code working, still throttled (in this process's memory); the database down answers 503
with Retry-After, on the owner's pages an owner's page that leads back to the ballot; /healthz names what is down
and /livez answers regardless.

Each case runs in a subprocess: the rate limiter is one object per process, and pointing it at a dead Redis here
would reach every later test."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: nothing listens on port 1 of the loopback: a connection is refused at once
DEAD = "127.0.0.1:1"


def run_app(tmp_path: Path, database_url: str, body: str, *, upgrade: bool) -> dict:
    """Build an app with Redis at a dead address (and ``database_url``), run ``body`` with its test client
    ``client`` in scope, and return what it put in ``seen``."""
    script = (
        textwrap.dedent(
            f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from flask_migrate import upgrade
        from tests.conftest import make_test_app
        app = make_test_app({database_url!r}, Path({str(tmp_path)!r}), RATELIMIT_STORAGE_URI="redis://{DEAD}/0",
                            WTF_CSRF_ENABLED=False)
        if {upgrade!r}:
            with app.app_context():
                upgrade()
        client = app.test_client()
        seen = {{}}
        """
        )
        + textwrap.dedent(body)
        + "\nprint('SEEN' + json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("SEEN"))
    return json.loads(line.removeprefix("SEEN"))


def test_redis_down_staff_login_and_the_typed_code_still_work_and_are_throttled(tmp_path: Path) -> None:
    seen = run_app(
        tmp_path,
        f"sqlite:///{tmp_path / 'redis_down.db'}",
        """
        logins = [client.post("/login", data={"username": "nobody", "password": "wrong"}).status_code for _ in range(7)]
        codes = [client.post("/v/code", data={"code": "ABCD-EFGH-JK"}).status_code for _ in range(3)]
        health = client.get("/healthz")
        seen.update(logins=logins, codes=codes, health=health.get_json(), health_status=health.status_code)
        """,
        upgrade=True,
    )
    assert 500 not in seen["logins"] + seen["codes"], seen
    assert seen["logins"][:5] == [200] * 5  # the form again, with its message
    assert seen["logins"][-1] == 429  # five wrong answers for one name: throttled, counted in memory
    assert seen["health_status"] == 200
    assert seen["health"]["dependencies"] == {"database": "ok", "ratelimit_storage": "down", "task_broker": "not used"}


def test_database_down_answers_503_and_the_owner_is_led_back_to_the_ballot(tmp_path: Path) -> None:
    seen = run_app(
        tmp_path,
        f"postgresql+psycopg://postgres@{DEAD}/gongjue?connect_timeout=2",
        """
        owner = client.get("/v?t=" + "A" * 22)
        api = client.get("/api/v1/communities/1", headers={"Authorization": "Bearer gjt_x"})
        health = client.get("/healthz")
        seen.update(
            owner=[owner.status_code, owner.headers.get("Retry-After"), owner.get_data(as_text=True)],
            api=[api.status_code, api.get_json()],
            health=[health.status_code, health.get_json()],
            live=client.get("/livez").status_code,
        )
        """,
        upgrade=False,
    )
    status, retry_after, page = seen["owner"]
    assert (status, retry_after) == (503, "30")
    assert 'data-owner-error="503"' in page
    assert 'href="/v/ballot"' in page
    assert "/login" not in page
    assert seen["api"][0] == 503
    assert seen["api"][1]["code"] == "unavailable"
    assert seen["health"][0] == 503
    assert seen["health"][1]["dependencies"]["database"] == "down"
    assert seen["live"] == 200


@pytest.mark.parametrize("path", ["/v/ballot", "/v/receipt"])
def test_an_owner_error_page_never_leads_to_the_staff_login(app, client, path: str) -> None:
    """A 404 under the ballot's paths is the owner's page (no session: the pages redirect; a wrong id: 404)."""
    page = client.get("/v/attachments/999999").get_data(as_text=True)
    assert 'data-owner-error="404"' in page
    assert 'href="/v/ballot"' in page
    assert client.get(path).status_code in (200, 302)
