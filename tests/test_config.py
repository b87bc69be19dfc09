"""Configuration: embedded defaults, production refusals, and the documentation of every variable."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from app.config import PRODUCTION_REQUIRED, SETTINGS, ConfigurationError, load_config

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = base64.b64encode(bytes(range(7, 39))).decode()
PRODUCTION = {
    "GONGJUE_ENV": "production",
    "GONGJUE_SECRET_KEY": "Vq3f9XyN2mKp8RtL5wZc1HjB7dGs4AeU0oYi6",
    "GONGJUE_SMS_BACKEND": "none",
    "GONGJUE_DATABASE_URL": "postgresql+psycopg://db/gongjue",
    "GONGJUE_REDIS_URL": "redis://127.0.0.1:6379/3",
    "GONGJUE_DATA_KEY": GOOD_KEY,
}


def test_development_defaults_need_nothing(tmp_path):
    config = load_config({"GONGJUE_INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'gongjue.db'}"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SMS_BACKEND"] == "console"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert len(config["DATA_KEY"]) == 32
    # the generated development secrets persist across restarts
    assert load_config({"GONGJUE_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"] == config["SECRET_KEY"]


@pytest.mark.parametrize("missing", PRODUCTION_REQUIRED)
def test_production_refuses_to_start_without_a_required_setting(missing, tmp_path):
    environ = {k: v for k, v in PRODUCTION.items() if k != "GONGJUE_" + missing}
    environ["GONGJUE_INSTANCE_PATH"] = str(tmp_path)
    with pytest.raises(ConfigurationError, match="GONGJUE_" + missing):
        load_config(environ)
    assert not (tmp_path / "dev-secret-key").exists()


def test_production_with_everything_set(tmp_path):
    config = load_config({**PRODUCTION, "GONGJUE_INSTANCE_PATH": str(tmp_path)})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["CELERY"]["task_always_eager"] is False
    assert config["CELERY"]["broker_url"] == PRODUCTION["GONGJUE_REDIS_URL"]
    assert config["RATELIMIT_STORAGE_URI"] == PRODUCTION["GONGJUE_REDIS_URL"]


@pytest.mark.parametrize("bad_key", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_data_key_is_refused(bad_key, tmp_path):
    with pytest.raises(ConfigurationError, match="GONGJUE_DATA_KEY"):
        load_config({**PRODUCTION, "GONGJUE_DATA_KEY": bad_key, "GONGJUE_INSTANCE_PATH": str(tmp_path)})


def test_an_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="GONGJUE_ENV"):
        load_config({"GONGJUE_ENV": "staging", "GONGJUE_INSTANCE_PATH": str(tmp_path)})


def test_every_setting_is_documented_and_every_documented_one_exists():
    documented = set(re.findall(r"`GONGJUE_([A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    assert documented == set(SETTINGS)


def test_every_setting_is_read_by_load_config():
    source = (ROOT / "app" / "config.py").read_text()
    for name in SETTINGS:
        assert f'_env("{name}"' in source, f"GONGJUE_{name} is documented but never read"


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("GONGJUE_DATABASE_URL", "sqlite:////srv/gongjue.db", "GONGJUE_DATABASE_URL is SQLite"),
        ("GONGJUE_SECRET_KEY", "x", "GONGJUE_SECRET_KEY is too short"),
        ("GONGJUE_SECRET_KEY", "s" * 48, "GONGJUE_SECRET_KEY is too short or too simple"),
        ("GONGJUE_DATA_KEY", base64.b64encode(bytes(32)).decode(), "GONGJUE_DATA_KEY is not random"),
        ("GONGJUE_RATELIMIT_STORAGE_URL", "memory://", "GONGJUE_RATELIMIT_STORAGE_URL is in memory"),
        ("GONGJUE_SMS_BACKEND", "console", "GONGJUE_SMS_BACKEND is console"),
    ],
)
def test_production_refuses_an_unsafe_setting_and_names_it(setting, value, named, tmp_path):
    """Issue 16 item 4: each unsafe choice is refused at start, named in the refusal."""
    with pytest.raises(ConfigurationError, match=named):
        load_config({**PRODUCTION, setting: value, "GONGJUE_INSTANCE_PATH": str(tmp_path)})


def test_without_sms_no_meeting_asks_for_a_text_message_code(app, monkeypatch):
    """The no-SMS mode: nothing is sent, and a meeting cannot choose the SMS factor."""
    from datetime import timedelta

    from app.db_types import utcnow
    from app.errors import DomainError
    from app.voting import meetings, sms
    from tests.factories import gen_community, gen_official, gen_township
    from tests.voting.helpers import gen_meeting

    monkeypatch.setitem(app.config, "SMS_BACKEND", "none")  # the app is shared: restored afterwards
    community = gen_community(gen_township())
    meeting = gen_meeting(community, gen_official(community.township))
    now = utcnow()
    with pytest.raises(DomainError) as refused:
        meetings.configure(
            meeting,
            opens_at=now,
            closes_at=now + timedelta(days=1),
            channels="phone",
            second_factor="sms",
            allow_change=False,
            user_id=None,
        )
    assert refused.value.code == "sms_disabled"
    with pytest.raises(DomainError) as not_sent:
        sms.sms_backend().send(meeting.id, "13800000000", "code")
    assert not_sent.value.code == "sms_disabled"


def test_postgresql_gets_timeouts_and_keeps_the_urls_own_options() -> None:
    """Issue 18 item 6: connect, statement and lock timeouts on PostgreSQL; the URL's `options` (the tests' and a
    deployment's search_path) stay in front, since connect_args replace the URL's query arguments."""
    from app.config import engine_options

    url = "postgresql+psycopg://postgres@127.0.0.1:5432/gongjue?options=-csearch_path%3Dtenant"
    arguments = engine_options(url, {"GONGJUE_DB_STATEMENT_TIMEOUT": "20"})["connect_args"]
    assert arguments == {
        "connect_timeout": 5,
        "options": "-csearch_path=tenant -c statement_timeout=20000 -c lock_timeout=10000",
    }
    assert "connect_args" not in engine_options("sqlite:///gongjue.db", {})
