"""Static files with their content's fingerprint in the address, so that a phone keeps them instead of asking again.

`static_url("ballot.css")` is `/static/ballot.css?v=<first 12 hex of its SHA-256>`. A request that names the current
fingerprint is answered with a year's `immutable` cache lifetime: the owner's phone fetches the stylesheet once per
release, not once per page (each revalidation was a round trip on a slow mobile link, and a request to a busy
server on voting day). A changed file gets a new address; any other request keeps Flask's default (revalidate).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

YEAR_SECONDS = 365 * 24 * 3600


@cache
def _fingerprint(folder: str, filename: str) -> str:
    return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """The file's address with its fingerprint (the file is read once per process)."""
    return url_for("static", filename=filename, v=_fingerprint(str(current_app.static_folder), filename))


def _cache_fingerprinted(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    try:
        current = _fingerprint(str(current_app.static_folder), filename)
    except OSError:
        return response
    if request.args.get("v") == current:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR_SECONDS
        response.cache_control.immutable = True
    return response


def register_static_files(app: Flask) -> None:
    app.add_template_global(static_url)
    app.after_request(_cache_fingerprinted)
