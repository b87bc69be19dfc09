"""The development server's request log never holds a voter's token (issue 16, LOW: `GET /v?t=…` was logged)."""

from __future__ import annotations

import logging

from app.factory import WithoutQueryStrings


def test_the_request_log_drops_query_strings(app: object) -> None:
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "06/Dec/2026 23:00:00", "GET /v?t=SECRET-TOKEN&x=1 HTTP/1.1", "302", "-"),
        None,
    )
    assert any(isinstance(f, WithoutQueryStrings) for f in logging.getLogger("werkzeug").filters)
    assert WithoutQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1 - - [06/Dec/2026 23:00:00] "GET /v HTTP/1.1" 302 -'
    assert "SECRET-TOKEN" not in record.getMessage()
