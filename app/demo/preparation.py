"""The demo's preparations: 江南名邸 mid-preparation (group formed, roll published, documents announced, candidates
under the township's review, the first-meeting clock overdue) and 桃园小区 waiting for its group.

Dates are counted back from today, so the demo looks the same whenever it is loaded; in a year without the official
holiday arrangement its periods are provisional, like any others (docs/calendar.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from app.communities.models import Community
from app.demo.roll_generator import DemoOwner, DemoUnit
from app.preparation import candidates as nominations
from app.preparation import checklist, notices
from app.preparation import group as groups
from app.roll import services as roll
from app.roll.models import RollVersion

#: candidates' short statements (the demo's people are invented)
STATEMENTS = (
    "退休教师，在小区居住八年，愿意为邻里做事，重点关注电梯维修和公共收益公开。",
    "从事财务工作十五年，希望把维修资金和公共收益的账目管清楚、晒出来。",
    "小区志愿者，熟悉各幢情况，关注停车秩序和垃圾分类。",
    "工程师，关注房屋外立面、消防设施和地下车库渗水问题。",
    "社区网格员，愿意协调业主与物业之间的矛盾。",
    "律师，愿意协助审查物业服务合同和管理规约。",
    "个体经营者，关注小区安全和门禁管理。",
    "医生，关注老年业主的出行和健康设施。",
)


def _owners(units: list[DemoUnit]) -> list[DemoOwner]:
    """Distinct delivered-unit owners in roll order (the developer's unsold units have none)."""
    seen: dict[str, DemoOwner] = {}
    for unit in units:
        for owner in unit.owners:
            seen.setdefault(owner.id_number, owner)
    return list(seen.values())


def _representatives(units: list[DemoUnit]) -> list[DemoOwner]:
    """One person per unit (its representative), distinct, in roll order: owners who are as many heads as people,
    since a joint nomination counts its co-signers in heads (app.rules.petitions)."""
    seen: dict[str, DemoOwner] = {}
    for unit in units:
        representative = next((o for o in unit.owners if o.is_representative), unit.owners[0] if unit.owners else None)
        if representative is not None:
            seen.setdefault(representative.id_number, representative)
    return list(seen.values())


def prepare_mid_way(community: Community, version: RollVersion, units: list[DemoUnit], today: date) -> None:
    """江南名邸: formed 100 days ago (the 90-day first-meeting clock is overdue), roll and documents published,
    eight candidates vetted (one rejected for unpaid fees after a written demand) and the list with the township."""
    owners = _owners(units)
    formed_on = today - timedelta(days=100)
    group = groups.record_request(community, "developer_report", formed_on - timedelta(days=30), "", None)
    members = [
        groups.MemberInput("陈建国", "township", "0575-87012345", is_leader=True),
        *(groups.MemberInput(o.name, "owner_representative", "", o.id_number) for o in owners[:4]),
        groups.MemberInput("何秀珍", "residents_committee", "0575-87015678"),
        groups.MemberInput("周立新", "developer", "0575-87019999"),
    ]
    groups.form_group(group, formed_on, members, None)
    notices.publish(group, "members", formed_on + timedelta(days=2), None, recorded_on=formed_on + timedelta(days=2))
    roll.publish_version(version, formed_on + timedelta(days=10), None)
    checklist.update_meeting(
        group,
        today + timedelta(days=30),
        today + timedelta(days=44),
        "both",
        "一、表决《业主大会议事规则》；\n二、表决《管理规约》；\n三、选举第一届业主委员会委员和候补委员。",
        None,
    )
    checklist.update_rules(
        group,
        count_parking=True,
        blank_and_invalid_take_part=True,
        rank_by="heads,area",
        seats=7,
        max_alternates=3,
        min_committee_members=5,
        alternates_list="one_list",
        user_id=None,
    )
    for kind in ("rules_of_procedure", "covenant"):
        checklist.draft_document(group, kind, checklist.document_fields(group, kind), None)
    for kind in ("meeting", "rules_of_procedure", "covenant", "voting_rules", "election_rules"):
        notices.publish(group, kind, today - timedelta(days=3), None, recorded_on=today)

    debtor = owners[12]
    nominations.record_demand(
        community,
        id_number=debtor.id_number,
        kind="property_fee",
        amount_fen=386_400,
        demanded_on=today - timedelta(days=60),
        user_id=None,
    )
    nominated_on = formed_on + timedelta(days=20)
    people = [*owners[5:12], debtor]
    for number, owner in enumerate(people):
        route = "joint" if number == 0 else ("residents_committee" if number == 1 else "self")
        cosigners = [o.id_number for o in _representatives(units)[20:31]] if route == "joint" else []
        candidate = nominations.nominate(
            group,
            name=owner.name,
            id_number=owner.id_number,
            route=route,
            nominated_on=nominated_on,
            user_id=None,
            cosigner_id_numbers=cosigners,
            statement=STATEMENTS[number % len(STATEMENTS)],
        )
        nominations.update_profile(
            candidate,
            statement=candidate.statement,
            party_member=number in (0, 2, 5),
            peoples_congress_deputy=number == 3,
            cppcc_member=False,
            declaration_made=True,
            declared_acts=(),
            property_company_tie=False,
            user_id=None,
        )
        if owner is debtor:
            nominations.vet(candidate, False, "经书面催缴仍欠缴物业费（见催缴记录）。", None)
        else:
            nominations.vet(candidate, True, "", None)
    nominations.submit_list(group, None)


def await_group(community: Community, today: date) -> None:
    """桃园小区: the owners applied 20 days ago; the township has 40 days left to form the group."""
    groups.record_request(community, "owners_application", today - timedelta(days=20), "业主联名申请", None)


__all__ = ["await_group", "prepare_mid_way"]
