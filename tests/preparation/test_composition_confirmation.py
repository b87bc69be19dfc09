"""A group without a residents' committee member is flagged for the township to confirm (Shaoxing Art 12 ¶1 names the
residents' committee among the members; its absence does not stop the group)."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Community, Township
from app.extensions import db
from app.preparation import group as groups
from app.preparation import progress
from app.preparation.models import PreparatoryGroup
from app.rules.preparation import lacks_residents_committee
from tests.conftest import AuthActions
from tests.factories import gen_community, gen_member
from tests.preparation.helpers import FORMED_ON, REQUESTED_ON, load_roll, refused, roll_owners, valid_members


def test_the_rule_looks_for_a_residents_committee_member() -> None:
    assert lacks_residents_committee(["township", "owner_representative", "developer"])
    assert not lacks_residents_committee(["township", "owner_representative", "residents_committee"])


def _group_without_residents_committee(township: Township, official: User) -> PreparatoryGroup:
    community = gen_community(township)
    load_roll(community, official)
    group = groups.record_request(community, "developer_report", REQUESTED_ON, "", official.id)
    members = [m for m in valid_members(roll_owners()) if m.role != "residents_committee"]
    return groups.form_group(group, FORMED_ON, members, official.id)


def test_the_township_confirms_a_group_without_a_residents_committee_member(township: Township, official: User) -> None:
    group = _group_without_residents_committee(township, official)
    assert groups.needs_composition_confirmation(group)
    assert "confirm_composition" in progress.overview(group).waiting
    assert refused(groups.confirm_composition, group, " ", official.id).code == "invalid_reason"
    groups.confirm_composition(group, "本小区所在社区居委会暂未派员，街道已协调", official.id)
    assert not groups.needs_composition_confirmation(group)
    assert "confirm_composition" not in progress.overview(group).waiting
    assert refused(groups.confirm_composition, group, "再次确认", official.id).code == "nothing_to_confirm"
    members = [m for m in valid_members(roll_owners()) if m.role != "residents_committee"]
    groups.replace_members(group, members[::-1], "成员调整", official.id)
    assert groups.needs_composition_confirmation(group)  # a new composition is confirmed anew
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "preparation.confirm_composition"))
    assert event.summary == {"reason": "本小区所在社区居委会暂未派员，街道已协调"}


def test_a_complete_group_is_not_flagged(township: Township, official: User) -> None:
    community = gen_community(township)
    load_roll(community, official)
    group = groups.record_request(community, "developer_report", REQUESTED_ON, "", official.id)
    groups.form_group(group, FORMED_ON, valid_members(roll_owners()), official.id)
    assert not groups.needs_composition_confirmation(group)


def test_on_the_page_only_the_township_confirms(client, auth: AuthActions, township: Township, official: User) -> None:
    group = _group_without_residents_committee(township, official)
    member = gen_member(db.session.get_one(Community, group.community_id))
    db.session.commit()
    page = f"/communities/{group.community_id}/preparation"
    url = f"/preparation/{group.id}/composition-confirmation"
    auth.login(member.username)
    assert 'id="composition"' in client.get(page).get_data(as_text=True)
    assert auth.post(url, {"reason": "组员自行确认"}, page).status_code == 403
    assert groups.needs_composition_confirmation(group)
    auth.post("/logout")
    auth.login(official.username)
    assert auth.post(url, {"reason": "居委会暂未派员"}, page).status_code == 302
    db.session.expire_all()
    assert not groups.needs_composition_confirmation(db.session.get_one(PreparatoryGroup, group.id))
    assert 'id="composition"' not in client.get(page).get_data(as_text=True)
