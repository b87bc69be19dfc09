"""`gongjue demo`: a township with two officials and two communities, a preparatory group, a teller and an
observer; the larger community with a realistic roll of about 1,200 units (app.demo.roll_generator) and mid-way
through its preparation, the smaller one waiting for its preparatory group (app.demo.preparation)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth import services as accounts
from app.auth.models import GroupRole, Role
from app.communities import services as communities
from app.communities.models import Community, Township
from app.demo.governance import body_accounts, certified_communities
from app.demo.preparation import await_group, prepare_mid_way
from app.demo.results import published_for_objections, window_ended
from app.demo.roll_generator import DemoUnit, demo_small_roll, generate_demo_roll
from app.demo.voting import open_demo_meeting
from app.extensions import db
from app.roll.models import RollVersion
from app.roll.services import today
from app.roll.versions import create_version

#: the password of every demo account (the demo is refused in production)
DEMO_PASSWORD = "gongjue-demo"  # noqa: S105  (printed and documented; the demo is refused in production)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Township))


def store_roll(community: Community, units: list[DemoUnit], reason: str) -> RollVersion:
    """Write the demo roll as the community's first version (encrypted, fingerprinted, audited)."""
    return create_version(community, units, reason, author_id=None, source="demo")


def load_demo() -> list[tuple[str, str]]:
    """Create the demo and commit it; returns (login, description) pairs to print."""
    admin = accounts.create_admin("admin", "平台管理员", DEMO_PASSWORD)
    township = communities.create_township("暨阳街道", "330681001")
    other = communities.create_township("浣东街道", "330681002")
    accounts.create_township_account(township, "jiyang1", "陈建国", DEMO_PASSWORD)
    jiyang2 = accounts.create_township_account(township, "jiyang2", "周丽华", DEMO_PASSWORD)
    accounts.create_township_account(other, "huandong1", "孙志强", DEMO_PASSWORD)

    large_roll = generate_demo_roll()
    large = communities.create_community(
        township,
        "江南名邸",
        "诸暨市暨阳街道艮塔西路88号",
        "诸暨江南置业有限公司",
        total_floor_area_centi=sum(u.area_centi for u in large_roll) + 1_250_000,
    )
    large_version = store_roll(large, large_roll, "示范数据 / demo data")
    small_roll = demo_small_roll()
    small = communities.create_community(
        township,
        "桃园小区",
        "诸暨市暨阳街道桃园路12号",
        "诸暨桃园房地产开发有限公司",
        total_floor_area_centi=sum(u.area_centi for u in small_roll) + 80_000,
    )
    store_roll(small, small_roll, "示范数据 / demo data")

    anchor = today()
    prepare_mid_way(large, large_version, large_roll, anchor)
    await_group(small, anchor)
    open_demo_meeting(township, anchor, DEMO_PASSWORD)
    window_ended(township, anchor, DEMO_PASSWORD)
    published_for_objections(township, anchor)
    certified_communities(township, anchor, jiyang2.id)

    accounts.create_community_account(
        large, "group-leader", "王志明", DEMO_PASSWORD, Role.GROUP_MEMBER, GroupRole.LEADER
    )
    accounts.create_community_account(
        large, "group-owner", "李秀英", DEMO_PASSWORD, Role.GROUP_MEMBER, GroupRole.OWNER_REPRESENTATIVE
    )
    accounts.create_community_account(large, "teller", "赵敏", DEMO_PASSWORD, Role.TELLER)
    accounts.create_community_account(large, "observer", "钱宏伟", DEMO_PASSWORD, Role.OBSERVER)
    bodies_acting = body_accounts(DEMO_PASSWORD)
    db.session.commit()
    return [
        (admin.username, "platform administrator / 平台管理员"),
        ("jiyang1", "township official, 暨阳街道 / 街道工作人员"),
        ("jiyang2", "township official, 暨阳街道 / 街道工作人员"),
        ("huandong1", "township official, 浣东街道 (another township) / 另一街道"),
        ("group-leader", "preparatory group leader, 江南名邸 / 筹备组组长"),
        ("group-owner", "owner representative, 江南名邸 / 筹备组业主代表"),
        ("teller", "teller, 江南名邸 / 计票人"),
        ("observer", "observer, 江南名邸 / 观察员"),
        ("meiyuan-teller1", "teller, 梅园小区 (voting open) / 计票人"),
        ("meiyuan-teller2", "teller, 梅园小区 (voting open) / 计票人"),
        ("meiyuan-leader", "preparatory group leader, 梅园小区 (voting open): letters, paper, count / 筹备组组长"),
        ("hehua-teller1", "teller, 荷花苑 (window ended: close, settle, count) / 计票人"),
        *bodies_acting,
    ]
