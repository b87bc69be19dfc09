"""The committee on the community page: members and alternates, a member leaving, officers, filing, and the
re-election group once fewer than half the seats are filled (issue 8 item 3; Shaoxing Arts 17 and 24)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from app.auth.models import Role
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.roll.services import today
from tests.conftest import AuthActions
from tests.factories import gen_member
from tests.governance.pipeline import body_account
from tests.preparation.helpers import roll_owners, valid_members
from tests.results.helpers_lifecycle import Voted


def test_the_committee_is_managed_from_the_community_page(
    client: FlaskClient, auth: AuthActions, elected: tuple[Voted, GoverningBody]
) -> None:
    voted, body = elected
    community = voted.community
    page = f"/communities/{community.id}"
    teller = gen_member(community, role=Role.TELLER)
    chair = body_account(community, body, "the-chair")
    db.session.commit()
    client.get("/lang/en")
    auth.login(teller.username)
    shown = client.get(page).get_data(as_text=True)
    assert 'id="body" data-kind="committee"' in shown
    assert "Record a change" not in shown
    members = bodies.serving(body)
    leave = {"member_id": members[0].id, "reason": "resigned", "left_on": today().isoformat(), "note": ""}
    assert auth.post(f"{page}/body/leaving", leave, page).status_code == 403
    auth.post("/logout")

    auth.login(voted.official.username)  # the township does not act in the committee's place (DOMAIN §7 item 10)
    assert "Record a change" not in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/body/leaving", leave, page).status_code == 403
    auth.post("/logout")

    auth.login(chair.username)
    assert "Record a change" in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/body/leaving", leave, page).status_code == 302
    db.session.expire_all()
    assert members[0].left_on == today()
    assert len(bodies.serving(body)) == 5  # the alternate moved up
    chosen = bodies.serving(body)
    officers = {"chair": chosen[0].id, "vice_chairs": [chosen[1].id]}
    assert auth.post(f"{page}/body/officers", officers, page).status_code == 302
    db.session.expire_all()
    assert chosen[0].office == "chair"
    scan = b"%PDF-1.4 filing form"
    filed = {
        "filed_on": (body.formed_on + timedelta(days=5)).isoformat(),
        "certificate_on": "",
        "csrf_token": auth.csrf(page),
        "documents": [(io.BytesIO(scan), "备案表.pdf")],
    }
    assert client.post(f"{page}/body/filing", data=filed, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert body.filed_on == body.formed_on + timedelta(days=5)
    assert body.filing_documents == [{"name": "备案表.pdf", "sha256": hashlib.sha256(scan).hexdigest()}]
    shown = client.get(page).get_data(as_text=True)
    assert 'data-filed="true"' in shown
    assert hashlib.sha256(scan).hexdigest()[:12] in shown

    assert auth.post(f"{page}/body/re-election-group", {}, page).status_code == 403  # the township's
    auth.post("/logout")

    # the township: not below half yet, the re-election group is refused and nothing changes
    auth.login(voted.official.username)
    group_page = f"{page}/body/re-election-group"
    members = members_form_data(valid_members(roll_owners()))
    assert "Form a re-election group" not in client.get(page).get_data(as_text=True)
    assert auth.post(group_page, members, group_page).status_code == 302
    db.session.expire_all()
    assert community.governance == "committee"
    for member in bodies.serving(body)[:3]:
        bodies.member_leaves(member, today(), "resigned", "", None)
    db.session.commit()
    assert "Form a re-election group" in client.get(page).get_data(as_text=True)
    no_residents = members_form_data([m for m in valid_members(roll_owners()) if m.role != "residents_committee"])
    assert auth.post(group_page, no_residents, group_page).status_code == 302
    db.session.expire_all()
    assert community.governance == "committee"  # without a residents' committee member, a reason is asked for
    assert auth.post(group_page, {**no_residents, "reason": "居委会暂无人选"}, group_page).status_code == 302
    db.session.expire_all()
    assert community.governance == "re_election"
    group = bodies.re_election_group(community)
    assert group is not None
    assert group.members[0].office == "chair"  # the township's representative leads it
    assert 'id="re-election-group"' in client.get(page).get_data(as_text=True)


def members_form_data(members: list[Any]) -> dict[str, Any]:
    """The members form (app.preparation.forms.MembersForm) filled with these members."""
    data: dict[str, Any] = {"reason": ""}
    for i, m in enumerate(members):
        data.update(
            {
                f"members-{i}-name": m.name,
                f"members-{i}-role": m.role,
                f"members-{i}-contact": m.contact,
                f"members-{i}-id_number": m.id_number,
            }
        )
        if m.is_leader:
            data[f"members-{i}-is_leader"] = "y"
    return data


def test_no_body_no_actions(client: FlaskClient, auth: AuthActions, app: Any) -> None:
    from tests.factories import gen_community, gen_official, gen_township

    township = gen_township()
    community, official = gen_community(township), gen_official(township)
    db.session.commit()
    auth.login(official.username)
    page = f"/communities/{community.id}"
    assert 'id="body"' not in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/body/filing", {"filed_on": today().isoformat()}, page).status_code == 404
