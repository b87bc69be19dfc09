"""Issue 16 item 1: nothing staff can read links an owner to their ballot in the result package.

The attacks of the security sweep, played again as a township official, a teller, an observer and a group member:
- issue a credential for a named owner, read the audit event, find the pseudonym (or receipt) in the package;
- match a voter's "voted at" to the package's exact `cast_at`;
- match the k-th event of a letters batch to the k-th unit (tests/voting/test_letters.py: the order is random);
- carry a pseudonym from one meeting's package to another's.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.extensions import db
from app.results import closing, count_runs
from app.roll.weights import voter_pseudonym
from app.voting import ballots, credentials
from app.voting.ballots import receipt_code
from app.voting.models import MeetingVoter
from tests.api.test_voting_api import api_of
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.results.helpers_lifecycle import end_window
from tests.voting.helpers import OpenMeeting, gen_open_meeting


def _counted(opened: OpenMeeting, official: User) -> dict[str, Any]:
    """Every owner votes (by phone, paper, phone …); the meeting is closed and counted: its package."""
    for number, voter in enumerate(v for v in opened.voters if not v.is_developer):
        choices = {str(opened.motion.id): "yes" if number % 3 else "no"}
        ballots.cast(voter, choices, "paper" if number % 4 == 1 else "phone")
    end_window(opened.meeting)
    closing.close(opened.meeting)
    result = count_runs.count(opened.meeting, official.id)
    db.session.commit()
    package: dict[str, Any] = json.loads(result.package)
    return package


def _secrets_of(package: dict[str, Any]) -> set[str]:
    """What would link an owner to a ballot: the voters' pseudonyms and the ballots' receipts (hash and code)."""
    pseudonyms = {str(entry["voter"]) for entry in package["roll"]["voters"]} - {"developer"}
    receipts = {str(entry["receipt"]) for entry in package["ledger"]["ballots"]}
    return pseudonyms | receipts | {receipt_code(receipt) for receipt in receipts}


def test_no_audit_event_and_no_staff_page_holds_a_pseudonym_or_a_receipt_of_the_package(app: Flask) -> None:
    township = gen_township()
    community = gen_community(township, "连不上小区")
    official = gen_official(township)
    readers = {
        "official": official,
        "observer": gen_official(township, role=Role.OBSERVER),
        "teller": gen_member(community, role=Role.TELLER),
        "member": gen_member(community),
    }
    opened = gen_open_meeting(community, official)
    target = next(v for v in opened.voters if not v.is_developer)
    credentials.issue(target, official.id)  # the attack's first step: a letter for a named owner …
    credentials.issue(target, official.id)  # … and a reissue
    package = _counted(opened, official)
    secrets = _secrets_of(package)
    assert len(secrets) > 3 * len(opened.voters) - 10  # the package holds them, as it must

    # every audit event any reader could be shown
    for event in db.session.scalars(select(AuditEvent)):
        text = json.dumps(event.summary, ensure_ascii=False)
        assert not [secret for secret in secrets if secret in text], event.action

    meeting_id = opened.meeting.id
    pages = ["/audit", "/audit?page=2", "/audit?page=3", f"/meetings/{meeting_id}/voters"]
    pages += [f"/meetings/{meeting_id}/turnout", f"/meetings/{meeting_id}/outbox", f"/meetings/{meeting_id}"]
    for role, user in readers.items():
        client = app.test_client()
        AuthActions(client).login(user.username)
        for page in pages:
            response = client.get(page)
            assert response.status_code in (200, 403), (role, page)
            body = response.get_data(as_text=True)
            assert not [secret for secret in secrets if secret in body], (role, page)
        api = api_of(client, user)
        for url in ("/audit/events", f"/meetings/{meeting_id}/voters", f"/meetings/{meeting_id}/turnout"):
            response = api.get(url)
            assert not [secret for secret in secrets if secret in response.get_data(as_text=True)], (role, url)

    # the ledger says on which day a ballot was cast, never when: staff see when a named owner voted
    assert {b["cast_at"] for b in package["ledger"]["ballots"]}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", b["cast_at"]) for b in package["ledger"]["ballots"])
    # the meeting's published roll root is the package's
    assert package["meeting"]["roll_fingerprint"] == package["roll"]["root"] == opened.meeting.roll_root


def test_pseudonyms_are_keyed_per_meeting(app: Flask) -> None:
    """Nobody without the data key computes a named owner's pseudonym from the roll's look-ups, and one owner's
    pseudonyms in two meetings do not match."""
    township = gen_township()
    official = gen_official(township)
    first = gen_open_meeting(gen_community(township, "第一小区"), official)
    second = gen_open_meeting(gen_community(township, "第二小区"), official)
    voter = next(v for v in first.voters if not v.is_developer)
    unit = db.session.get_one(MeetingVoter, voter.id)
    twin = next(v for v in second.voters if v.unit_key == unit.unit_key)  # the same demo owners, the same unit
    assert voter.voter_key != twin.voter_key
    assert {v.voter_key for v in first.voters} & {v.voter_key for v in second.voters} == {"developer"}
    # the unkeyed pseudonym of the roll version (the hash of the look-ups) is not the package's
    from app.roll.models import RollUnit

    units = db.session.scalars(select(RollUnit).where(RollUnit.roll_version_id == first.meeting.roll_version_id))
    owners = next(
        frozenset(owner.id_number_lookup for owner in u.owners) for u in units if u.label in voter.units_label
    )
    assert voter_pseudonym(owners) != voter.voter_key
