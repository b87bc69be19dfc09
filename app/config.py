"""Configuration: embedded defaults, `GONGJUE_*` environment variables, and start-up checks.

Nothing happens at import time. `load_config()` is called by `create_app()`; every variable is documented in
docs/configuration.md (a test keeps the two in step).

Embedded defaults (development): SQLite under `instance/`, Celery eager, in-memory rate limits, console SMS.
Production (`GONGJUE_ENV=production`) refuses to start without an explicit secret key, database URL, Redis URL
and data-encryption key, because a default there would silently lose sessions, data or personal information; and
it refuses what is unsafe (`production_refusals`: issue 16 item 4): SQLite, a short or simple secret key, a data key
that is not random, in-memory rate limits, the console SMS backend (unless "none", the audited no-SMS mode), and
the Alibaba Cloud SMS backend without its keys, sign name and template.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ENV_PREFIX = "GONGJUE_"

#: variable name (without prefix) -> one-line description; docs/configuration.md documents each of them.
SETTINGS: dict[str, str] = {
    "ENV": "development (default), production or testing",
    "SECRET_KEY": "signs sessions and CSRF tokens; required in production",
    "DATABASE_URL": "SQLAlchemy URL; default sqlite:///<instance>/gongjue.db; required in production",
    "REDIS_URL": "Redis for rate limits and Celery; required in production",
    "DATA_KEY": "base64 of 32 random bytes; encrypts personal data at rest; required in production",
    "CELERY_BROKER_URL": "Celery broker; default the Redis URL",
    "CELERY_RESULT_BACKEND": "Celery result backend; default the Redis URL",
    "CELERY_EAGER": "1 runs tasks in the web process (default in development), 0 sends them to a worker",
    "RATELIMIT_STORAGE_URL": "Flask-Limiter storage; memory:// in development, the Redis URL in production",
    "AUDIT_VERIFY_INTERVAL": "seconds between audit-chain verifications scheduled by beat (default 3600)",
    "DB_CONNECT_TIMEOUT": "PostgreSQL: seconds to wait for a connection (default 5)",
    "DB_STATEMENT_TIMEOUT": "PostgreSQL: seconds a statement may run (default 30)",
    "DB_LOCK_TIMEOUT": "PostgreSQL: seconds a statement may wait for a lock (default 10)",
    "JOB_SILENT_AFTER": "seconds without progress after which a background job (letters, import, reminders, count) is "
    "failed as silent (default 600)",
    "SMS_BACKEND": "console (default: messages go to an outbox page), none (no text messages: production without a "
    "provider), aliyun (Alibaba Cloud SMS) or a provider plug-in path",
    "ALIYUN_SMS_ACCESS_KEY_ID": "Alibaba Cloud AccessKey ID of a RAM user allowed to send SMS; required with aliyun",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "its AccessKey secret; required with aliyun",
    "ALIYUN_SMS_SIGN_NAME": "the approved SMS sign name (签名) Alibaba Cloud puts in 【】; required with aliyun",
    "ALIYUN_SMS_TEMPLATE_CODE": "the approved template (SMS_…) with one ${content} parameter; required with aliyun",
    "ALIYUN_SMS_ENDPOINT": "Dysmsapi endpoint (default https://dysmsapi.aliyuncs.com/)",
    "ALIYUN_SMS_TIMEOUT": "seconds one request to Alibaba Cloud may take (default 3)",
    "TRUSTED_PROXIES": "how many reverse proxies' X-Forwarded-* headers are trusted",
    "INSTANCE_PATH": "folder for the SQLite file and generated development keys (default ./instance)",
    "LOG_LEVEL": "logging level (default INFO)",
}

PRODUCTION_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DATA_KEY")
#: what GONGJUE_SMS_BACKEND=aliyun cannot send without (app.voting.sms_aliyun)
ALIYUN_SMS_REQUIRED = (
    "ALIYUN_SMS_ACCESS_KEY_ID",
    "ALIYUN_SMS_ACCESS_KEY_SECRET",
    "ALIYUN_SMS_SIGN_NAME",
    "ALIYUN_SMS_TEMPLATE_CODE",
)
ALIYUN_SMS_DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"


class ConfigurationError(RuntimeError):
    """The configuration cannot start the application; the message says what to set."""


def engine_options(database_url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The database engine's options. On PostgreSQL, fail fast instead of hanging (issue 18 item 6): a connection
    is given up after GONGJUE_DB_CONNECT_TIMEOUT seconds (default 5), a statement after GONGJUE_DB_STATEMENT_TIMEOUT
    (default 30), a wait for a lock after GONGJUE_DB_LOCK_TIMEOUT (default 10); the request then answers 503 with
    Retry-After (app.web) rather than holding a worker until gunicorn kills it (gunicorn.conf.py: 45 s). The count's
    finish, which stores a package of many MB, sets its own limits inside its transaction."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        statement = int(_env("DB_STATEMENT_TIMEOUT", environ) or 30) * 1000
        lock = int(_env("DB_LOCK_TIMEOUT", environ) or 10) * 1000
        # connect_args replace the URL's own query arguments: keep its `options` (a search_path, say) in front
        given = make_url(database_url).query.get("options") or ""
        given = " ".join(given) if isinstance(given, tuple) else given
        options["connect_args"] = {
            "connect_timeout": int(_env("DB_CONNECT_TIMEOUT", environ) or 5),
            "options": f"{given} -c statement_timeout={statement} -c lock_timeout={lock}".strip(),
        }
    return options


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else None


def _flag(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persistent_dev_secret(instance_path: Path, filename: str, make: Any) -> str:
    """A development-only secret generated once and kept in the instance folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _seconds(name: str, value: str | None, default: float) -> float:
    """A positive number of seconds, or ConfigurationError naming the variable."""
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 60:
        raise ConfigurationError(f"{ENV_PREFIX}{name} must be a number of seconds between 0 and 60, not {value!r}.")
    return seconds


def decode_data_key(value: str) -> bytes:
    """Decode GONGJUE_DATA_KEY (base64 of exactly 32 bytes) or raise ConfigurationError."""
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError("GONGJUE_DATA_KEY must be base64 (of 32 random bytes).") from exc
    if len(key) != 32:
        raise ConfigurationError(f"GONGJUE_DATA_KEY must decode to 32 bytes, not {len(key)}.")
    return key


def load_config(environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then `overrides` (tests pass theirs here).

    Raises ConfigurationError when production is incomplete.
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    env = (_env("ENV", environ) or "development").lower()
    if env not in {"development", "production", "testing"}:
        raise ConfigurationError(f"GONGJUE_ENV must be development, production or testing, not {env!r}.")
    is_production = env == "production"
    instance = Path(
        overrides.get("INSTANCE_PATH") or _env("INSTANCE_PATH", environ) or Path.cwd() / "instance"
    ).resolve()

    if is_production:
        missing = [ENV_PREFIX + name for name in PRODUCTION_REQUIRED if _env(name, environ) is None]
        if missing:
            raise ConfigurationError(
                "Production mode (GONGJUE_ENV=production) will not start without: "
                + ", ".join(missing)
                + ". See docs/configuration.md."
            )

    secret_key = (
        overrides.get("SECRET_KEY")
        or _env("SECRET_KEY", environ)
        or _persistent_dev_secret(instance, "dev-secret-key", lambda: secrets.token_urlsafe(48))
    )
    data_key = (
        overrides.get("DATA_KEY_B64")
        or _env("DATA_KEY", environ)
        or _persistent_dev_secret(instance, "dev-data-key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    )
    redis_url = _env("REDIS_URL", environ)
    database_url = _env("DATABASE_URL", environ) or f"sqlite:///{instance / 'gongjue.db'}"
    eager = _flag(_env("CELERY_EAGER", environ), default=not is_production)

    config: dict[str, Any] = {
        "GONGJUE_ENV": env,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret_key,
        "DATA_KEY": decode_data_key(data_key),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, environ),
        "REDIS_URL": redis_url,
        "CELERY": {
            "broker_url": _env("CELERY_BROKER_URL", environ) or redis_url or "memory://",
            "result_backend": _env("CELERY_RESULT_BACKEND", environ) or redis_url or "cache+memory://",
            "task_always_eager": eager,
            "task_eager_propagates": True,
            "task_ignore_result": False,
            "timezone": "Asia/Shanghai",
            "enable_utc": True,
            "broker_connection_retry_on_startup": True,
        },
        "AUDIT_VERIFY_INTERVAL": int(_env("AUDIT_VERIFY_INTERVAL", environ) or 3600),
        "JOB_SILENT_AFTER": int(_env("JOB_SILENT_AFTER", environ) or 600),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", environ)
        or (redis_url if is_production else None)
        or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away (issue 18 item 5): count in this process's memory until it is back (Flask-Limiter checks it
        # again with a growing back-off) instead of answering 500 to a login or a typed code; docs/deploy.md
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "SMS_BACKEND": _env("SMS_BACKEND", environ) or "console",
        "ALIYUN_SMS_ACCESS_KEY_ID": _env("ALIYUN_SMS_ACCESS_KEY_ID", environ) or "",
        "ALIYUN_SMS_ACCESS_KEY_SECRET": _env("ALIYUN_SMS_ACCESS_KEY_SECRET", environ) or "",
        "ALIYUN_SMS_SIGN_NAME": _env("ALIYUN_SMS_SIGN_NAME", environ) or "",
        "ALIYUN_SMS_TEMPLATE_CODE": _env("ALIYUN_SMS_TEMPLATE_CODE", environ) or "",
        "ALIYUN_SMS_ENDPOINT": _env("ALIYUN_SMS_ENDPOINT", environ) or ALIYUN_SMS_DEFAULT_ENDPOINT,
        "ALIYUN_SMS_TIMEOUT": _seconds("ALIYUN_SMS_TIMEOUT", _env("ALIYUN_SMS_TIMEOUT", environ), default=3.0),
        "TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES", environ) or 0),
        "LOG_LEVEL": _env("LOG_LEVEL", environ) or "INFO",
        # Cookies: HttpOnly and SameSite always; Secure whenever production serves over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": is_production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # an owner signed in on their phone stays signed in this many days unless they (or staff) end it (issue 20)
        "OWNER_SESSION_DAYS": int(_env("OWNER_SESSION_DAYS", environ) or 30),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_CN", "en"),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json
        "API_TITLE": "Gongjue API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    config.update({key: value for key, value in overrides.items() if key != "DATA_KEY_B64"})
    if is_production:
        problems = production_refusals(config)
        if problems:
            raise ConfigurationError(
                "Production mode refuses an unsafe configuration: " + " ".join(problems) + " See docs/deploy.md."
            )
    return config


#: a secret key needs this many characters, with at least this many different ones (a random token has ~40)
SECRET_KEY_LENGTH, SECRET_KEY_VARIETY = 32, 12
#: 32 random bytes have some 31 different values; a key typed by hand or all zeros has few
DATA_KEY_VARIETY = 16


def production_refusals(config: Mapping[str, Any]) -> list[str]:
    """What production refuses to start with, each named (issue 16 item 4)."""
    problems = []
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        problems.append(
            "GONGJUE_DATABASE_URL is SQLite: production runs on PostgreSQL (SQLite cannot hold the second factor's "
            "lock-out against concurrent answers)."
        )
    secret = str(config["SECRET_KEY"])
    if len(secret) < SECRET_KEY_LENGTH or len(set(secret)) < SECRET_KEY_VARIETY:
        problems.append(
            f"GONGJUE_SECRET_KEY is too short or too simple: at least {SECRET_KEY_LENGTH} characters from a random "
            "generator."
        )
    if len(set(bytes(config["DATA_KEY"]))) < DATA_KEY_VARIETY:
        problems.append("GONGJUE_DATA_KEY is not random (all zeros, or typed by hand): generate 32 random bytes.")
    if str(config["RATELIMIT_STORAGE_URI"]).startswith("memory"):
        problems.append("GONGJUE_RATELIMIT_STORAGE_URL is in memory: each worker would count on its own; use Redis.")
    if config["SMS_BACKEND"] == "console":
        problems.append(
            "GONGJUE_SMS_BACKEND is console (codes only on a staff page): name a provider (aliyun, or a plug-in), or "
            "none for a platform that sends no text messages (the ID-number factor and paper only)."
        )
    if config["SMS_BACKEND"] == "aliyun":
        problems.extend(aliyun_sms_refusals(config))
    return problems


def aliyun_sms_refusals(config: Mapping[str, Any]) -> list[str]:
    """GONGJUE_SMS_BACKEND=aliyun needs its keys, sign name and template, and an HTTPS endpoint (each request carries
    a voter's number and one-time code in its query string)."""
    problems = []
    missing = [ENV_PREFIX + name for name in ALIYUN_SMS_REQUIRED if not config.get(name)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        problems.append(
            f"GONGJUE_SMS_BACKEND is aliyun but {', '.join(missing)} {verb} not set: Alibaba Cloud would send nothing."
        )
    if not str(config.get("ALIYUN_SMS_ENDPOINT") or ALIYUN_SMS_DEFAULT_ENDPOINT).startswith("https://"):
        problems.append("GONGJUE_ALIYUN_SMS_ENDPOINT is not https://: text messages would cross the network in clear.")
    return problems
