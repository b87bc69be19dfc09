"""Static files at fingerprinted addresses: kept a year by the phone, revalidated otherwise (app/static_files.py)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def _fingerprint(app: Flask, filename: str) -> str:
    return hashlib.sha256((Path(str(app.static_folder)) / filename).read_bytes()).hexdigest()[:12]


def test_pages_link_the_stylesheet_by_its_content_fingerprint(app: Flask, client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert link is not None
    assert link.group(1) == f"/static/gongjue.css?v={_fingerprint(app, 'gongjue.css')}"


def test_the_current_fingerprint_is_cached_for_a_year_and_never_revalidated(app: Flask, client: FlaskClient) -> None:
    response = client.get(f"/static/ballot.css?v={_fingerprint(app, 'ballot.css')}")
    response.close()
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    assert not response.cache_control.no_cache


def test_a_stale_or_missing_fingerprint_keeps_flasks_revalidation(client: FlaskClient) -> None:
    for address in ("/static/ballot.css?v=000000000000", "/static/ballot.css"):
        response = client.get(address)
        response.close()
        assert response.status_code == 200
        assert not response.cache_control.immutable
        assert not response.cache_control.max_age


def test_an_unknown_file_is_still_a_plain_404(client: FlaskClient) -> None:
    assert client.get("/static/nothing.css?v=abc").status_code == 404
