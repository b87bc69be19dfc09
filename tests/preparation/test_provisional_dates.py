"""Issue 13's done-when: a notice published on 2026-12-28, before the 2027 arrangement exists, gets a provisional end
that no real arrangement could make earlier, marked provisional on the pages, the PDF and the API; an administrator
adds the 2027 arrangement on the holiday page after a preview; the date is recomputed, shown and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.calendar.services import PROVISIONAL_PDF_NOTE, add_holiday_year, current_calendar
from app.communities.models import Community
from app.extensions import db
from app.preparation import notices
from app.preparation.models import Notice
from tests.api.test_preparation_api import api_of
from tests.clock import travel_to
from tests.conftest import AuthActions
from tests.factories import gen_admin
from tests.preparation.helpers import Preparation

#: a FICTIONAL 2027 arrangement for tests only (the real one is not in shared/reference/): New Year's Day alone off,
#: and Sun 2027-01-03 worked, so that the notice of 2026-12-28 ends a day earlier than the provisional reckoning
FICTIONAL_2027 = {
    "year": 2027,
    "source": "test data, not the State Council's notice",
    "days_off": "2027-01-01\n2027-02-05 至 2027-02-11",
    "adjusted_working_days": "2027-01-03",
}
PROVISIONAL_WORDS = "该年节假日安排尚未公布"


def form(**changes: str) -> dict[str, str]:
    return {key: str(value) for key, value in {**FICTIONAL_2027, **changes}.items()}


@pytest.fixture
def admin(app):
    return gen_admin()


def signed_in(app, user) -> tuple[Any, AuthActions]:
    """A new browser session signed in as ``user``."""
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(user.username)
    return client, auth


def test_a_notice_of_2026_12_28_is_provisional_until_2027_is_added(
    app, prep: Preparation, official, admin, client, auth
) -> None:
    # the whole story on Mon 2026-12-28: the notice is posted, then the 2027 arrangement is added the same day
    with travel_to(date(2026, 12, 28)):
        notice = notices.publish(prep.group, "members", date(2026, 12, 28), official.id)
        db.session.commit()
        # Tue 29, Wed 30, Thu 31; New Year's Day; the weekend may be worked or not, so it is not counted; Mon 4, Tue 5
        assert notice.ends_on == date(2027, 1, 5)

        auth.login(official.username)
        page = client.get(f"/notices/{notice.id}/manage").get_data(as_text=True)
        assert "2027-01-05" in page
        assert PROVISIONAL_WORDS in page
        public = client.get(f"/notices/{notice.token}").get_data(as_text=True)
        assert PROVISIONAL_WORDS in public
        assert PROVISIONAL_PDF_NOTE[:12] in notices_pdf_text(notice)
        api = api_of(client, official)
        assert api.get(f"/notices/{notice.id}").get_json()["ends_on_provisional"] is True

        client, auth = signed_in(app, admin)
        listed = client.get("/admin/holidays").get_data(as_text=True)
        assert 'data-year="2027" data-state="provisional"' in listed

        preview = client.post("/admin/holidays/preview", data={**form(), "csrf_token": auth.csrf("/admin/holidays")})
        shown = preview.get_data(as_text=True)
        assert preview.status_code == 200, shown
        assert 'data-moves="1"' in shown
        assert "2027-01-05" in shown
        assert "2027-01-04" in shown
        assert 2027 not in current_calendar().years  # nothing stored by the preview
        db.session.refresh(notice)
        assert notice.ends_on == date(2027, 1, 5)

        confirm_token = auth.csrf("/admin/holidays")
        document = _hidden_document(shown)
        added = client.post("/admin/holidays/confirm", data={"document": document, "csrf_token": confirm_token})
        assert added.status_code == 302
        db.session.expire_all()
        assert 2027 in current_calendar().years
        assert db.session.get(Notice, notice.id).ends_on == date(2027, 1, 4)  # Tue 29, Wed 30, Thu 31, Sun 3, Mon 4
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.recompute")).one()
        assert event.summary == {"year": 2027, "subject": "notice", "before": "2027-01-05", "after": "2027-01-04"}
        assert event.community_id == prep.group.community_id
        assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "calendar.add_year")).one()

        client, auth = signed_in(app, official)
        community_page = client.get(f"/communities/{prep.group.community_id}").get_data(as_text=True)
        assert 'id="recomputed"' in community_page
        assert 'data-recomputed="2027-01-04"' in community_page
        again = client.get(f"/notices/{notice.id}/manage").get_data(as_text=True)
        assert "2027-01-04" in again
        assert PROVISIONAL_WORDS not in again


def test_a_bad_arrangement_is_refused_in_chinese_and_changes_nothing(admin, client, auth):
    auth.login(admin.username)
    token = auth.csrf("/admin/holidays")
    bad_line = client.post("/admin/holidays/preview", data={**form(days_off="元旦放三天"), "csrf_token": token})
    assert bad_line.status_code == 200
    assert "第 1 行" in bad_line.get_data(as_text=True)
    weekday = client.post(
        "/admin/holidays/preview", data={**form(adjusted_working_days="2027-01-04"), "csrf_token": token}
    )
    assert weekday.status_code == 200
    assert "不能使用" in weekday.get_data(as_text=True)
    shipped = client.post("/admin/holidays/preview", data={**form(year="2026"), "csrf_token": token})
    assert "节假日日历中已有 2026 年" in shipped.get_data(as_text=True)
    assert 2027 not in current_calendar().years
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("calendar.%"))).all() == []


def test_a_year_already_official_is_refused(admin, client, auth):
    add_holiday_year(
        {"year": 2027, "source": "test data", "days_off": [["2027-01-01", "2027-01-03"]], "adjusted_working_days": []}
    )
    db.session.commit()
    auth.login(admin.username)
    again = client.post("/admin/holidays/preview", data={**form(), "csrf_token": auth.csrf("/admin/holidays")})
    assert "节假日日历中已有 2027 年" in again.get_data(as_text=True)
    assert 'id="preview"' not in again.get_data(as_text=True)


def test_only_administrators_see_or_change_the_calendar(official, client, auth):
    auth.login(official.username)
    assert client.get("/admin/holidays").status_code == 403
    token = auth.csrf("/account/tokens")
    assert client.post("/admin/holidays/preview", data={**form(), "csrf_token": token}).status_code == 403
    assert client.post("/admin/holidays/confirm", data={"document": "{}", "csrf_token": token}).status_code == 403


@pytest.mark.parametrize(("day", "warned"), [(date(2026, 10, 31), False), (date(2026, 11, 1), True)], ids=str)
def test_administrators_are_warned_from_1_november(admin, client, auth, day, warned):
    with travel_to(day):
        auth.login(admin.username)
        page = client.get("/").get_data(as_text=True)
    assert ('data-holiday-warning="2027"' in page) is warned


def notices_pdf_text(notice: Notice) -> str:
    """The text layer of the notice's PDF (pdftotext), or skip without poppler."""
    import shutil
    import subprocess
    import tempfile

    from app.preparation.notice_pdf import notice_pdf

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        community = db.session.get_one(Community, notice.community_id)
        handle.write(notice_pdf(notice, community, "http://localhost/notices/x"))
        handle.flush()
        return (
            subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True, timeout=60)
            .stdout.replace("\n", "")
            .replace(" ", "")
        )


def _hidden_document(page: str) -> str:
    import html
    import re

    match = re.search(r'<input[^>]*name="document"[^>]*value="([^"]*)"', page)
    assert match, "no document to confirm in the preview"
    return html.unescape(match.group(1))
