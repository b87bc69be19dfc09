"""The text of each document the group publishes, in Chinese (the language of the notice board), as of now.

A notice freezes this text when it is published (`app.preparation.notices.publish`); later edits make a new notice.
"""

from __future__ import annotations

from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.preparation.models import Candidate, MeetingPlan, PreparatoryGroup
from app.rules.areas import format_area
from app.rules.preparation import first_meeting_funding_fen

ROLE_NAMES = {
    "township": "街道（乡镇）代表",
    "owner_representative": "业主代表",
    "residents_committee": "居（村）民委员会代表",
    "developer": "建设单位代表",
}
FORM_NAMES = {"online": "线上表决", "paper": "书面表决", "both": "线上与书面表决"}
RANK_NAMES = {"heads": "赞成人数", "area": "赞成专有部分面积"}
ROUTE_NAMES = {"self": "业主自荐", "residents_committee": "居（村）民委员会推荐", "joint": "十名以上业主联名推荐"}
#: the election rules' tie rule as announced (DOMAIN §5)
TIE_RULE_TEXTS = {
    "runoff": "五、排序相同且影响委员、候补委员当选或者候补委员递补顺序的，由业主大会对并列者另行选举，产生相应名额；"
    "另行选举同样须达到参与表决和过半数同意的要求，未当选的并列者依次为候补委员。",
    "lots": "五、排序相同且影响委员、候补委员当选或者候补委员递补顺序的，以抽签决定："
    "以表决结束时全部选票账本的根哈希值（表决结束前无人能够知道或者选择）为种子，"
    "按公布的算法对并列者抽签，抽签结果和种子随选举结果公布，任何人可以复核。",
}
ALTERNATES_NAMES = {
    "one_list": "委员与候补委员同列一张候选人名单，当选委员以外得票依次在前者为候补委员",
    "separate": "委员与候补委员分别列出候选人名单",
}


def yuan(fen: int) -> str:
    """12345678 → '123,456.78'."""
    return f"{fen // 100:,}.{fen % 100:02d}"


def members_text(group: PreparatoryGroup) -> str:
    """The members' notice (Shaoxing Art 12 ¶2: 成员的基本情况及联系方式)."""
    lines = [f"业主大会筹备组已于 {group.formed_on} 成立，成员如下：", ""]
    for member in group.members:
        leader = "（组长）" if member.is_leader else ""
        contact = f"，联系方式：{member.contact}" if member.contact else ""
        units = f"，{member.unit_labels}" if member.unit_labels else ""
        lines.append(f"{member.position}. {member.name}{leader}，{ROLE_NAMES[member.role]}{units}{contact}")
    lines += [
        "",
        "业主对筹备组成员有异议的，可在公示期内提出，由街道办事处、乡镇人民政府协调解决（《绍兴市物业管理条例》第十二条）。",
    ]
    return "\n".join(lines)


def meeting_text(plan: MeetingPlan) -> str:
    """The meeting's time, form and content (Art 13 ¶1 (2))."""
    return "\n".join(
        [
            f"会议时间：{plan.meeting_starts_on or '待定'} 至 {plan.meeting_ends_on or '待定'}",
            f"会议形式：{FORM_NAMES.get(plan.meeting_form, plan.meeting_form)}",
            "会议内容：",
            plan.meeting_content or "（待定）",
        ]
    )


def voting_rules_text(plan: MeetingPlan) -> str:
    """The voting rules (Art 13 ¶1 (4)), i.e. the counting engine's settings, in words."""
    rank = "，再按".join(RANK_NAMES[key] for key in plan.rank_by.split(","))
    return "\n".join(
        [
            "一、表决权的计算：专有部分面积按不动产登记簿记载的面积计算，尚未登记的按测绘机构的实测面积计算，"
            "尚未实测的按房屋买卖合同记载的面积计算；业主人数按专有部分的数量计算，一个专有部分有两个以上所有权人的按一人计算，"
            "建设单位尚未出售和虽已出售但尚未交付的部分按一人计算。",
            "二、车位：" + ("登记为专有部分的车位计入面积和人数。" if plan.count_parking else "车位不计入面积和人数。"),
            "三、空白票和无效票："
            + (
                "计入参与表决的业主人数和面积，但不计为同意。"
                if plan.blank_and_invalid_take_part
                else "不计入参与表决的业主人数和面积。"
            ),
            "四、一般事项应当由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
            "并经参与表决专有部分面积过半数且参与表决人数过半数的业主同意；"
            "筹集建筑物及其附属设施的维修资金、改建重建建筑物及其附属设施、改变共有部分用途或者利用共有部分从事经营活动，"
            "应当经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意（《民法典》第二百七十八条）。",
            f"五、候选人排序：按{rank}排序。",
        ]
    )


def election_rules_text(plan: MeetingPlan) -> str:
    """The election rules (Art 13 ¶1 (5)(6)): seats, alternates, the per-candidate threshold, ranking and ties."""
    rank = "，再按".join(RANK_NAMES[key] for key in plan.rank_by.split(","))
    return "\n".join(
        [
            f"一、业主委员会委员 {plan.seats} 名，候补委员不超过 {plan.max_alternates} 名。",
            f"二、{ALTERNATES_NAMES[plan.alternates_list]}。每张选票选择的人数不得超过应选人数，超过的该项选举无效。",
            "三、候选人须获得参与表决专有部分面积过半数且参与表决人数过半数的业主同意方可当选。",
            f"四、符合当选条件的候选人按{rank}从高到低排序，依次当选委员、候补委员。",
            TIE_RULE_TEXTS[plan.tie_rule],
            f"六、当选委员不少于 {plan.min_committee_members} 名且超过应选委员人数一半的，业主委员会选举产生；"
            "否则选举未成功。",
            "七、候选人应当具有完全民事行为能力（年满十八周岁且未被设定监护）。"
            + (
                "经书面催缴仍拖欠物业费或者专项维修资金的业主，不得作为候选人（依据业主大会议事规则）。"
                if plan.arrears_bar
                else "拖欠物业费或者专项维修资金不作为候选人资格限制（依据业主大会议事规则）。"
            ),
        ]
    )


def candidate_list_text(group: PreparatoryGroup) -> str:
    """The approved candidate list (Art 13 ¶1 (5)): names, units, route and voluntary declarations."""
    candidates = db.session.scalars(
        select(Candidate).where(Candidate.group_id == group.id, Candidate.status == "accepted").order_by(Candidate.id)
    ).all()
    lines = ["经筹备组资格审查、街道（乡镇）审核，业主委员会委员、候补委员候选人名单如下：", ""]
    for number, candidate in enumerate(candidates, start=1):
        marks = [
            label
            for flag, label in (
                (candidate.party_member, "中共党员"),
                (candidate.peoples_congress_deputy, "人大代表"),
                (candidate.cppcc_member, "政协委员"),
            )
            if flag
        ]
        extra = f"（{'、'.join(marks)}）" if marks else ""
        lines.append(f"{number}. {candidate.name}{extra}，{candidate.unit_labels}，{ROUTE_NAMES[candidate.route]}")
        if candidate.statement:
            lines.append(f"   个人陈述：{candidate.statement}")
    lines += [
        "",
        "业主对候选人有异议的，可在公示期内向筹备组提出，筹备组应当记录并作出答复（《绍兴市物业管理条例》第十三条）。",
    ]
    return "\n".join(lines)


def funding_text(community: Community, plan: MeetingPlan) -> str:
    """The first-meeting funding owed by the developer and as received (Art 15)."""
    owed = first_meeting_funding_fen(community.total_floor_area_centi)
    received = (
        f"已于 {plan.funding_received_on} 收到 {yuan(plan.funding_received_fen)} 元（凭证：{plan.funding_reference}）。"
        if plan.funding_received_fen is not None
        else "尚未收到。"
    )
    return (
        f"总建筑面积 {format_area(community.total_floor_area_centi)} 平方米，按每平方米一元且不少于五万元，"
        f"建设单位应承担首次业主大会筹备经费 {yuan(owed)} 元；{received}"
    )
