"""Benchmark of the roll notice's printable PDF, made by its background task (issue 21 item 6).

Run: `.venv/bin/python bench/roll_notice.py` (from the project root; a fresh SQLite file, Debian's fonts-noto-cjk).
Figures go into docs/performance.md. `--units N` sizes the roll (about N units; default 20,000).

The roll comes from app.demo.roll_generator.generate_demo_roll (flats, plus its shops and parking spaces; some
co-owned), stored and published as the product does. Then the task's own function (`app.roll.notice_jobs.build`)
makes the PDF of the notice with its progress committed every 200 units, timed from the job's row to the kept PDF.
Printed: wall and CPU seconds, units per second, pages and bytes, how many progress steps were committed.
Target (issue 21): a 20,000-unit notice in under 60 s in the task.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 2026
TARGET_S = 60.0


def sizes_for(units: int) -> dict[str, int]:
    """Buildings of 25 floors, 2 entrances, 10 rooms a floor: 500 flats each, enough for about `units`."""
    return {"buildings": max(1, round(units / 500)), "floors": 25, "entrances": 2, "rooms_per_floor": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--units", type=int, default=20_000)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app, jobs
    from app.communities import services as communities
    from app.demo.roll_generator import generate_demo_roll
    from app.extensions import db
    from app.roll import notice_jobs
    from app.roll import services as roll_services
    from app.roll.models import RollNoticePdf
    from app.roll.notice_pdf import CJK_FONT
    from app.roll.services import today
    from app.roll.versions import create_version

    if not CJK_FONT.exists():
        raise SystemExit("the notice needs Debian's fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key",
                "DATA_KEY_B64": base64.b64encode(b"b" * 32).decode(),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "INSTANCE_PATH": folder,
                "SERVER_NAME": None,
            }
        )
        with app.app_context():
            upgrade()
            township = communities.create_township("基准街道", "330681901")
            community = communities.create_community(township, "基准小区", "基准路1号", "基准置业", 10**9)
            units = generate_demo_roll(SEED, **sizes_for(args.units))
            version = create_version(community, units, "基准测试", None, "import")
            roll_services.publish_version(version, today() - timedelta(days=1), None)
            db.session.commit()
            job = RollNoticePdf(roll_version_id=version.id)
            db.session.add(job)
            db.session.commit()
            steps = [0]
            real_beat = jobs.beat

            def counted(row: object) -> None:
                steps[0] += 1
                real_beat(row)

            jobs.beat = counted  # type: ignore[assignment]
            wall, cpu = time.perf_counter(), time.process_time()
            notice_jobs.build(job.id)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            jobs.beat = real_beat  # type: ignore[assignment]
            made = db.session.scalars(select(RollNoticePdf)).one()
            pdf = made.pdf or b""
            pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
            print(
                f"Roll: {len(units):,} units, {sum(len(u.owners) for u in units):,} owners "
                f"(demo generator, seed {SEED})"
            )
            print(f"Notice PDF in its task: {made.status}, {wall:.1f} s wall, {cpu:.1f} s CPU")
            print(
                f"  {len(units) / wall:,.0f} units/s; {pages:,} pages; {len(pdf) / 1e6:.1f} MB; "
                f"{steps[0]} progress steps"
            )
            verdict = "met" if wall < TARGET_S else "NOT met"
            print(f"Target: {args.units:,} units in under {TARGET_S:.0f} s: {verdict}")
            print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
