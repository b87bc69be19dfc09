"""Benchmark of the owner-roll import: a 20,280-unit XLSX file read, checked and stored as a roll version.

Run: `.venv/bin/python bench/roll_import.py` (from the project root). Figures go into docs/performance.md.
`--database-url postgresql://…` measures the storing steps on PostgreSQL instead of a fresh SQLite file; the
benchmark then creates a schema of its own in that database and drops it at the end.

The file is built with a fixed seed from app.demo.roll_generator.generate_demo_roll(buildings=60, floors=28,
entrances=2, rooms_per_floor=6): 20,160 flats, 24 shops and 96 parking spaces; about 3% unsold and 2% undelivered
(no owners: the developer's), about 8% co-owned, about 5% of the owners holding several units. It is written with
openpyxl under the template's Chinese headers (app.roll.template.template_headers), with the values a housing
register export has (类型 住宅/商铺/车位, 面积 as numbers, 面积来源 登记/测绘/合同, 状态 已交付/未交付/未售, ID and
phone numbers as text, 代表人 for co-owned units).

Measured (wall with time.perf_counter, CPU with time.process_time):
- (a) read_roll_file + validate_roll on the file's bytes, several runs;
- (b) create_version (bulk insert of units and owners, each ID and phone number encrypted, keyed look-up hashes,
  the voter roll and its Merkle fingerprint, the diff, the audit event) and the commit, into a new community each
  run, so that every run is a first version;
- (c) the product's whole path once, as the import task runs it: start_import + run_import (reading, checking,
  storing, progress commits, the report and the audit events) in a new community;
- (d) a second import of the same file into the community of (c): a version diffed against 20,280 units.
The target (issue): (a) + (b) under 15 seconds.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app.demo.roll_generator import DemoUnit, generate_demo_roll  # noqa: E402
from app.rules.areas import format_area  # noqa: E402

SEED = 2026
SIZES = {"buildings": 60, "floors": 28, "entrances": 2, "rooms_per_floor": 6}
RUNS_CHECK = 3
RUNS_STORE = 3
TARGET_SECONDS = 15.0
KINDS_ZH = {"residence": "住宅", "commercial": "商铺", "parking": "车位", "other": "其他"}
STATUSES_ZH = {"delivered": "已交付", "undelivered": "未交付", "unsold": "未售"}
SOURCES_ZH = {"register": "登记", "survey": "测绘", "contract": "合同"}


def file_row(unit: DemoUnit, owner_slots: int) -> list[object]:
    """One unit as a row of the template (areas as numbers, as a register export has them)."""
    row: list[object] = [
        unit.building,
        unit.entrance,
        unit.room,
        KINDS_ZH[unit.kind],
        float(format_area(unit.area_centi)),
        SOURCES_ZH[unit.area_source],
        STATUSES_ZH[unit.status],
    ]
    representative: object = None
    for n in range(owner_slots):
        if n < len(unit.owners):
            owner = unit.owners[n]
            row += [owner.name, owner.id_number, owner.phone]
            if owner.is_representative and len(unit.owners) > 1:
                representative = n + 1
        else:
            row += [None, None, None]
    return [*row, representative]


def build_xlsx(units: list[DemoUnit]) -> bytes:
    from app.roll.parsing import OWNER_SLOTS
    from app.roll.template import template_headers

    headers = template_headers()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("业主名册")
    sheet.append(headers)
    for unit in units:
        row = file_row(unit, OWNER_SLOTS)
        if len(row) > len(headers):
            raise SystemExit(f"a row has {len(row)} cells for {len(headers)} headers: the template changed")
        sheet.append(row + [None] * (len(headers) - len(row)))  # the document columns after 代表人 stay empty
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(step: Callable[[], Any], runs: int) -> tuple[list[float], list[float], Any]:
    wall, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu, result


def _s(times: list[float]) -> str:
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database(url: str | None, folder: Path) -> tuple[str, Callable[[], None]]:
    """A fresh database: a SQLite file in `folder`, or a new schema of the PostgreSQL database `url`."""
    if not url:
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    schema = f"bench_roll_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    separator = "&" if "?" in url else "?"
    return url + separator + "options=" + quote(f"-csearch_path={schema}"), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL URL for the storing steps (default: a new SQLite file)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.communities import services as communities
    from app.extensions import db
    from app.roll import services
    from app.roll.models import RollOwner, RollUnit, RollVersion
    from app.roll.parsing import read_roll_file
    from app.roll.validation import validate_roll
    from app.roll.versions import create_version

    units = generate_demo_roll(SEED, **SIZES)
    data = build_xlsx(units)
    owners = sum(len(u.owners) for u in units)

    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.database_url, Path(folder))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key",
                "DATA_KEY_B64": base64.b64encode(b"b" * 32).decode(),
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": folder,
                "SERVER_NAME": None,
                "ARGON2_PROFILE": "CHEAPEST",
            }
        )
        try:
            with app.app_context():
                upgrade()
                dialect = db.engine.dialect.name

                def check() -> Any:
                    return validate_roll(read_roll_file("roll.xlsx", data))

                check_wall, check_cpu, report = timed(check, RUNS_CHECK)
                if report.errors:
                    raise SystemExit(f"the generated file has errors: {report.errors[:3]}")

                township = communities.create_township("基准街道", "330681901")
                db.session.commit()
                made = iter(range(1, 100))

                def store() -> Any:
                    community = communities.create_community(
                        township, f"基准小区{next(made)}", "基准路1号", "基准置业", 10**9
                    )
                    version = create_version(community, report.units, "基准测试", None, "import")
                    db.session.commit()
                    return version.id

                store_wall, store_cpu, version_id = timed(store, RUNS_STORE)
                stored_units = db.session.scalar(
                    sa.select(sa.func.count()).select_from(RollUnit).where(RollUnit.roll_version_id == version_id)
                )
                stored_owners = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(RollOwner)
                    .join(RollUnit)
                    .where(RollUnit.roll_version_id == version_id)
                )

                community = communities.create_community(
                    township, "基准小区（整条路径）", "基准路2号", "基准置业", 10**9
                )
                db.session.commit()

                def whole_path() -> dict[str, Any]:
                    roll_import = services.start_import(community, "roll.xlsx", data, "基准测试", None)
                    db.session.commit()
                    finished = services.run_import(roll_import.id)
                    if finished is None or finished.status != "done":
                        raise SystemExit(f"the import failed: {finished and finished.report}")
                    return db.session.get_one(RollVersion, finished.roll_version_id).diff

                path_wall, path_cpu, _ = timed(whole_path, 1)
                second_wall, second_cpu, diff = timed(whole_path, 1)
                db.session.remove()
        finally:
            with app.app_context():
                db.engine.dispose()
            drop()

    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    check_median, store_median = statistics.median(check_wall), statistics.median(store_wall)
    print("File")
    print(f"  {len(units):,} units ({sum(u.kind == 'residence' for u in units):,} flats), {owners:,} owner entries")
    print(f"  XLSX {len(data) / 1e6:.1f} MB; rows read {report.rows_read:,}; warnings {len(report.warnings)}")
    print(f"(a) read_roll_file + validate_roll, {RUNS_CHECK} runs")
    print(f"  wall {_s(check_wall)}; CPU {_s(check_cpu)}")
    print(f"(b) create_version + commit into {dialect}, a first version each, {RUNS_STORE} runs")
    print(f"  wall {_s(store_wall)}; CPU {_s(store_cpu)}; stored {stored_units:,} units, {stored_owners:,} owners")
    print(f"(a) + (b), medians: {check_median + store_median:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    print("(c) start_import + run_import, the whole task path, once")
    print(f"  wall {path_wall[0]:.2f} s; CPU {path_cpu[0]:.2f} s")
    print("(d) the same file again into that community (a second version, diffed against 20,280 units), once")
    counts = {k: diff[k] for k in ("added", "removed", "changed")}
    print(f"  wall {second_wall[0]:.2f} s; CPU {second_cpu[0]:.2f} s; diff {counts}")
    print("Memory")
    print(f"  ru_maxrss of this benchmark process {maxrss_mb:.0f} MB")
    print("Machine")
    print(f"  {platform.platform()}; {cpu_model()}; {os.cpu_count()} cores")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work slows the figures)")
    verdict = "met" if check_median + store_median < TARGET_SECONDS else "NOT met"
    print(f"Target: (a) + (b) < {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
