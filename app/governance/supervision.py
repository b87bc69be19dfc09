"""The township's supervision of the committee in office (the city policy's item 15; docs/supervision.md).

"业主委员会作出违反法律法规和议事规则、管理规约的决定，镇乡（街道）应当责令限期整改，拒不整改的依法依规撤销其决定，并公告
业主。业主委员会不依法履行职责，严重损害业主权益的，镇乡（街道）指导业主大会召开临时会议，重新选举业主委员会。"

Three acts, each recorded (`SupervisionAction`) and audited in the caller's transaction; a refused act stores nothing
and says why in the user's language:

- `order_correction`: the committee (or property management committee) in office must correct a decision by a day;
  later `record_compliance`, or the order stays open and is overdue once its day has passed (`order_state`, computed,
  never stored);
- `revoke`: the township revokes a decision that breaks the law or the rules of procedure, with the legal ground,
  optionally the order it was not corrected under; a public notice to the owners in Chinese is published with it
  (`notice_text`, `revocation_pdf`), for at least 5 working days (Shaoxing Art 9);
- `call_re_election`: the township calls a temporary assembly meeting to re-elect a committee that seriously harms the
  owners' interests; the community moves to ``re_election`` through the state machine (event
  ``form_re_election_group`` with ``township_called``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.services import current_calendar, notice_is_provisional, provisional_pdf_note
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.governance.services import transition
from app.governance.supervision_models import SupervisionAction
from app.roll.services import today
from app.rules.calendar import CalendarMissing, notice_end
from app.rules.governance import Facts
from app.rules.preparation import NOTICE_WORKING_DAYS
from app.text import required_text

#: an order's day is after the day it is given, and within a year of it (a later day is most likely a typing error)
MAX_ORDER_DAYS = 365

KIND_LABELS: dict[str, Any] = {
    "order": _l("Order to correct a decision"),
    "revocation": _l("Revocation of a decision"),
    "re_election": _l("Temporary assembly meeting called to re-elect the committee"),
}

#: the names of the bodies as printed on the notice
BODY_NAMES = {"committee": "业主委员会", "pmc": "物业管理委员会"}
#: the city policy the notice cites (the seed's item 15)
POLICY = "《关于进一步加强住宅小区物业管理工作的实施意见（试行）》"


def _scope(community: Community) -> dict[str, Any]:
    return {"township_id": community.township_id, "community_id": community.id}


def _body_in_office(community: Community) -> GoverningBody:
    body = bodies.in_office(community)
    if body is None:
        raise DomainError(
            "no_body_in_office",
            _l("The community has no owners' committee or property management committee in office."),
            status=409,
        )
    return body


def _decision(body: GoverningBody, decision: str, decision_on: date | None, on: date) -> tuple[str, date]:
    text = required_text(decision, "decision", 500)
    if decision_on is None:
        raise DomainError("invalid_decision_on", _l("Give the day the decision was made."), field="decision_on")
    if decision_on > on or decision_on < body.formed_on:
        raise DomainError(
            "decision_date_out_of_range",
            _l(
                "The decision must have been made between the body's formation (%(formed)s) and today.",
                formed=body.formed_on,
            ),
            field="decision_on",
        )
    return text, decision_on


def order_correction(
    community: Community,
    decision: str,
    decision_on: date | None,
    findings: str,
    due_on: date | None,
    user_id: int | None,
    *,
    on: date | None = None,
) -> SupervisionAction:
    """Order the body in office to correct ``decision`` by ``due_on`` (责令限期改正)."""
    on = on or today()
    body = _body_in_office(community)
    decision, decision_on = _decision(body, decision, decision_on, on)
    findings = required_text(findings, "findings", 2000, multiline=True)
    if due_on is None or not on < due_on <= on + timedelta(days=MAX_ORDER_DAYS):
        raise DomainError(
            "invalid_due_on",
            _l("The day to correct by must come after today and within a year."),
            field="due_on",
        )
    order = SupervisionAction(
        community_id=community.id,
        kind="order",
        body_id=body.id,
        acted_on=on,
        decision=decision,
        decision_on=decision_on,
        findings=findings,
        due_on=due_on,
        status="open",
        created_by_id=user_id,
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "supervision.order",
        "supervision_action",
        order.id,
        {"body": body.id, "kind": body.kind, "decision_on": decision_on.isoformat(), "due_on": due_on.isoformat()},
        **_scope(community),
    )
    return order


def _open_order(order: SupervisionAction) -> None:
    if order.kind != "order":
        raise DomainError("not_an_order", _l("This is not an order to correct a decision."), status=409)
    if order.status != "open":
        raise DomainError("order_resolved", _l("This order has been dealt with already."), status=409)


def record_compliance(
    order: SupervisionAction, complied_on: date | None, note: str, user_id: int | None, *, on: date | None = None
) -> SupervisionAction:
    """The body corrected the decision on ``complied_on`` (late when after the order's day: still recorded)."""
    on = on or today()
    _open_order(order)
    if complied_on is None or complied_on < order.acted_on or complied_on > on:
        raise DomainError(
            "invalid_complied_on",
            _l("The decision can have been corrected only between the order (%(d)s) and today.", d=order.acted_on),
            field="complied_on",
        )
    order.resolution_note = required_text(note, "note", 2000, multiline=True)
    order.status, order.resolved_on, order.resolved_by_id = "complied", complied_on, user_id
    db.session.flush()
    community = db.session.get_one(Community, order.community_id)
    audit.record(
        "supervision.comply",
        "supervision_action",
        order.id,
        {"complied_on": complied_on.isoformat(), "late": order.due_on is not None and complied_on > order.due_on},
        **_scope(community),
    )
    return order


def notice_text(
    community: Community,
    body_kind: str,
    decision: str,
    decision_on: date,
    findings: str,
    legal_ground: str,
    order: SupervisionAction | None,
    on: date,
) -> tuple[str, str]:
    """The Chinese title and text of the revocation's public notice to the owners (公告)."""
    name = BODY_NAMES.get(body_kind, BODY_NAMES["committee"])
    township = community.township.name
    title = f"关于撤销{community.name}{name}决定的公告"
    lines = [
        f"{community.name}全体业主：",
        "",
        f"{community.name}{name}于{_chinese_date(decision_on)}作出如下决定：",
        decision,
        "",
        "经审查，该决定违反法律法规或者业主大会议事规则、管理规约的规定：",
        findings,
        "",
        "依据：",
        legal_ground,
        "",
    ]
    if order is not None and order.due_on is not None:
        lines += [
            f"{township}已于{_chinese_date(order.acted_on)}责令{name}于{_chinese_date(order.due_on)}前改正该决定，"
            f"{name}未予改正。",
            "",
        ]
    lines += [
        f"根据{POLICY}第十五条，{township}决定撤销上述决定，特此公告。",
        "",
        township,
        _chinese_date(on),
    ]
    return title, "\n".join(lines)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def revoke(
    community: Community,
    decision: str,
    decision_on: date | None,
    findings: str,
    legal_ground: str,
    user_id: int | None,
    *,
    order: SupervisionAction | None = None,
    on: date | None = None,
) -> SupervisionAction:
    """Revoke a decision that breaks the law or the rules of procedure (撤销), and publish the notice to the owners.

    With ``order``, the decision is the one that order concerned (its text and day are taken from it) and the order
    ends as ``revoked``; without, the decision is one of the body in office.
    """
    on = on or today()
    if order is not None:
        if order.community_id != community.id:
            raise DomainError("invalid_order_id", _l("Choose an order of this community."), field="order_id")
        _open_order(order)
        body = db.session.get(GoverningBody, order.body_id) if order.body_id is not None else None
        if body is None:
            raise DomainError("invalid_order_id", _l("Choose an order of this community."), field="order_id")
        decision, decision_on = order.decision, order.decision_on
    else:
        body = _body_in_office(community)
    decision, decision_on = _decision(body, decision, decision_on, on)
    findings = required_text(findings, "findings", 2000, multiline=True)
    legal_ground = required_text(legal_ground, "legal_ground", 1000, multiline=True)
    title, text = notice_text(community, body.kind, decision, decision_on, findings, legal_ground, order, on)
    try:
        ends_on: date | None = notice_end(current_calendar(), on, NOTICE_WORKING_DAYS)
    except CalendarMissing:  # the notice is published all the same; the page says "at least 5 working days"
        ends_on = None
    revocation = SupervisionAction(
        community_id=community.id,
        kind="revocation",
        body_id=body.id,
        acted_on=on,
        decision=decision,
        decision_on=decision_on,
        findings=findings,
        legal_ground=legal_ground,
        status="recorded",
        order_id=order.id if order is not None else None,
        notice_token=secrets.token_urlsafe(16),
        notice_title=title,
        notice_body=text,
        notice_sha256=hashlib.sha256(text.encode()).hexdigest(),
        notice_ends_on=ends_on,
        created_by_id=user_id,
    )
    if order is not None:
        order.status, order.resolved_on, order.resolved_by_id = "revoked", on, user_id
    db.session.add(revocation)
    db.session.flush()
    audit.record(
        "supervision.revoke",
        "supervision_action",
        revocation.id,
        {
            "body": body.id,
            "kind": body.kind,
            "decision_on": decision_on.isoformat(),
            "order": revocation.order_id,
            "sha256": revocation.notice_sha256,
        },
        **_scope(community),
    )
    return revocation


def call_re_election(
    community: Community, reasons: str, user_id: int | None, *, on: date | None = None
) -> SupervisionAction:
    """Call a temporary assembly meeting to re-elect the committee in office, which seriously harms the owners'
    interests; the community moves to ``re_election`` (a re-election group organises the election)."""
    on = on or today()
    body = bodies.in_office(community)
    if body is None or body.kind != "committee":
        raise DomainError(
            "no_committee",
            _l("The community has no owners' committee in office: there is no committee to re-elect."),
            status=409,
        )
    if community.governance == "re_election":
        raise DomainError(
            "re_election_under_way", _l("A re-election is already under way in this community."), status=409
        )
    reasons = required_text(reasons, "reasons", 2000, multiline=True)
    event = transition(
        community,
        "form_re_election_group",
        on,
        facts=Facts(township_called=True),
        reason=reasons,
        user_id=user_id,
    )
    call = SupervisionAction(
        community_id=community.id,
        kind="re_election",
        body_id=body.id,
        acted_on=on,
        findings=reasons,
        status="recorded",
        governance_event_id=event.id,
        created_by_id=user_id,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(
        "supervision.re_election",
        "supervision_action",
        call.id,
        {"body": body.id, "governance_event": event.id},
        **_scope(community),
    )
    return call


# --- reading ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderState:
    """Where an order stands on a day: ``open`` (``days`` left, 0 on its last day), ``overdue`` (``days`` past its
    day), ``complied`` (``days`` late, 0 in time) or ``revoked``."""

    state: str
    days: int = 0


def order_state(order: SupervisionAction, on: date) -> OrderState:
    due = order.due_on or order.acted_on
    if order.status == "complied":
        resolved = order.resolved_on or due
        return OrderState("complied", max((resolved - due).days, 0))
    if order.status == "revoked":
        return OrderState("revoked")
    if on > due:
        return OrderState("overdue", (on - due).days)
    return OrderState("open", (due - on).days)


def actions(community: Community) -> list[SupervisionAction]:
    """The community's supervision acts, the latest first."""
    return list(
        db.session.scalars(
            select(SupervisionAction)
            .where(SupervisionAction.community_id == community.id)
            .order_by(SupervisionAction.acted_on.desc(), SupervisionAction.id.desc())
        )
    )


def open_orders(community: Community) -> list[SupervisionAction]:
    """The orders not yet complied with nor followed by a revocation, the oldest day first."""
    return list(
        db.session.scalars(
            select(SupervisionAction)
            .where(
                SupervisionAction.community_id == community.id,
                SupervisionAction.kind == "order",
                SupervisionAction.status == "open",
            )
            .order_by(SupervisionAction.due_on, SupervisionAction.id)
        )
    )


def by_token(token: str) -> SupervisionAction | None:
    return db.session.scalar(select(SupervisionAction).where(SupervisionAction.notice_token == token))


def revocation_pdf(revocation: SupervisionAction, community: Community, public_url: str) -> bytes:
    """The revocation's notice as an A4 PDF in Chinese: title, community, period, text, hash and link.
    Without the Chinese font it raises `MissingFont` (app.roll.notice_pdf)."""
    from app.preparation.notice_pdf import WRAPPED
    from app.roll.notice_pdf import _document

    pdf = _document()
    pdf.set_title(f"{community.name} {revocation.notice_title}")
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.multi_cell(0, 9, revocation.notice_title, **{**WRAPPED, "align": "C"})
    pdf.set_font_size(10)
    pdf.ln(2)
    if revocation.notice_ends_on:
        period = f"公告期：{revocation.acted_on} 至 {revocation.notice_ends_on}"
    else:
        period = f"公告期：自 {revocation.acted_on} 起"
    provisional = notice_is_provisional(revocation.acted_on, revocation.notice_ends_on)
    period += "（不少于 5 个工作日，《绍兴市物业管理条例》第九条）" + provisional_pdf_note(provisional)
    pdf.multi_cell(0, 6, period, **WRAPPED)
    pdf.ln(3)
    pdf.set_font_size(11)
    for line in revocation.notice_body.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 6.5, line, **WRAPPED)
        else:
            pdf.ln(3)
    pdf.ln(4)
    pdf.set_font_size(9)
    pdf.multi_cell(0, 5, f"公告文本 SHA-256：{revocation.notice_sha256}", **WRAPPED)
    pdf.multi_cell(0, 5, f"网上查看：{public_url}", **WRAPPED)
    return bytes(pdf.output())
