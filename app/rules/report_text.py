"""A tally result as a readable Chinese report (`gongjue tally --format text`)."""

from __future__ import annotations

from typing import Any

TEST_NAMES = {
    "quorum_area": "参与表决面积",
    "quorum_heads": "参与表决人数",
    "approval_area": "同意面积",
    "approval_heads": "同意人数",
}
COMPARISONS = {"at_least": "不少于", "more_than": "超过"}
OUTCOMES = {
    "member": "当选委员",
    "alternate": "当选候补委员",
    "not_elected": "未当选",
    "tie_unresolved": "票数相同，需另行选举",
}
ANSWERS = {"yes": "同意", "no": "反对", "abstain": "弃权", "blank": "未表态", "invalid": "无效"}


def _unit(value: Any, name: str) -> str:
    return f"{value} 平方米" if "area" in name else f"{value} 人"


def _test_line(test: dict[str, Any]) -> str:
    name = test["name"]
    label = TEST_NAMES.get(name, name)
    verdict = "达到" if test["met"] else "未达到"
    margin = f"可再减少 {_unit(test['margin'], name)}仍达到" if test["met"] else f"还差 {_unit(test['margin'], name)}"
    return (
        f"  {label}：{_unit(test['value'], name)} / {_unit(test['of'], name)}，"
        f"要求{COMPARISONS[test['comparison']]} {test['required']}，{verdict}（{margin}）"
    )


def render_text(document: dict[str, Any]) -> str:
    """The report people read: totals, participation, then each matter with its tests."""
    settings = document["settings"]
    lines = [
        "共决 计票结果",
        f"总面积 {document['totals']['area']} 平方米，总人数 {document['totals']['heads']} 人",
        f"车位计入：{'是' if settings['count_parking'] else '否'}；"
        f"空白或无效票计入参与表决：{'是' if settings['blank_and_invalid_take_part'] else '否'}；"
        f"排名依据：{'、'.join('人数' if k == 'heads' else '面积' for k in settings['rank_by'])}",
        "",
        f"参与表决：{document['participation']['heads']} 人，{document['participation']['area']} 平方米"
        f"（{'达到' if document['participation']['quorum_met'] else '未达到'}法定参与比例）",
        *(_test_line(t) for t in document["participation"]["tests"]),
    ]
    for matter_id, matter in document["matters"].items():
        lines.append("")
        if matter["type"] == "motion":
            need = "四分之三以上" if matter["threshold"] == "three_quarters" else "过半数"
            lines.append(f"事项 {matter_id}（须{need}同意）：{'通过' if matter['passed'] else '未通过'}")
            for answer, label in ANSWERS.items():
                lines.append(f"  {label}：{matter[answer]['heads']} 人，{matter[answer]['area']} 平方米")
            lines.extend(_test_line(t) for t in matter["tests"])
        else:
            formed = "业主委员会选举产生" if matter["committee_formed"] else "业主委员会未能选举产生"
            lines.append(
                f"选举 {matter_id}（委员 {matter['seats']} 名，候补至多 {matter['max_alternates']} 名）：{formed}"
            )
            lines.extend(_test_line(t) for t in matter["tests"])
            for candidate in matter["candidates"]:
                if candidate["rank"]:
                    rank = f"第 {candidate['rank']} 名"
                elif all(t["met"] for t in candidate["tests"]):
                    rank = "参与表决未达法定比例"
                else:
                    rank = "未获参与表决者双过半数"
                lines.append(
                    f"  {candidate['id']}：{candidate['heads']} 人，{candidate['area']} 平方米，{rank}，"
                    f"{OUTCOMES[candidate['outcome']]}"
                )
            if matter["runoff_needed"]:
                ties = "；".join("、".join(group) for group in matter["unresolved_ties"])
                lines.append(f"  需另行选举：{ties}")
            if matter.get("committee_pending"):
                lines.append("  业主委员会待另行选举后产生（本次选举并未失败）")
            for tie in matter.get("ties", []):
                if tie.get("drawn"):
                    lines.append(f"  抽签决定名次：{'、'.join(tie['drawn'])}")
    return "\n".join(lines) + "\n"
