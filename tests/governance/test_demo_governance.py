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
