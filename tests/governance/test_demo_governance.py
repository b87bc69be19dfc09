"""Issue 8 on the demo, through the pages: 竹林苑's first meeting established the assembly without a committee, and
the township converts its preparatory group into a property management committee; 松涛苑's committee is shown with
its filing clock."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.communities.models import Community
from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.governance import bodies
from tests.conftest import AuthActions


def community(name: str) -> Community:
    return db.session.scalars(select(Community).where(Community.name == name)).one()


def test_the_township_converts_the_group_of_the_demo(app: Any, client: FlaskClient, auth: AuthActions) -> None:
    load_demo()
    client.get("/lang/en")
    assert auth.login("jiyang1", DEMO_PASSWORD).status_code == 302
    bamboo = community("竹林苑")
    page = f"/communities/{bamboo.id}"
    shown = client.get(page).get_data(as_text=True)
    assert 'data-state="established"' in shown
    assert "Record the decision" in shown
    decision = {"decision": "convert", "reason": "由筹备组组建物业管理委员会，组织业主委员会选举"}
    assert auth.post(f"{page}/governance/conversion", decision, page).status_code == 302
    db.session.expire_all()
    assert bamboo.governance == "pmc"
    pmc = bodies.in_office(bamboo)
    assert pmc is not None
    assert pmc.kind == "pmc"
    assert 'id="body" data-kind="pmc"' in client.get(page).get_data(as_text=True)

    pines = community("松涛苑")
    committee = bodies.in_office(pines)
    assert committee is not None
    assert committee.kind == "committee"
    assert len(bodies.serving(committee)) == 5
    pines_page = client.get(f"/communities/{pines.id}").get_data(as_text=True)
    assert 'data-filed="false"' in pines_page


def test_the_pmcs_election_is_certified_filed_and_the_pmc_dissolves(
    app: Any, client: FlaskClient, auth: AuthActions
) -> None:
    """Issue 8's "done when" on the demo: 枫林湾's property management committee ran the committee's election; the
    township certifies it, the committee is filed, the pmc hands over; the dashboard's figures follow."""
    from app.governance import measures
    from app.results.models import Result
    from app.roll.services import today
    from app.voting.models import Meeting

    load_demo()
    maples = community("枫林湾")
    before = measures.establishment_rate(measures.load([maples.township_id], today()))
    pmc = bodies.in_office(maples)
    assert pmc is not None
    assert pmc.kind == "pmc"
    result = (
        db.session.query(Result)
        .join(Meeting, Meeting.id == Result.meeting_id)
        .filter(Meeting.community_id == maples.id, Result.status == "published")
        .one()
    )
    client.get("/lang/en")
    assert auth.login("jiyang2", DEMO_PASSWORD).status_code == 302
    page = f"/meetings/{result.meeting_id}/result"
    assert auth.post(f"/results/{result.id}/certify", {}, page).status_code == 302
    db.session.expire_all()
    assert maples.governance == "committee"
    committee = bodies.in_office(maples)
    assert committee is not None
    assert committee.kind == "committee"
    assert pmc.dissolved_on is None  # until the committee is filed
    home = f"/communities/{maples.id}"
    filed = {"filed_on": committee.formed_on.isoformat(), "certificate_on": ""}
    assert auth.post(f"{home}/body/filing", filed, home).status_code == 403  # the township does not act for it
    chair = {
        "display_name": "新任主任",
        "username": "maple-chair",
        "password": "a-long-password-1",
        "role": "body_member",
        "group_role": "",
        "body_id": str(committee.id),
        "body_office": "chair",
    }
    assert auth.post(f"{home}/accounts/new", chair, f"{home}/accounts/new").status_code == 302  # it invites
    auth.logout()
    assert auth.login("maple-chair", "a-long-password-1").status_code == 302
    assert auth.post(f"{home}/body/filing", filed, home).status_code == 302
    db.session.expire_all()
    assert pmc.dissolved_on == committee.formed_on
    after = measures.establishment_rate(measures.load([maples.township_id], today()))
    assert after.part == before.part + 1


def test_a_tie_for_the_fifth_seat_waits_for_its_runoff_which_the_township_convenes(
    app: Any, client: FlaskClient, auth: AuthActions
) -> None:
    """桂花苑 (DOMAIN §5): the community page says the election waits for its run-off; the result page names the tie
    and what the run-off decides; the township, leading the group's preparation, convenes it among the tied two."""
    from app.governance import runoffs
    from app.voting.models import Meeting

    load_demo()
    client.get("/lang/en")
    osmanthus = community("桂花苑")
    assert osmanthus.governance == "runoff"
    assert bodies.in_office(osmanthus) is None
    assert auth.login("jiyang1", DEMO_PASSWORD).status_code == 302
    shown = client.get(f"/communities/{osmanthus.id}").get_data(as_text=True)
    assert 'data-state="runoff"' in shown
    election = db.session.scalars(select(Meeting).where(Meeting.community_id == osmanthus.id)).one()
    page = f"/meetings/{election.id}/result"
    result = client.get(page).get_data(as_text=True)
    assert 'id="runoff"' in result
    assert "the run-off decides a member seat" in result
    form = {"title": "桂花苑另行选举", "opens_on": "2027-01-10", "closes_on": "2027-01-15"}
    response = auth.post(f"/results/{runoffs.waiting_for(osmanthus).id}/runoff", form, page)
    assert response.status_code == 302
    runoff = db.session.scalars(select(Meeting).where(Meeting.title == "桂花苑另行选举")).one()
    assert response.headers["Location"].endswith(f"/meetings/{runoff.id}")
    (contest,) = runoff.matters
    assert (len(contest.candidates), contest.seats, contest.max_alternates) == (2, 1, 1)
    meeting_page = client.get(f"/meetings/{runoff.id}").get_data(as_text=True)
    assert "Run-off among tied candidates: 1 member seats and 1 alternate places" in meeting_page
    assert 'href="/meetings/' in client.get(page).get_data(as_text=True)  # the result page links to the run-off
