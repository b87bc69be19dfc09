"""Issue 17, "done when": no published artefact pairs a ballot's plaintext choices with a pseudonym, unit, area or
time. On the demo (every result counted through the worker's run, some published, one certified), a reader of the
public pages, the packages and the PDFs finds no choice of any ballot, and no pseudonym, receipt or unit beside
anything a ballot says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.results import encrypted
from app.results.models import Result
from app.voting.models import MeetingVoter

LEDGER_ENTRY = {"receipt", "voter", "channel", "cast_at", "questions"}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60)
    return re.sub(r"\s+", "", done.stdout.decode())


def public_texts(client: FlaskClient, result: Result, tmp_path: Path) -> dict[str, str]:
    """What anyone can read of one published result, as text."""
    digest = result.package_sha256
    texts = {
        "page": client.get(f"/r/{digest}").get_data(as_text=True),
        "verify": client.get(f"/r/{digest}/verify").get_data(as_text=True),
        "check": client.get(f"/r/{digest}/check").get_data(as_text=True),
    }
    if shutil.which("pdftotext"):
        texts["result.pdf"] = pdf_text(client.get(f"/r/{digest}/result.pdf").data, tmp_path)
        if result.status == "certified":
            texts["certificate.pdf"] = pdf_text(client.get(f"/r/{digest}/certificate.pdf").data, tmp_path)
    return texts


@pytest.fixture
def demo(app: Any) -> list[Result]:
    load_demo()
    db.session.commit()
    return list(db.session.scalars(select(Result).order_by(Result.id)))


def test_no_public_artefact_of_the_demo_reads_a_ballot(demo: list[Result], client: FlaskClient, tmp_path: Path) -> None:
    public = [r for r in demo if r.status in ("published", "certified")]
    assert {r.status for r in public} == {"published", "certified"}
    for result in public:
        text = client.get(f"/r/{result.package_sha256}/package.json").get_data(as_text=True)
        package = json.loads(text)
        assert package["format"] == encrypted.ENCRYPTED_FORMAT
        assert '"choices"' not in text
        ballots = package["ledger"]["ballots"]
        assert ballots, "a demo result with no ballot tests nothing"
        for entry in ballots:
            assert set(entry) == LEDGER_ENTRY
            assert DAY.match(entry["cast_at"])  # the day, never the time
            assert all(isinstance(q, str) for q in entry["questions"].values())  # base64 ciphertexts and proofs
        # the ciphertexts of two ballots with the same choices differ: nothing repeats that would group them
        first_questions = [q for e in ballots for q in e["questions"].values()]
        assert len(set(first_questions)) == len(first_questions)

        pseudonyms = {v["voter"] for v in package["roll"]["voters"]} - {"developer"}
        receipts = {e["receipt"] for e in ballots}
        units = set(
            db.session.scalars(select(MeetingVoter.units_label).where(MeetingVoter.meeting_id == result.meeting_id))
        )
        for name, page in public_texts(client, result, tmp_path).items():
            found = [p for p in pseudonyms if p in page] + [r for r in receipts if r in page]
            assert not found, f"{name} of result {result.id} shows a pseudonym or a receipt"
            shown_units = [u for u in units if re.sub(r"\s+", "", u) in page]
            assert not shown_units, f"{name} of result {result.id} shows units: {shown_units[:3]}"
