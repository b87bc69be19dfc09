"""Benchmark of the voters' letters: one batch of 2,000 letters made as the Celery task makes it.

Run: `.venv/bin/python bench/letters.py` (from the project root). Figures go into docs/performance.md.
`--letters N` makes batches of N letters instead (a quick before-and-after of a change to the letter; the target
in proportion).
`--database-url postgresql://…` uses PostgreSQL instead of a fresh SQLite file; the benchmark then creates a schema
of its own in that database and drops it at the end.

The meeting is built like the product builds it, with a fixed seed: a roll from app.demo.roll_generator
.generate_demo_roll(buildings=10, floors=18, entrances=2, rooms_per_floor=6) (2,160 flats, 24 shops, 96 parking
spaces; about 5% without owners, 8% co-owned), published and frozen by opening a meeting with the first meeting's
three matters (rules, covenant, the committee election); the meeting's voters are then cut to the first 2,000 in
letter order (by building, then unit), so that the whole-community batch is 2,000 letters.

Measured (wall with time.perf_counter, CPU with time.process_time): `run_batch` — for each voter a new credential
(the token's and code's hashes stored, the audit event), the letter's page (text, the QR code drawn as rectangles),
then the PDF written with its embedded Chinese font subset, encrypted and stored, with the progress committed 20
times — twice: the first letters, then a second batch that revokes them all (a reprint). The time inside
`credentials.issue`, `LetterSheets.add`, `LetterSheets.output` and `seal` is summed as well. Finally the first and last
pages of the PDF are rasterised with pdftoppm and their QR codes decoded with zxing-cpp (when both are present), and
the decoded tokens must find their voters' credentials. The target (issue): 2,000 letters in under 60 seconds.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

SEED = 2026
SIZES = {"buildings": 10, "floors": 18, "entrances": 2, "rooms_per_floor": 6}
LETTERS = 2000
TARGET_SECONDS = 60.0
BASE_URL = "https://gongjue.example.cn"


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
    schema = f"bench_letters_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    separator = "&" if "?" in url else "?"
    return url + separator + "options=" + quote(f"-csearch_path={schema}"), drop


class Stopwatch:
    """Sums the wall time spent inside wrapped functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start

        setattr(owner, name, timed)


def make_meeting(today: date) -> int:
    """A community with the demo roll, an open meeting of three matters, cut to LETTERS voters; the meeting's id."""
    from app.communities import services as communities
    from app.demo.roll_generator import generate_demo_roll
    from app.extensions import db
    from app.roll import services as roll_services
    from app.roll.versions import create_version
    from app.voting import announcement, letter_batches, meetings
    from app.voting.models import Matter, Meeting, MeetingVoter

    township = communities.create_township("基准街道", "330681901")
    community = communities.create_community(township, "基准小区", "基准路1号", "基准置业", 10**9)
    version = create_version(community, generate_demo_roll(SEED, **SIZES), "基准测试", None, "import")
    roll_services.publish_version(version, date(2026, 8, 10), None)
    opens_at = meetings.local(today, meetings.OPENS_AT)
    meeting = Meeting(
        community_id=community.id,
        title="基准小区首次业主大会会议",
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7, hours=12),
        settings={"count_parking": True, "blank_and_invalid_take_part": True},
        matters=[
            Matter(position=1, kind="motion", category=1, title="表决通过《业主大会议事规则》"),
            Matter(position=2, kind="motion", category=2, title="表决通过《管理规约》"),
            Matter(position=3, kind="election", category=3, title="选举第一届业主委员会委员、候补委员", seats=7),
        ],
    )
    db.session.add(meeting)
    db.session.flush()
    announced = today - timedelta(days=30)  # the 15 days and the announcement's notice have run (Shaoxing Art 13)
    announcement.announce(meeting, announced, None, recorded_on=announced)
    meetings.open_voting(meeting, today, None)
    ids = letter_batches.voter_ids_of(meeting, None)
    if len(ids) < LETTERS:
        raise SystemExit(f"the roll gives {len(ids)} voters, fewer than {LETTERS}: enlarge SIZES")
    db.session.execute(sa.delete(MeetingVoter).where(MeetingVoter.id.in_(ids[LETTERS:])))
    db.session.commit()
    return meeting.id


def decode_pages(pdf: bytes, pages: list[int], folder: Path) -> list[str]:
    """The QR codes' texts on the given pages (pdftoppm at 150 dpi, zxing-cpp), or [] without the tools."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return []
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return []
    path = folder / "letters.pdf"
    path.write_bytes(pdf)
    texts = []
    for page in pages:
        prefix = folder / f"page{page}"
        subprocess.run(
            [pdftoppm, "-r", "150", "-gray", "-png", "-f", str(page), "-l", str(page), str(path), str(prefix)],
            check=True,
            timeout=120,
        )
        (image,) = folder.glob(f"page{page}*.png")
        texts += [result.text for result in zxingcpp.read_barcodes(Image.open(image))]
    return texts


def main() -> None:
    global LETTERS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--letters", type=int, default=LETTERS, help=f"letters per batch (default {LETTERS:,})")
    args = parser.parse_args()
    LETTERS = args.letters

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.roll.services import today
    from app.voting import credentials, letter_batches, letters
    from app.voting.models import Meeting

    if not letters.font_available():
        raise SystemExit("the letters need Debian's fonts-noto-cjk")
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
        runs: list[dict[str, Any]] = []
        try:
            with app.app_context():
                upgrade()
                dialect = db.engine.dialect.name
                meeting_id = make_meeting(today())
                watch = Stopwatch()
                watch.wrap(credentials, "issue", "credentials.issue")
                watch.wrap(letters.LetterSheets, "add", "LetterSheets.add")
                watch.wrap(letters.LetterSheets, "output", "LetterSheets.output")
                watch.wrap(letter_batches, "seal", "seal")
                for _run in range(2):
                    watch.seconds.clear()
                    meeting = db.session.get_one(Meeting, meeting_id)
                    # the second run is a reprint: confirmed, as the letters page asks (issue 19 item 5)
                    batch = letter_batches.start_batch(meeting, None, BASE_URL, None, replace=True)
                    db.session.commit()
                    batch_id = batch.id
                    start, start_cpu = time.perf_counter(), time.process_time()
                    letter_batches.run_batch(batch_id)
                    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
                    batch = db.session.get_one(letter_batches.LetterBatch, batch_id)
                    pdf = letter_batches.unseal(batch.pdf_cipher or b"")
                    runs.append(
                        {
                            "wall": wall,
                            "cpu": cpu,
                            "status": batch.status,
                            "voters": batch.voter_count,
                            "pdf": pdf,
                            "parts": dict(watch.seconds),
                        }
                    )
                pdf = runs[-1]["pdf"]
                decoded = decode_pages(pdf, [1, LETTERS], Path(folder))
                found = [credentials.find(token=parse_qs(urlsplit(link).query)["t"][0]) for link in decoded]
                decoded_right = len(found) == 2 and all(c is not None and c.revoked_at is None for c in found)
                db.session.remove()
        finally:
            with app.app_context():
                db.engine.dispose()
            drop()

    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Meeting: {LETTERS:,} voters (demo roll, seed {SEED}, {SIZES}), 3 matters; database {dialect}")
    for n, run in enumerate(runs, start=1):
        what = "first letters" if n == 1 else "a reprint (every earlier letter revoked)"
        pages = len(re.findall(rb"/Type /Page\b", run["pdf"]))
        print(f"Batch {n}, {what}: {run['status']}, {run['voters']:,} letters")
        print(
            f"  wall {run['wall']:.2f} s ({run['voters'] / run['wall']:.0f} letters/s); CPU {run['cpu']:.2f} s; "
            f"PDF {len(run['pdf']) / 1e6:.1f} MB, {pages:,} pages"
        )
        parts = "; ".join(f"{name} {seconds:.2f} s" for name, seconds in run["parts"].items())
        print(f"  inside: {parts}")
    if decoded:
        verdict = "ok" if decoded_right else "WRONG"
        print(f"QR codes of pages 1 and {LETTERS:,} decoded (pdftoppm 150 dpi + zxing-cpp), tokens found: {verdict}")
    else:
        print("QR codes not decoded (pdftoppm or zxing-cpp missing)")
    print("Memory")
    print(f"  ru_maxrss of this benchmark process {maxrss_mb:.0f} MB")
    print("Machine")
    print(f"  {platform.platform()}; {cpu_model()}; {os.cpu_count()} cores")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work slows the figures)")
    slowest = max(run["wall"] for run in runs)
    target = TARGET_SECONDS * LETTERS / 2000  # the 2,000 letters in 60 s, in proportion for --letters
    verdict = "met" if slowest < target else "NOT met"
    print(f"Target: {LETTERS:,} letters < {target:.0f} s: {verdict} (slowest batch {slowest:.1f} s)")


if __name__ == "__main__":
    main()
