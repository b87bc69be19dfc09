"""Transitions of a community's self-governance, through the one state machine (app/rules/governance.py).

Every transition checks its preconditions there, changes `Community.governance`, appends a GovernanceEvent (the
timeline on the community page) and an audit event, in the caller's transaction. A refused transition changes
nothing and says why in the user's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import services as audit
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance.models import GovernanceEvent
from app.rules.governance import Facts, TransitionRefused, next_state

STATE_LABELS: dict[str, Any] = {
    "no_assembly": _l("No owners' assembly yet"),
    "preparing": _l("Preparatory group preparing the first meeting"),
    "extended": _l("First meeting failed: the group's term is extended by 90 days"),
    "established": _l("Assembly established, no committee: the township decides on a property management committee"),
    "pmc": _l("Property management committee"),
    "committee": _l("Owners' committee"),
    "re_election": _l("Re-election group formed by the township"),
    "runoff": _l("The committee's election waits for its run-off among tied candidates"),
}
EVENT_LABELS: dict[str, Any] = {
    "form_group": _l("Preparatory group formed"),
    "first_meeting_certified": _l("First meeting's result certified"),
    "dissolve_group": _l("Preparatory group dissolved"),
    "convert_to_pmc": _l("Converted into a property management committee"),
    "election_certified": _l("Election certified"),
    "form_re_election_group": _l("Re-election group formed"),
    "runoff_certified": _l("Run-off certified"),
}
REFUSALS: dict[str, Any] = {
    "not_now": _l("This cannot happen while the community is in its present state."),
    "re_election_not_due": _l(
        "A re-election group is formed only when the committee is below half its members, its re-election is late, "
        "or the township called a meeting to re-elect it."
    ),
}


def transition(
    community: Community,
    event: str,
    on: date,
    *,
    facts: Facts | None = None,
    reason: str = "",
    user_id: int | None = None,
    result_id: int | None = None,
) -> GovernanceEvent:
    """Apply ``event``; DomainError (code of the refusal) if the state machine refuses it."""
    before = community.governance
    try:
        after = next_state(before, event, facts or Facts())
    except TransitionRefused as refused:
        message = REFUSALS.get(refused.code, _l("This change is not possible: %(why)s", why=refused.reason))
        raise DomainError(refused.code, message, status=409) from refused
    community.governance = after
    if after in ("committee", "established", "runoff") and community.assembly_established_on is None:
        community.assembly_established_on = on
    row = GovernanceEvent(
        community_id=community.id,
        event=event,
        from_state=before,
        to_state=after,
        occurred_on=on,
        reason=reason,
        result_id=result_id,
        actor_id=user_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "governance." + event,
        "community",
        community.id,
        {"from": before, "to": after, "on": on.isoformat(), "reason": reason, "result": result_id},
        township_id=community.township_id,
        community_id=community.id,
    )
    return row


def timeline(community: Community) -> list[GovernanceEvent]:
    """The community's transitions, oldest first."""
    return list(
        db.session.scalars(
            select(GovernanceEvent)
            .where(GovernanceEvent.community_id == community.id)
            .order_by(GovernanceEvent.occurred_on, GovernanceEvent.id)
        )
    )
