"""`gongjue demo`: a township, two officials, two communities, a realistic roll, personal data encrypted."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.auth.models import User
from app.communities.models import Community, Township
from app.demo.loader import DEMO_PASSWORD, database_is_empty, load_demo
from app.demo.roll_generator import generate_demo_roll
from app.extensions import db
from app.privacy import decrypt, lookup_hash
from app.roll.models import RollOwner, RollUnit, RollVersion
from tests.conftest import AuthActions


def test_the_demo_loads_what_the_readme_promises(app, client):
    assert database_is_empty()
    logins = load_demo()
    assert not database_is_empty()
    assert [name for name, _ in logins] == [
        "admin",
        "jiyang1",
        "jiyang2",
        "huandong1",
        "group-leader",
        "group-owner",
        "teller",
        "observer",
        "meiyuan-teller1",
        "meiyuan-teller2",
        "meiyuan-leader",
        "hehua-teller1",
        "songtao-chair",
        "fenglin-pmc",
    ]
    township = db.session.scalar(select(Township).where(Township.admin_code == "330681001"))
    assert township is not None
    assert {c.name: c.governance for c in township.communities} == {
        "江南名邸": "preparing",
        "桃园小区": "no_assembly",
        "梅园小区": "preparing",
        "荷花苑": "preparing",
        "柳岸花园": "preparing",
        "竹林苑": "established",
        "松涛苑": "committee",
        "枫林湾": "pmc",
        "桂花苑": "runoff",
    }
    large = db.session.scalar(select(Community).where(Community.name == "江南名邸"))
    units = db.session.scalar(
        select(func.count()).select_from(RollUnit).join(RollVersion).where(RollVersion.community_id == large.id)
    )
    assert units == len(generate_demo_roll()) == 1200
    for username, _description in logins:
        assert AuthActions(app.test_client()).login(username, DEMO_PASSWORD).status_code == 302, username


def test_the_demo_keeps_no_id_or_phone_number_in_clear(app):
    load_demo()
    expected = {owner.id_number for unit in generate_demo_roll() for owner in unit.owners}
    owners = db.session.scalars(select(RollOwner)).all()
    for owner in owners[:200]:
        plain = decrypt(owner.id_number_cipher)
        assert plain.encode() not in owner.id_number_cipher
        assert owner.id_number_lookup == lookup_hash(plain)
    sample = next(iter(sorted(expected)))
    as_text = " ".join(str(value) for row in db.session.execute(select(RollOwner.__table__)) for value in row)
    assert sample not in as_text


def test_the_demo_is_audited(app):
    load_demo()
    from app.audit.models import AuditEvent

    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("roll.version_create") == 9
    assert actions.count("community.create") == 9
    assert actions.count("account.create") == db.session.scalar(select(func.count()).select_from(User))


def test_the_demo_has_a_community_mid_preparation(app):
    """Issue 5 item 7: group formed, roll published, candidates under review, one overdue clock; and a community
    whose group the township still has to form."""
    from app.preparation import progress
    from app.preparation.group import current_group

    load_demo()
    large = db.session.scalar(select(Community).where(Community.name == "江南名邸"))
    group = current_group(large)
    assert group is not None
    assert group.formed_on is not None
    assert group.members_announced_on is not None
    roll = db.session.scalar(select(RollVersion).where(RollVersion.community_id == large.id))
    assert roll.published_at is not None
    view = progress.overview(group)
    assert view.stage == "list_under_review"
    assert [c.clock.code for c in view.clocks if c.overdue] == ["first_meeting"]
    assert view.waiting == ["review_list"]
    small = db.session.scalar(select(Community).where(Community.name == "桃园小区"))
    assert progress.stage(current_group(small)) == "awaiting_group"


def test_the_demo_has_an_open_vote_and_prints_a_link_that_works(app):
    """梅园小区: an open meeting, 20 phone ballots, 2 paper ballots waiting for a second teller; the printed link and
    ID tail pass the second factor (what a new user tries first)."""
    from app.demo.voting import demo_voter_link
    from app.voting import credentials, paper
    from app.voting.models import Ballot, Meeting

    load_demo()
    meeting = db.session.scalars(select(Meeting).join(Community).where(Community.name == "梅园小区")).one()
    assert meeting.status == "open"
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.meeting_id == meeting.id)) == 20
    assert paper.pending_count(meeting) == 2
    found = demo_voter_link("http://127.0.0.1:5000")
    assert found is not None
    link, _who, tail = found
    assert link.startswith("http://127.0.0.1:5000/v?t=")
    credential = credentials.find(token=link.split("t=", 1)[1])
    assert credential is not None
    assert credentials.verify(credential, tail).verified_at is not None


def test_make_run_prints_one_owner_link_and_it_works_on_the_port_served(app, client):
    """`make run` loads the demo without a link, then prints one with the HOST and PORT it serves on: no earlier link
    is printed that the next command would revoke."""
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo", "--if-empty", "--no-link"])
    assert loaded.exit_code == 0, loaded.output
    assert "/v?t=" not in loaded.output
    printed = runner.invoke(args=["demo-link", "--base-url", "http://127.0.0.1:5123"])
    assert printed.exit_code == 0, printed.output
    links = re.findall(r"https?://\S+/v\?t=\S+", printed.output)
    assert len(links) == 1
    assert links[0].startswith("http://127.0.0.1:5123/v?t=")
    opened = client.get(links[0].removeprefix("http://127.0.0.1:5123"))
    assert opened.status_code == 200  # a known link: kept in the session, and its second factor asked (revoked: 404)
    assert 'name="answer"' in opened.get_data(as_text=True)
    # the same owner's own pages, signed in with the number printed (issue 20)
    phone = re.search(r"/owner/sign-in with the number (\d{11})", printed.output)
    assert phone is not None
    page = client.get("/owner/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    sent = client.post("/owner/sign-in", data={"csrf_token": token.group(1), "phone": phone.group(1)})
    assert sent.status_code == 302
