"""The township's supervision through its services (the city policy's item 15): orders to correct a decision by a
date and their compliance or overdue state, revocations with their Chinese notice, calls to re-elect the committee;
every refusal stores nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.calendar.services import current_calendar
from app.extensions import db
from app.governance import supervision
from app.governance.models import GovernanceEvent
from app.governance.supervision_models import SupervisionAction
from app.roll.services import today
from app.rules.calendar import notice_end
from tests.factories import gen_community, gen_official, gen_township
from tests.governance.test_supervision_helpers import InOffice, gen_body, gen_in_office
from tests.preparation.helpers import refused

DECISION = "业委会2026年第3号决定：将小区东侧绿地改建为收费停车场"
FINDINGS = "未经业主大会表决，擅自改变共有部分用途"
GROUND = "《中华人民共和国民法典》第二百七十八条；《绍兴市物业管理条例》第十九条"


@pytest.fixture
def in_office(app: Any) -> InOffice:
    return gen_in_office()


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _actions(community_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.community_id == community_id)))


def _order(made: InOffice, due_in: int = 30) -> SupervisionAction:
    day = today()
    return supervision.order_correction(
        made.community, DECISION, day - timedelta(days=10), FINDINGS, day + timedelta(days=due_in), made.official.id
    )


# --- orders to correct a decision by a date ------------------------------------------------------------------------


def test_an_order_is_recorded_open_then_overdue_once_its_day_has_passed(in_office: InOffice) -> None:
    order = _order(in_office)
    assert (order.kind, order.status, order.body_id) == ("order", "open", in_office.body.id)
    assert order.acted_on == today()
    assert "supervision.order" in _actions(in_office.community.id)
    due = order.due_on
    assert due is not None
    assert supervision.order_state(order, today()) == supervision.OrderState("open", 30)
    assert supervision.order_state(order, due) == supervision.OrderState("open", 0)
    assert supervision.order_state(order, due + timedelta(days=1)) == supervision.OrderState("overdue", 1)
    assert order.status == "open"  # overdue is computed, never stored
    assert supervision.open_orders(in_office.community) == [order]


def test_compliance_is_recorded_with_its_note_late_or_in_time(in_office: InOffice) -> None:
    order = _order(in_office)
    supervision.record_compliance(order, today(), "已撤回该决定并恢复绿地", in_office.official.id)
    assert (order.status, order.resolved_on, order.resolution_note) == ("complied", today(), "已撤回该决定并恢复绿地")
    assert supervision.order_state(order, today() + timedelta(days=90)) == supervision.OrderState("complied", 0)
    assert "supervision.comply" in _actions(in_office.community.id)
    assert supervision.open_orders(in_office.community) == []
    assert refused(supervision.record_compliance, order, today(), "再次", None).code == "order_resolved"

    late = _order(in_office, due_in=5)
    late.acted_on, late.due_on = today() - timedelta(days=20), today() - timedelta(days=8)  # as if given earlier
    supervision.record_compliance(late, today() - timedelta(days=2), "逾期后改正", None)
    assert supervision.order_state(late, today()) == supervision.OrderState("complied", 6)


def test_bad_orders_are_refused_and_store_nothing(app: Any, in_office: InOffice) -> None:
    community, day, user = in_office.community, today(), in_office.official.id
    before = _count(SupervisionAction)
    formed = in_office.body.formed_on

    def code(decision: str = DECISION, decided: Any = day, findings: str = FINDINGS, due: Any = day + timedelta(7)):
        return refused(supervision.order_correction, community, decision, decided, findings, due, user).code

    assert code(decision=" ") == "invalid_decision"
    assert code(decided=None) == "invalid_decision_on"
    assert code(decided=formed - timedelta(days=1)) == "decision_date_out_of_range"
    assert code(decided=day + timedelta(days=1)) == "decision_date_out_of_range"
    assert code(findings="") == "invalid_findings"
    assert code(due=day) == "invalid_due_on"
    assert code(due=None) == "invalid_due_on"
    assert code(due=day + timedelta(days=supervision.MAX_ORDER_DAYS + 1)) == "invalid_due_on"
    assert _count(SupervisionAction) == before

    order = _order(in_office)
    assert refused(supervision.record_compliance, order, order.acted_on - timedelta(1), "改正", None).code == (
        "invalid_complied_on"
    )
    assert refused(supervision.record_compliance, order, day + timedelta(1), "改正", None).code == "invalid_complied_on"
    assert refused(supervision.record_compliance, order, day, " ", None).code == "invalid_note"
    assert order.status == "open"


def test_without_a_body_in_office_nothing_can_be_ordered_or_revoked(app: Any) -> None:
    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    day = today()
    error = refused(
        supervision.order_correction, community, DECISION, day, FINDINGS, day + timedelta(days=9), official.id
    )
    assert (error.code, error.status) == ("no_body_in_office", 409)
    with force_locale("en"):
        assert "no owners' committee or property management committee in office" in str(error)
    error = refused(supervision.revoke, community, DECISION, day, FINDINGS, GROUND, official.id)
    assert error.code == "no_body_in_office"
    assert _count(SupervisionAction) == 0


# --- revocations and their notice -------------------------------------------------------------------------------------


def test_a_revocation_publishes_a_chinese_notice_to_the_owners(in_office: InOffice) -> None:
    community, day = in_office.community, today()
    revocation = supervision.revoke(community, DECISION, day - timedelta(days=3), FINDINGS, GROUND, None)
    assert (revocation.kind, revocation.status, revocation.order_id) == ("revocation", "recorded", None)
    assert revocation.notice_title == f"关于撤销{community.name}业主委员会决定的公告"
    text = revocation.notice_body
    assert text.startswith(f"{community.name}全体业主：")
    for part in (DECISION, FINDINGS, GROUND, community.township.name, supervision.POLICY + "第十五条"):
        assert part in text
    assert f"{day.year}年{day.month}月{day.day}日" in text
    assert "责令" not in text  # no order came before
    assert revocation.notice_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert revocation.notice_token is not None
    assert len(revocation.notice_token) >= 20
    assert revocation.notice_ends_on == notice_end(current_calendar(), day, 5)
    assert supervision.by_token(revocation.notice_token) is revocation
    assert "supervision.revoke" in _actions(community.id)


def test_revoking_a_decision_not_corrected_under_its_order(in_office: InOffice) -> None:
    order = _order(in_office, due_in=3)
    revocation = supervision.revoke(in_office.community, "", None, FINDINGS, GROUND, None, order=order)
    assert (revocation.decision, revocation.decision_on) == (order.decision, order.decision_on)
    assert revocation.order is order
    assert (order.status, order.resolved_on) == ("revoked", today())
    assert supervision.order_state(order, today() + timedelta(days=30)).state == "revoked"
    assert "责令业主委员会" in revocation.notice_body
    assert "未予改正" in revocation.notice_body
    again = refused(supervision.revoke, in_office.community, "", None, FINDINGS, GROUND, None, order=order)
    assert again.code == "order_resolved"
    complied = _order(in_office)
    supervision.record_compliance(complied, today(), "已改正", None)
    assert refused(supervision.revoke, in_office.community, "", None, FINDINGS, GROUND, None, order=complied).code == (
        "order_resolved"
    )


def test_an_order_of_another_community_cannot_be_revoked_here(in_office: InOffice) -> None:
    other = gen_in_office()
    foreign = _order(other)
    before = _count(SupervisionAction)
    error = refused(supervision.revoke, in_office.community, "", None, FINDINGS, GROUND, None, order=foreign)
    assert error.code == "invalid_order_id"
    assert (foreign.status, _count(SupervisionAction)) == ("open", before)


def test_a_revocation_needs_its_legal_ground_and_findings(in_office: InOffice) -> None:
    order = _order(in_office)
    before = _count(SupervisionAction)
    day = today()
    assert refused(supervision.revoke, in_office.community, DECISION, day, FINDINGS, " ", None).code == (
        "invalid_legal_ground"
    )
    assert refused(supervision.revoke, in_office.community, DECISION, day, "", GROUND, None).code == "invalid_findings"
    assert refused(supervision.revoke, in_office.community, "", day, FINDINGS, GROUND, None).code == "invalid_decision"
    assert refused(supervision.revoke, in_office.community, "", None, FINDINGS, "", None, order=order).code == (
        "invalid_legal_ground"
    )
    assert (_count(SupervisionAction), order.status) == (before, "open")


def test_a_property_management_committees_decision_is_revoked_in_its_name(app: Any) -> None:
    made = gen_in_office("pmc")
    revocation = supervision.revoke(made.community, DECISION, today(), FINDINGS, GROUND, None)
    assert revocation.notice_title == f"关于撤销{made.community.name}物业管理委员会决定的公告"
    assert f"{made.community.name}物业管理委员会于" in revocation.notice_body


def test_the_notice_as_a_pdf(in_office: InOffice) -> None:
    from app.roll.notice_pdf import CJK_FONT

    if not CJK_FONT.exists():
        pytest.skip("the Chinese font (fonts-noto-cjk) is not installed")
    revocation = supervision.revoke(in_office.community, DECISION, today(), FINDINGS, GROUND, None)
    pdf = supervision.revocation_pdf(revocation, in_office.community, "https://example.org/n")
    assert pdf.startswith(b"%PDF")


# --- calling a temporary meeting to re-elect the committee ------------------------------------------------------------


def test_calling_a_re_election_moves_the_community_to_re_election(in_office: InOffice) -> None:
    community = in_office.community
    reasons = "业委会长期不召开会议，拒不公开公共收益，严重损害业主权益"
    call = supervision.call_re_election(community, reasons, in_office.official.id)
    assert community.governance == "re_election"
    event = db.session.get_one(GovernanceEvent, call.governance_event_id)
    assert (event.event, event.from_state, event.to_state, event.reason) == (
        "form_re_election_group",
        "committee",
        "re_election",
        reasons,
    )
    assert event.actor_id == in_office.official.id
    assert (call.kind, call.findings, call.body_id) == ("re_election", reasons, in_office.body.id)
    actions = _actions(community.id)
    assert "supervision.re_election" in actions
    assert "governance.form_re_election_group" in actions
    again = refused(supervision.call_re_election, community, reasons, None)
    assert again.code == "re_election_under_way"


@pytest.mark.parametrize("kind", [None, "pmc"])
def test_without_a_committee_in_office_the_call_is_refused_and_nothing_stored(app: Any, kind: str | None) -> None:
    township = gen_township()
    community = gen_community(township)
    if kind:
        gen_body(community, kind)
    state = community.governance
    events, acts = _count(GovernanceEvent), _count(SupervisionAction)
    error = refused(supervision.call_re_election, community, "严重损害业主权益", None)
    assert (error.code, error.status) == ("no_committee", 409)
    with force_locale("en"):
        assert "no owners' committee in office" in str(error)
    assert (community.governance, _count(GovernanceEvent), _count(SupervisionAction)) == (state, events, acts)


def test_a_call_without_reasons_is_refused(in_office: InOffice) -> None:
    assert refused(supervision.call_re_election, in_office.community, "  ", None).code == "invalid_reasons"
    assert in_office.community.governance == "committee"
    assert _count(SupervisionAction) == 0
