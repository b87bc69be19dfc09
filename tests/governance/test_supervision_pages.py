"""The township's supervision through its pages: the section on the community page, the supervision page and its
forms, one act's page, the public notice of a revocation; who may act and who may only read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.governance import bodies
from app.governance.supervision_models import SupervisionAction
from app.roll.services import today
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.pipeline import body_account
from tests.governance.test_supervision_helpers import InOffice, gen_in_office

DECISION = "业委会2026年第3号决定：更换小区门禁系统供应商"
GROUND = "《绍兴市物业管理条例》第十九条"


@pytest.fixture
def in_office(app: Any, client: FlaskClient) -> InOffice:
    made = gen_in_office()
    client.get("/lang/en")
    return made


def _acts() -> list[SupervisionAction]:
    return list(db.session.scalars(select(SupervisionAction).order_by(SupervisionAction.id)))


def _order_data(**changes: Any) -> dict[str, Any]:
    day = today()
    data = {
        "decision": DECISION,
        "decision_on": (day - timedelta(days=5)).isoformat(),
        "findings": "未经业主大会表决",
        "due_on": (day + timedelta(days=15)).isoformat(),
    }
    return {**data, **changes}


def _flashes(client: FlaskClient, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_the_township_orders_a_correction_and_records_the_compliance(
    client: FlaskClient, auth: AuthActions, in_office: InOffice
) -> None:
    community = in_office.community
    auth.login(in_office.official.username)
    page = f"/communities/{community.id}"
    shown = client.get(page).get_data(as_text=True)
    assert 'id="supervision"' in shown
    assert "Supervise the committee" in shown
    index = f"{page}/supervision"
    assert "Order a decision corrected by a date" in client.get(index).get_data(as_text=True)
    response = auth.post(f"{index}/orders", _order_data(), index)
    assert response.status_code == 302
    [order] = _acts()
    assert response.headers["Location"] == f"/supervision/{order.id}"
    shown = client.get(page).get_data(as_text=True)
    assert DECISION in shown
    assert "open: to be corrected by" in shown
    assert "(15 days left)" in shown
    act_page = f"/supervision/{order.id}"
    assert "Record that the decision was corrected" in client.get(act_page).get_data(as_text=True)
    data = {"complied_on": today().isoformat(), "note": "已撤回原决定"}
    assert auth.post(f"{act_page}/compliance", data, act_page).status_code == 302
    db.session.expire_all()
    assert order.status == "complied"
    shown = client.get(page).get_data(as_text=True)
    assert f"complied with on {today()}" in shown


def test_an_overdue_order_says_so_in_words(client: FlaskClient, auth: AuthActions, in_office: InOffice) -> None:
    from app.governance import supervision

    day = today()
    order = supervision.order_correction(
        in_office.community, DECISION, day - timedelta(days=5), "未经表决", day + timedelta(days=10), None
    )
    order.acted_on, order.due_on = day - timedelta(days=20), day - timedelta(days=3)  # as if given earlier
    db.session.commit()
    auth.login(in_office.official.username)
    shown = client.get(f"/communities/{in_office.community.id}").get_data(as_text=True)
    assert 'data-overdue="1"' in shown
    assert "1 order to correct a decision is overdue." in shown
    assert f"⚠ overdue by 3 days: to be corrected by {order.due_on}" in shown
    assert "overdue by 3 days" in client.get(f"/supervision/{order.id}").get_data(as_text=True)


def test_bad_input_is_told_and_changes_nothing(client: FlaskClient, auth: AuthActions, in_office: InOffice) -> None:
    auth.login(in_office.official.username)
    index = f"/communities/{in_office.community.id}/supervision"
    auth.post(f"{index}/orders", _order_data(due_on=""), index)
    assert "To be corrected by: This field is required." in _flashes(client, index)
    auth.post(f"{index}/orders", _order_data(due_on=today().isoformat()), index)
    assert "The day to correct by must come after today and within a year." in _flashes(client, index)
    auth.post(
        f"{index}/revocations", {"decision": DECISION, "decision_on": today().isoformat(), "findings": "x"}, index
    )
    assert "Legal ground: This field is required." in _flashes(client, index)
    auth.post(f"{index}/revocations", {"decision": "", "findings": "违规", "legal_ground": GROUND}, index)
    assert "Decision concerned: This field is required (at most 500 characters)." in _flashes(client, index)
    assert _acts() == []


def test_a_revocation_is_published_to_the_owners_on_a_public_page(
    client: FlaskClient, auth: AuthActions, in_office: InOffice, app: Any
) -> None:
    community = in_office.community
    auth.login(in_office.official.username)
    index = f"/communities/{community.id}/supervision"
    auth.post(f"{index}/orders", _order_data(), index)
    [order] = _acts()
    assert f'<option value="{order.id}">' in client.get(index).get_data(as_text=True)
    data = {"order_id": str(order.id), "findings": "未经业主大会表决", "legal_ground": GROUND}
    response = auth.post(f"{index}/revocations", data, index)
    assert response.status_code == 302
    db.session.expire_all()
    revocation = _acts()[-1]
    assert (revocation.kind, revocation.order_id, order.status) == ("revocation", order.id, "revoked")
    staff = client.get(response.headers["Location"]).get_data(as_text=True)
    assert revocation.notice_sha256 in staff
    assert "not corrected: the decision was revoked" in client.get(f"/supervision/{order.id}").get_data(as_text=True)

    public = f"/supervision-notices/{revocation.notice_token}"
    anonymous = app.test_client()
    shown = anonymous.get(public)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert revocation.notice_title in text
    assert GROUND in text
    assert DECISION in text
    assert 'lang="zh-CN"' in text
    pdf = anonymous.get(f"{public}.pdf")
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf.mimetype == "application/pdf"
        assert pdf.data.startswith(b"%PDF")
    assert anonymous.get("/supervision-notices/not-the-token").status_code == 404
    assert anonymous.get("/supervision-notices/not-the-token.pdf").status_code == 404


def test_the_township_calls_a_re_election(client: FlaskClient, auth: AuthActions, in_office: InOffice) -> None:
    community = in_office.community
    auth.login(in_office.official.username)
    index = f"/communities/{community.id}/supervision"
    assert "Call the meeting" in client.get(index).get_data(as_text=True)
    assert auth.post(f"{index}/re-election", {"reasons": "拒不公开公共收益"}, index).status_code == 302
    db.session.expire_all()
    assert community.governance == "re_election"
    shown = client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert 'data-event="form_re_election_group"' in shown
    assert "拒不公开公共收益" in shown
    assert "A re-election is already under way in this community." in client.get(index).get_data(as_text=True)


def test_the_call_is_refused_without_a_committee(client: FlaskClient, auth: AuthActions, app: Any) -> None:
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    db.session.commit()
    client.get("/lang/en")
    auth.login(official.username)
    index = f"/communities/{community.id}/supervision"
    assert "there is no committee to re-elect" in client.get(index).get_data(as_text=True)
    auth.post(f"{index}/re-election", {"reasons": "严重损害业主权益"}, index)
    shown = _flashes(client, index)
    assert "The community has no owners&#39; committee in office: there is no committee to re-elect." in shown
    db.session.expire_all()
    assert community.governance == "no_assembly"
    assert _acts() == []


def test_members_read_and_cannot_act_others_see_nothing(
    client: FlaskClient, auth: AuthActions, in_office: InOffice, app: Any
) -> None:
    from app.governance import supervision

    community = in_office.community
    order = supervision.order_correction(
        community, DECISION, today(), "未经表决", today() + timedelta(days=10), in_office.official.id
    )
    committee = bodies.in_office(community)
    assert committee is not None
    member = body_account(community, committee, "a-committee-member", office="member")  # the body supervised
    outsider = gen_official(gen_township())
    db.session.commit()
    index = f"/communities/{community.id}/supervision"
    posts = {
        f"{index}/orders": _order_data(),
        f"{index}/revocations": {
            "decision": DECISION,
            "decision_on": today().isoformat(),
            "findings": "x",
            "legal_ground": GROUND,
        },
        f"{index}/re-election": {"reasons": "严重损害"},
        f"/supervision/{order.id}/compliance": {"complied_on": today().isoformat(), "note": "已改正"},
    }
    auth.login(member.username)
    shown = client.get(index).get_data(as_text=True)
    assert DECISION in shown
    assert "Record the order" not in shown
    assert "Record the compliance" not in client.get(f"/supervision/{order.id}").get_data(as_text=True)
    for url, data in posts.items():
        assert auth.post(url, data).status_code == 403, url
    auth.post("/logout")
    auth.login(outsider.username)
    assert client.get(index).status_code == 404
    assert client.get(f"/supervision/{order.id}").status_code == 404
    for url, data in posts.items():
        assert auth.post(url, data).status_code == 404, url
    db.session.expire_all()
    assert [(a.kind, a.status) for a in _acts()] == [("order", "open")]
    assert community.governance == "committee"


def test_the_section_stays_away_from_communities_without_a_body_or_an_act(
    client: FlaskClient, auth: AuthActions, app: Any
) -> None:
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    db.session.commit()
    auth.login(official.username)
    assert 'id="supervision"' not in client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionAction)) == 0
