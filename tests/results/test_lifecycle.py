"""Close, count, publish, object, answer, certify (issue 7 items 1, 2, 5 and 6; DOMAIN §9), on the services."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.calendar.services import current_calendar
from app.extensions import db
from app.results import certification, closing, count_runs, counting, keys
from app.results.models import SigningKey
from app.results.package import LedgerBallot, build_body
from app.results.verify import passed, verify_package
from app.roll.services import today
from app.rules.calendar import surely_working, working_days_between
from app.voting import paper
from app.voting.models import Ballot, MeetingVoter
from tests.factories import gen_member
from tests.preparation.helpers import refused
from tests.results.helpers_lifecycle import Voted, choices, end_window, gen_voted, owner_voters


@pytest.fixture
def voted(app: Any) -> Voted:
    return gen_voted()


def actions() -> list[str]:
    return [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.seq)]


def test_the_window_must_end_before_closing_and_closing_twice_changes_nothing(voted: Voted) -> None:
    assert refused(closing.close, voted.meeting).code == "window_not_over"
    assert refused(closing.close, voted.meeting, early=True).code == "voters_left"  # 10% have not voted
    end_window(voted.meeting)
    assert closing.close_due() == [voted.meeting.id]
    closed_at = voted.meeting.closed_at
    assert closing.close_due() == []
    assert closing.close(voted.meeting) is False
    assert voted.meeting.status == "closed"
    assert voted.meeting.closed_at == closed_at
    assert actions().count("meeting.close") == 1


def test_early_close_once_every_voter_has_voted(app: Any) -> None:
    voted = gen_voted(share=1.0)
    developer = next(v for v in voted.opened.voters if v.is_developer)
    from app.voting import ballots

    ballots.cast(developer, choices(voted.opened, "no"), "phone")
    assert closing.close(voted.meeting, early=True) is True


def test_no_phone_ballot_after_the_close_but_paper_entries_can_be_finished(voted: Voted) -> None:
    from app.voting import ballots

    late = owner_voters(voted)[-1]
    tellers = [gen_member(voted.community, role=Role.TELLER).id for _ in range(2)]
    paper.record_entry(voted.meeting, paper.paper_code(late), tellers[0], choices(voted.opened, "no"))
    end_window(voted.meeting)
    closing.close(voted.meeting)
    assert refused(ballots.cast, owner_voters(voted)[-2], choices(voted.opened), "phone").code == "window_closed"
    assert refused(count_runs.count, voted.meeting, voted.official.id).code == "paper_unsettled"
    paper.record_entry(voted.meeting, paper.paper_code(late), tellers[1], choices(voted.opened, "no"))
    assert closing.unsettled(voted.meeting) == []
    result = count_runs.count(voted.meeting, voted.official.id)
    ledger = json.loads(result.package)["ledger"]["ballots"]
    assert sum(1 for b in ledger if b["channel"] == "paper") == 1


def test_an_unsettled_paper_ballot_is_excluded_with_its_reason_which_the_package_publishes(voted: Voted) -> None:
    late = owner_voters(voted)[-1]
    teller = gen_member(voted.community, role=Role.TELLER).id
    paper.record_entry(voted.meeting, paper.paper_code(late), teller, choices(voted.opened, "no"))
    end_window(voted.meeting)
    closing.close(voted.meeting)
    assert refused(closing.exclude_paper, voted.meeting, late.id, "  ").code == "invalid_reason"
    reason = "第二名计票人无法核对，选票原件污损"
    assert closing.exclude_paper(voted.meeting, late.id, reason) == 1
    package = json.loads(count_runs.count(voted.meeting, voted.official.id).package)
    # without the voter's pseudonym: the tellers know whose paper they set aside (issue 16 item 1)
    assert package["excluded"] == [{"entries": 1, "reason": reason}]
    assert late.voter_key not in {b["voter"] for b in package["ledger"]["ballots"]}
    assert "paper.exclude" in actions()


def counted(voted: Voted) -> Any:
    end_window(voted.meeting)
    closing.close(voted.meeting)
    return count_runs.count(voted.meeting, voted.official.id)


def test_the_count_is_the_engines_signed_by_platform_and_convener_and_verifies(voted: Voted) -> None:
    result = counted(voted)
    package = json.loads(result.package)
    checks = verify_package(package)
    assert passed(checks), [c for c in checks if not c.ok]
    assert {s["role"] for s in package["signatures"]} == {"platform", "convener"}
    voters = owner_voters(voted)
    assert len(package["ledger"]["ballots"]) == round(len(voters) * 0.9)
    assert package["roll"]["root"] == package["meeting"]["roll_fingerprint"]  # the frozen roll's published root
    assert result.outcome["assembly_established"]
    assert result.outcome["governance"] == "committee"
    assert voted.meeting.status == "counted"
    assert refused(count_runs.count, voted.meeting, voted.official.id).code == "already_counted"


def test_private_keys_are_never_stored_in_plain_text(voted: Voted) -> None:
    counted(voted)
    stored = db.session.query(SigningKey).all()
    assert {k.role for k in stored} == {"platform", "convener"}
    for key in stored:
        assert b"PRIVATE KEY" not in key.private_cipher
        assert keys.private_pem(key).startswith(b"-----BEGIN PRIVATE KEY-----")


def test_a_package_signed_before_a_rotation_still_verifies_and_the_old_key_stays_published(voted: Voted) -> None:
    result = counted(voted)
    old = keys.key_in_force("platform")
    new = keys.rotate("platform")
    assert new.key_id != old.key_id
    assert old.retired_at is not None
    assert keys.key_in_force("platform").key_id == new.key_id
    assert passed(verify_package(json.loads(result.package)))
    published = {k["id"]: k for k in keys.published_keys()["keys"]}
    assert published[old.key_id]["retired_at"] is not None
    assert published[new.key_id]["retired_at"] is None


def test_publish_object_answer_then_certify_after_the_notice(voted: Voted) -> None:
    result = counted(voted)
    day = today()
    certification.publish(result, day)
    assert result.objections_until is not None
    # five working days after the day of publication, whatever day that is (Saturday, Sunday, before a holiday …)
    assert working_days_between(current_calendar(), day, result.objections_until) == 5
    assert surely_working(current_calendar(), result.objections_until)
    assert result.objections_until >= day + timedelta(days=5)
    text = "第3幢有业主未收到表决票。"
    objection = certification.record_objection(result, "张某 3幢101", text, day, voted.official.id)
    assert refused(certification.certify, result, result.objections_until, voted.other_official.id).code == (
        "notice_running"
    )
    after = result.objections_until + timedelta(days=1)
    assert refused(certification.record_objection, result, "李某", "迟到的异议", after, None).code == "notice_over"
    assert refused(certification.certify, result, after, voted.other_official.id).code == "objections_open"
    certification.answer_objection(objection, "已核实：第3幢表决票已于投票前送达，签收单附后。", voted.official.id)
    assert refused(certification.certify, result, after, voted.official.id).code == "four_eyes"
    certification.certify(result, after, voted.other_official.id)
    package = json.loads(result.package)
    assert passed(verify_package(package, require_township=True))
    assert {s["role"] for s in package["signatures"]} == {"platform", "convener", "township"}
    assert voted.community.governance == "committee"
    assert voted.community.assembly_established_on == after
    assert {"result.publish", "result.objection", "result.answer", "result.certify"} <= set(actions())


def test_a_refused_result_changes_nothing_in_the_community(voted: Voted) -> None:
    result = counted(voted)
    certification.publish(result, today())
    after = (result.objections_until or today()) + timedelta(days=1)
    assert refused(certification.refuse, result, "", after, voted.other_official.id).code == "invalid_reason"
    certification.refuse(result, "计票未排除重复的纸质票，请核查后重新计票。", after, voted.other_official.id)
    assert result.status == "refused"
    assert voted.community.governance == "preparing"


def test_rules_and_covenant_rejected_leave_the_assembly_unestablished(app: Any) -> None:
    voted = gen_voted(share=0.0)
    for voter in owner_voters(voted):
        from app.voting import ballots

        ballots.cast(voter, choices(voted.opened, "no"), "phone")
    result = counted(voted)
    assert result.outcome["assembly_established"] is False
    assert result.outcome["governance"] == "preparing"


def test_the_official_who_published_or_answered_does_not_certify(voted: Voted) -> None:
    result = counted(voted)
    publisher, answerer = voted.other_official, gen_official_of(voted)
    certification.publish(result, today(), publisher.id)
    objection = certification.record_objection(result, "王某", "请复核。", today(), voted.official.id)
    certification.answer_objection(objection, "已复核。", answerer.id)
    after = (result.objections_until or today()) + timedelta(days=1)
    for who in (voted.official, publisher, answerer):  # counted, published, answered
        assert refused(certification.certify, result, after, who.id).code == "four_eyes"
    certification.certify(result, after, gen_official_of(voted).id)
    assert result.status == "certified"


def test_a_paper_ballot_is_left_out_only_after_the_close(voted: Voted) -> None:
    late = owner_voters(voted)[-1]
    teller = gen_member(voted.community, role=Role.TELLER).id
    paper.record_entry(voted.meeting, paper.paper_code(late), teller, choices(voted.opened, "no"))
    assert refused(closing.exclude_paper, voted.meeting, late.id, "来不及核对").code == "meeting_not_closed"


def gen_official_of(voted: Voted) -> Any:
    from app.communities.models import Township
    from tests.factories import gen_official

    return gen_official(db.session.get_one(Township, voted.community.township_id))


def test_private_keys_are_encrypted_under_a_key_of_their_own(voted: Voted) -> None:
    """Not under the personal-data key: decrypting a private key as personal data fails."""
    from cryptography.exceptions import InvalidTag

    from app.privacy import decrypt

    counted(voted)
    key = db.session.query(SigningKey).first()
    assert key is not None
    with pytest.raises(InvalidTag):
        decrypt(key.private_cipher)
    assert keys.private_pem(key).startswith(b"-----BEGIN PRIVATE KEY-----")


def test_the_encrypted_count_decides_as_the_plaintext_count(voted: Voted) -> None:
    """Issue 17: the counted package is a /2 (its tally decided on the decrypted totals) and has the tally of the
    same ballots counted in the clear (/1, built here only to compare); the stored ballots hold candidate ids as
    numbers, which both read alike."""
    end_window(voted.meeting)
    closing.close(voted.meeting)
    common, _township = counting.common(voted.meeting)
    plain = [
        LedgerBallot(b.receipt_sha256, key, b.channel, counting.cast_on(b.cast_at), b.choices)
        for b, key in db.session.execute(
            select(Ballot, MeetingVoter.voter_key)
            .join(MeetingVoter, MeetingVoter.id == Ballot.meeting_voter_id)
            .where(Ballot.meeting_id == voted.meeting.id)
        )
    ]
    clear = build_body(**common, ballots=plain)
    sealed = json.loads(count_runs.count(voted.meeting, voted.official.id).package)
    assert (sealed["format"], clear["format"]) == ("gongjue.result-package/2", "gongjue.result-package/1")
    assert sealed["tally"] == clear["tally"]
    assert sealed["roll"] == clear["roll"]
    assert all("choices" not in entry for entry in sealed["ledger"]["ballots"])
