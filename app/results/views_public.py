"""Public result pages, for anyone without an account (DOMAIN §9; issue 7 items 5, 7 and 8):

- /r/<hash>: the published (or certified) result, readable, with its PDF and the package to download;
- /r/<hash>/verify: the checks of `gongjue verify` run on that package (where a certificate's QR code leads);
- /verify: the same checks on a package anyone uploads (nothing is stored);
- /r/<hash>/check: an owner's check that their ballot is in the signed ledger and their entry in the roll, with
  the Merkle inclusion proofs recomputed here and shown, so that they can be checked again elsewhere;
- /keys.json: every public key ever used.

A result only counted, not published, stays internal (404 here).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth import permissions
from app.auth.models import User
from app.calendar.services import notice_is_provisional, provisional_pdf_note
from app.communities.models import Community
from app.extensions import db, limiter
from app.results import keys
from app.results.cli import PackageFileError, detail_zh, load_package_json, name_zh, signers
from app.results.forms import ReceiptForm, UploadForm
from app.results.inclusion import Ledger
from app.results.models import Result
from app.results.pdf import certificate_pdf, preliminary_result_pdf
from app.results.presentation import result_view
from app.results.verify import Check, passed, verify_package
from app.results.verify_words import plain_checks, signer_rows
from app.voting.models import Meeting

bp = Blueprint("results_public", __name__)

PUBLIC_STATUSES = ("published", "certified", "refused")


def _visible(digest: str, *, public_only: bool = False) -> Result:
    """The result with this package hash: anyone sees a published one; a result only counted is shown to its convener
    and township (not to tellers or observers), else 404."""
    result = db.session.scalars(select(Result).where(Result.package_sha256 == digest[:64])).first()
    if result is None:
        abort(404)
    if result.status in PUBLIC_STATUSES:
        return result
    if public_only or not current_user.is_authenticated:
        abort(404)
    meeting = db.session.get_one(Meeting, result.meeting_id)
    if not permissions.can_prepare_community(current_user, db.session.get_one(Community, meeting.community_id)):
        abort(404)
    return result


def verify_url(result: Result) -> str:
    return url_for("results_public.verify_stored", digest=result.package_sha256, _external=True)


@bp.get("/r/<digest>")
def public_result(digest: str) -> Any:
    result = _visible(digest, public_only=True)
    return render_template("results/public.html", result=result, view=result_view(result))


@bp.get("/r/<digest>/package.json")
def package(digest: str) -> Any:
    result = _visible(digest)
    response = Response(result.package, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="result-{result.package_sha256[:12]}.json"'
    return response


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/r/<digest>/result.pdf")
@limiter.limit("120 per hour")
def result_pdf(digest: str) -> Any:
    result = _visible(digest)
    note = provisional_pdf_note(notice_is_provisional(result.published_on, result.objections_until))
    data = _result_pdf(
        result.package, str(result.published_on or ""), str(result.objections_until or ""), result.package_sha256, note
    )
    return _pdf(data, f"result-{result.package_sha256[:12]}.pdf")


@lru_cache(maxsize=8)
def _result_pdf(package_text: str, published_on: str, objections_until: str, digest: str, note: str) -> bytes:
    """The notice's PDF, once per worker and package (a large roll's PDF takes seconds)."""
    return preliminary_result_pdf(
        json.loads(package_text),
        published_on=published_on,
        objections_until=objections_until,
        package_sha256=digest,
        until_note=note,
    )


@bp.get("/r/<digest>/certificate.pdf", endpoint="certificate_pdf")
def certificate_pdf_page(digest: str) -> Any:
    result = _visible(digest, public_only=True)
    if result.status != "certified" or result.decided_at is None:
        abort(404)
    view = result_view(result)
    data = certificate_pdf(
        view.package,
        package_sha256=result.package_sha256,
        township_name=str(view.package["community"].get("township", "")),
        certified_on=result.decided_at.date().isoformat(),
        certified_by=_official(result.decided_by_id),
        verify_url=verify_url(result),
    )
    return _pdf(data, f"certificate-{result.package_sha256[:12]}.pdf")


def _official(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


@lru_cache(maxsize=16)
def _checks(package_text: str, require_township: bool, published: str) -> tuple[Check, ...]:
    """The checks of one stored package, once per worker (a 20,000-ballot package takes seconds to check)."""
    return tuple(
        verify_package(json.loads(package_text), require_township=require_township, published=json.loads(published))
    )


@lru_cache(maxsize=16)
def _ledger(package_text: str) -> Ledger:
    """The leaves and receipt index of one stored package, once per worker."""
    return Ledger.of(json.loads(package_text))


def _published() -> str:
    return json.dumps(keys.published_keys()["keys"], sort_keys=True)


def _verification_page(checks: list[Check] | None, document: object, **context: Any) -> str:
    """What each check means, in plain words, and who signed when (app.results.verify_words); in the technical detail
    the checks in Chinese with the English after (as `gongjue verify` prints them) and who signed with which key;
    ``checks`` None before anything is uploaded."""
    return render_template(
        "results/verify.html",
        checks=checks,
        plain=plain_checks(checks or []),
        ok=checks is not None and passed(checks),
        signers=signer_rows(signers(document)),
        name_zh=name_zh,
        detail_zh=detail_zh,
        **context,
    )


@bp.get("/r/<digest>/verify")
@limiter.limit("120 per hour")
def verify_stored(digest: str) -> Any:
    """The checks of `gongjue verify` on the stored package, against the keys this platform published; where a
    certificate's QR code leads."""
    result = _visible(digest)
    checks = list(_checks(result.package, result.status == "certified", _published()))
    return _verification_page(
        checks, json.loads(result.package), digest=result.package_sha256, result=result, form=None
    )


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def verify_upload() -> Any:
    """Check an uploaded package against the keys this platform published; nothing is stored."""
    form = UploadForm()
    checks, document, status, message = None, None, 200, None
    if request.method == "POST":
        if not form.validate_on_submit() or form.package.data is None:
            message, status = _("Choose a result package file (JSON)."), 422
        else:
            try:
                document = load_package_json(form.package.data.read())  # as `gongjue verify` reads a file
                checks = verify_package(document, published=keys.published_keys()["keys"])
            except PackageFileError:
                message, status = _("This file is not a result package: it is not JSON."), 422
    return _verification_page(checks, document, digest=None, result=None, form=form, message=message), status


@bp.route("/r/<digest>/check", methods=["GET", "POST"])
@limiter.limit("120 per hour")
def owner_check(digest: str) -> Any:
    """With a receipt code or hash: the ballot's place in the ledger and the voter's in the roll, each with its
    inclusion proof against the signed root."""
    result = _visible(digest, public_only=True)
    form = ReceiptForm()
    found, status = None, 200
    given = request.args.get("receipt", "") if request.method == "GET" else (form.receipt.data or "")
    if given and (request.method == "GET" or form.validate_on_submit()):
        ledger = _ledger(result.package)
        index = ledger.find(given)
        if index is None:
            status = 404
        else:
            found = ledger.proofs(index)
    return render_template("results/check.html", result=result, form=form, given=given, found=found), status


@bp.get("/keys.json")
def public_keys() -> Any:
    response = current_app.response_class(json.dumps(keys.published_keys(), ensure_ascii=False, indent=1))
    response.mimetype = "application/json"
    return response
