"""The application factory: configuration, extensions, blueprints (registered by hand), commands."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config
from app.db_types import render_migration_item
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    """zh_CN unless the person chose English with the language switch."""
    if not has_request_context():
        return "zh_CN"  # commands and tasks speak Chinese, the product's first language
    chosen = session.get("locale")
    return chosen if chosen in ("zh_CN", "en") else "zh_CN"


class WithoutQueryStrings(logging.Filter):
    """The development server's request log without query strings: a voter's personal link carries its token as
    `?t=…`, and a token must never reach a log (as gunicorn.conf.py's access log in production; issue 16)."""

    QUERY = re.compile(r"\?[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.QUERY.sub("", a) if isinstance(a, str) else a for a in record.args)
        return True


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints (registered by hand), commands."""
    settings = load_config(overrides=config)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=settings["INSTANCE_PATH"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, WithoutQueryStrings) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(WithoutQueryStrings())
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        compare_type=True,
        render_as_batch=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(ROOT / "app" / "translations")
    )
    _init_login(app)

    from app import models  # noqa: F401  (every model registered before the first query)
    from app.celery_app import celery_init_app
    from app.web import register_web

    celery_init_app(app)
    register_web(app)
    _register_commands(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from app.auth.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")  # type: ignore[assignment]
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        if request.path.startswith("/api/"):
            return None  # the API takes tokens only, never the session cookie
        user = db.session.scalar(select(User).where(User.session_token == session_token))
        return user if user is not None and user.is_active else None

    @login_manager.request_loader
    def load_user_from_api_token(req: Any) -> User | None:
        if not request.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        from app.auth.services import user_for_api_token

        user = user_for_api_token(header.removeprefix("Bearer ").strip())
        if user is not None:
            db.session.commit()  # keep last_used_at
        return user


def _register_commands(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
