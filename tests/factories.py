"""`gen_<thing>()` helpers: objects with sensible defaults, created through the services (so audited)."""

from __future__ import annotations

import itertools

from app.auth import services as accounts
from app.auth.models import GroupRole, Role, User
from app.communities import services as communities
from app.communities.models import Community, Township
from app.db_types import utcnow
from app.extensions import db
from app.voting.proxy_models import Proxy

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def gen_township(name: str | None = None, admin_code: str | None = None) -> Township:
    n = next(_counter)
    return communities.create_township(name or f"测试街道{n}", admin_code or f"{330681000 + n:09d}")


def gen_community(township: Township, name: str | None = None, area_centi: int = 12_345_678) -> Community:
    n = next(_counter)
    return communities.create_community(
        township, name or f"测试小区{n}", f"测试路{n}号", "测试置业有限公司", area_centi
    )


def gen_admin(username: str | None = None) -> User:
    return accounts.create_admin(username or f"admin{next(_counter)}", "管理员", PASSWORD)


def gen_official(township: Township, username: str | None = None, role: Role = Role.TOWNSHIP_OFFICIAL) -> User:
    return accounts.create_township_account(
        township, username or f"official{next(_counter)}", "街道干部", PASSWORD, role
    )


def gen_member(
    community: Community,
    username: str | None = None,
    role: Role = Role.GROUP_MEMBER,
    group_role: GroupRole | None = GroupRole.OWNER_REPRESENTATIVE,
) -> User:
    return accounts.create_community_account(
        community,
        username or f"member{next(_counter)}",
        "筹备组成员",
        PASSWORD,
        role,
        group_role if role == Role.GROUP_MEMBER else None,
    )


def gen_roll(community: Community, author: User, units: int = 12) -> dict[str, int]:
    """A published roll version of a small demo roll, with an import and an objection; returns their ids."""
    from datetime import date

    from app.demo.roll_generator import demo_small_roll
    from app.extensions import db
    from app.roll import services as roll
    from app.roll.models import RollImport
    from app.roll.versions import create_version

    sample = demo_small_roll()[:units]
    version = create_version(community, sample, "测试名册", author.id, "import")
    roll.publish_version(version, date(2026, 9, 17), author.id)
    objection = roll.record_objection(version, version.units[0].label, "张三", "面积有误", author.id)
    roll_import = RollImport(
        community_id=community.id,
        author_id=author.id,
        filename="roll.csv",
        file_sha256="0" * 64,
        reason="测试",
        status="done",
        roll_version_id=version.id,
        report={"units": len(sample), "errors": [], "warnings": []},  # as the import task leaves it
    )
    db.session.add(roll_import)
    db.session.flush()
    owner_id = next(o.id for u in version.units for o in u.owners)
    return {"version_id": version.id, "import_id": roll_import.id, "objection_id": objection.id, "owner_id": owner_id}


def confirmed(proxy: Proxy) -> Proxy:
    """A proxy whose owner's confirmation is recorded (issue 16 item 2), for tests of what comes after it; the
    confirmation itself is tested through its services in tests/voting/test_proxy_confirmation.py."""
    proxy.confirmed_via, proxy.confirmed_at = "second_staff", utcnow()
    db.session.flush()
    return proxy
