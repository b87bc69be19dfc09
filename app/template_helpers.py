"""Values and filters available in every template."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from app import jobs
from app.db_types import SHANGHAI
from app.privacy import mask_name
from app.rules.areas import format_area
from app.rules.turnout import percent_down

KIND_LABELS = {
    "residence": _l("Residences"),
    "commercial": _l("Shops"),
    "parking": _l("Parking spaces"),
    "other": _l("Other units"),
}
STATUS_LABELS = {"delivered": _l("Delivered"), "undelivered": _l("Sold, not delivered"), "unsold": _l("Unsold")}
IMPORT_STATUS_LABELS = {
    "pending": _l("waiting"),
    "running": _l("running"),
    "done": _l("imported"),
    "failed": _l("refused: see the problems"),
}
CHANGE_LABELS = {"added": _l("added"), "removed": _l("removed"), "changed": _l("changed")}
FIELD_LABELS = {
    "kind": _l("kind"),
    "area": _l("area"),
    "area_source": _l("area source"),
    "status": _l("status"),
    "owners": _l("owners"),
    "representative": _l("representative"),
}


def area_grouped(centi: int) -> str:
    """An area for reading, with thousands separators: 13834928 → "138,349.28" (display only)."""
    whole, _, cents = format_area(centi).partition(".")
    return f"{int(whole):,}.{cents}"


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as people in the community read it (Asia/Shanghai)."""
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(format_area, "area")
    app.add_template_filter(area_grouped, "area_grouped")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(mask_name, "mask_name")
    from app.owners.objections import objection_number  # a domain module: imported once the app is built

    app.add_template_global(objection_number, "objection_number")
    app.add_template_filter(percent_down, "percent_down")

    def role_label(role: str) -> str:
        from app.communities.forms import ROLE_LABELS

        return str(ROLE_LABELS.get(role, role))  # type: ignore[call-overload]

    from app.calendar.services import notice_is_provisional, provisional_mark

    app.add_template_global(provisional_mark, "provisional_mark")
    app.add_template_global(notice_is_provisional, "notice_is_provisional")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(lambda kind: str(KIND_LABELS.get(kind, kind)), "kind_label")
    app.add_template_global(lambda status: str(STATUS_LABELS.get(status, status)), "status_label")
    app.add_template_global(lambda status: str(IMPORT_STATUS_LABELS.get(status, status)), "import_status_label")
    app.add_template_global(lambda change: str(CHANGE_LABELS.get(change, change)), "change_label")
    app.add_template_global(lambda field: str(FIELD_LABELS.get(field, field)), "field_label")
    app.add_template_global(jobs.failure_words, "job_failure")

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        locale = str(get_locale() or "zh_CN")
        gettext = catalogue_gettext(get_translations())
        return {
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "user": current_user,
            "_": gettext,
            "gettext": gettext,
        }


def catalogue_gettext(catalogue: Any) -> Any:
    """The page's ``_()`` and ``{% trans %}``, bound to the request's catalogue once per page.

    Flask-Babel's own, which Jinja's i18n extension installs as a global, looks the catalogue up again through the
    request context for every string: a page of the ballot has some twenty strings, and those look-ups were a twentieth
    of a ballot's CPU (issue 21 item 2). This one does what Jinja's "newstyle" gettext does with it (jinja2.ext
    ._make_new_gettext): the translation, marked safe where the template escapes, formatted with its variables
    (which are escaped). Macros imported without the page's context keep the global one; the result is the same."""

    @pass_eval_context
    def gettext(eval_context: Any, string: str, /, **variables: Any) -> Any:
        translated = catalogue.ugettext(string)
        if eval_context.autoescape:
            translated = Markup(translated)  # noqa: S704  (the catalogue is ours, as in Jinja's own gettext)
        return translated % variables

    return gettext
