"""`gongjue tally CASE.json` as a person recounting a published result runs it (docs/tally-format.md).

The real console script runs as a subprocess from an empty temporary folder with GONGJUE_ENV=production and
no other GONGJUE_ variable: it must need no configuration, no database and no instance folder, and leave the
folder empty. Invalid cases exit 2 with a message that names the place.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
GONGJUE = Path(sys.executable).parent / "gongjue"
TIMEOUT = 60


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """(where the case files go, the empty working folder the command runs in)."""
    cases, cwd = tmp_path / "cases", tmp_path / "cwd"
    cases.mkdir()
    cwd.mkdir()
    return cases, cwd


@pytest.fixture
def tally(folders: tuple[Path, Path]) -> Callable[..., Run]:
    cases, cwd = folders
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJUE_")}
    env["GONGJUE_ENV"] = "production"
    counter = iter(range(1_000_000))

    def run(case: Any = None, *options: str, raw: bytes | None = None, path: Path | None = None) -> Run:
        if path is None:
            path = cases / f"case{next(counter)}.json"
            path.write_bytes(raw if raw is not None else json.dumps(case, ensure_ascii=False).encode("utf-8"))
        done = subprocess.run(
            [str(GONGJUE), "tally", str(path), *options],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert list(cwd.iterdir()) == [], "the command wrote into its working folder"
        return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))

    return run


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def small() -> dict[str, Any]:
    return example("small.case.json")


def community() -> dict[str, Any]:
    return example("community.case.json")


def changed(case: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    case = copy.deepcopy(case)
    change(case)
    return case


def test_the_console_script_is_installed():
    assert GONGJUE.exists(), f"{GONGJUE}: install the project (pip install -e .)"


def test_a_good_case_prints_its_result_as_json(tally):
    run = tally(small())
    assert (run.returncode, run.stderr) == (0, "")
    assert run.json() == example("small.result.json")


def test_the_realistic_example_through_the_command(tally):
    run = tally(path=EXAMPLES / "community.case.json")
    assert run.returncode == 0, run.stderr
    assert run.json() == example("community.result.json")
    assert "王芳" in run.stdout, "Chinese is written as it is, not as \\u escapes"


def test_format_text_prints_the_chinese_report(tally):
    run = tally(community(), "--format", "text")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "共决 计票结果"
    assert "总面积 1275.80 平方米，总人数 9 人" in lines
    assert "参与表决：7 人，985.20 平方米（达到法定参与比例）" in lines
    assert "事项 covenant（须过半数同意）：通过" in lines
    assert "事项 fund-raise（须四分之三以上同意）：未通过" in lines
    assert "  同意人数：5 人 / 7 人，要求不少于 3/4，未达到（还差 1 人）" in lines
    assert "选举 committee（委员 5 名，候补至多 2 名）：业主委员会未能选举产生" in lines
    assert "  需另行选举：陈静、杨帆" in lines  # in ballot order
    assert "  赵磊：4 人，402.00 平方米，未获参与表决者双过半数，未当选" in lines


def test_format_json_is_the_default(tally):
    assert tally(small(), "--format", "json").json() == tally(small()).json()


def test_a_utf8_bom_is_accepted(tally):
    raw = b"\xef\xbb\xbf" + (EXAMPLES / "small.case.json").read_bytes()
    run = tally(raw=raw)
    assert run.returncode == 0, run.stderr
    assert run.json() == example("small.result.json")


def test_an_integer_area_string_and_spaces_are_fine(tally):
    case = changed(small(), lambda c: c["units"][1].update(area=" 120 "))
    run = tally(case)
    assert run.returncode == 0, run.stderr
    assert run.json()["totals"] == {"area": "209.50", "heads": 2}


# --- invalid cases: exit 2, nothing on stdout, the place named on stderr ---------------------------------------


def _second_unit_of_p001(case: dict[str, Any]) -> None:
    case["units"].append(
        {"unit": "1-1-103", "area": "50.00", "kind": "residence", "status": "delivered", "owners": ["P001"]}
    )
    case["ballots"].append({"unit": "1-1-103", "choices": {"m1": "no"}})


INVALID: list[tuple[str, Callable[[dict[str, Any]], object], str, str]] = [
    ("unknown unit", lambda c: c["ballots"].append({"unit": "9-9-999"}), "ballots[1].unit", "unknown unit '9-9-999'"),
    ("two ballots of one voter", _second_unit_of_p001, "ballots[1]", "two ballots of one voter"),
    ("the same unit twice", lambda c: c["ballots"].append({"unit": "1-1-101"}), "ballots[1]", "two ballots of one"),
    ("three decimals", lambda c: c["units"][1].update(area="120.005"), "units[1].area", "at most two decimals"),
    ("not a number", lambda c: c["units"][1].update(area="abc"), "units[1].area", "at most two decimals"),
    ("negative area", lambda c: c["units"][1].update(area="-5"), "units[1].area", "must be positive"),
    ("zero area", lambda c: c["units"][1].update(area="0"), "units[1].area", "more than zero"),
    ("exponent", lambda c: c["units"][1].update(area="1e3"), "units[1].area", "at most two decimals"),
    ("area as an integer", lambda c: c["units"][1].update(area=120), "units[1].area", "decimal string"),
    ("unknown kind", lambda c: c["units"][0].update(kind="flat"), "units[0].kind", "unknown kind"),
    ("unknown status", lambda c: c["units"][0].update(status="sold"), "units[0].status", "unknown status"),
    ("delivered, no owner", lambda c: c["units"][0].update(owners=[]), "units[0].owners", "needs its owners"),
    ("a unit twice", lambda c: c["units"].append(dict(c["units"][0])), "units[2].unit", "appears twice"),
    ("unknown matter", lambda c: c["ballots"][0]["choices"].update(m9="yes"), "ballots[0].choices", "'m9'"),
    ("four seats", lambda c: c["matters"][1].update(seats=4), "matters[1].seats", "from 5 to 11"),
    ("six seats", lambda c: c["matters"][1].update(seats=6), "matters[1].seats", "must be odd"),
    ("thirteen seats", lambda c: c["matters"][1].update(seats=13), "matters[1].seats", "from 5 to 11"),
    ("seats as a string", lambda c: c["matters"][1].update(seats="5"), "matters[1].seats", "integer"),
    ("3 alternates for 5", lambda c: c["matters"][1].update(max_alternates=3), "matters[1].max_alternates", "0 to 2"),
    ("election of category 2", lambda c: c["matters"][1].update(category=2), "matters[1].category", "category 3"),
    ("category 10", lambda c: c["matters"][0].update(category=10), "matters[0].category", "from 1 to 9"),
    ("unknown matter type", lambda c: c["matters"][0].update(type="poll"), "matters[0].type", '"motion"'),
    ("a candidate twice", lambda c: c["matters"][1]["candidates"].append("c1"), "matters[1].candidates", "twice"),
    ("a matter id twice", lambda c: c["matters"][1].update(id="m1"), "matters", "appears twice"),
    ("wrong format", lambda c: c.update(format="gongjue.tally-case/2"), "format", "gongjue.tally-case/1"),
    ("no developer", lambda c: c.pop("developer"), "developer", "non-empty string"),
    ("unknown setting", lambda c: c["settings"].update(quorum="1/2"), "settings", "unknown keys"),
    ("rank_by", lambda c: c["settings"].update(rank_by=["votes"]), "settings.rank_by", "heads"),
    ("a flag as a string", lambda c: c["settings"].update(count_parking="yes"), "settings.count_parking", "true"),
]


@pytest.mark.parametrize(("change", "place", "words"), [i[1:] for i in INVALID], ids=[i[0] for i in INVALID])
def test_an_invalid_case_exits_2_naming_the_place(tally, change, place, words):
    run = tally(changed(small(), change))
    assert run.returncode == 2, run.stdout
    assert run.stdout == ""
    assert run.stderr.startswith("无效的计票文件（invalid case）：")
    assert f"：{place}：" in run.stderr, run.stderr
    assert words in run.stderr


def test_a_parking_ballot_is_refused_when_parking_does_not_count(tally):
    case = changed(community(), lambda c: c["settings"].update(count_parking=False))
    case["ballots"].append({"unit": "P-002", "choices": {"covenant": "yes"}})
    run = tally(case)
    assert run.returncode == 2
    assert "belongs to no voter" in run.stderr
    assert "'P-002'" in run.stderr


def test_a_number_with_a_fraction_is_refused(tally):
    raw = json.dumps(small()).replace('"120.00"', "120.5").encode()
    run = tally(raw=raw)
    assert (run.returncode, run.stdout) == (2, "")
    assert "120.5" in run.stderr
    assert "decimal string" in run.stderr


def test_malformed_json_exits_2(tally):
    run = tally(raw=b'{"format": "gongjue.tally-case/1", "units": [')
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith("无效的计票文件（invalid case）：")


def test_a_file_that_is_not_utf8_exits_2(tally):
    run = tally(raw=(EXAMPLES / "small.case.json").read_text("utf-8").encode("utf-16"))
    assert (run.returncode, run.stdout) == (2, "")
    assert "utf-8" in run.stderr


def test_a_missing_file_exits_2(tally, folders):
    run = tally(path=folders[0] / "nowhere.json")
    assert (run.returncode, run.stdout) == (2, "")
    assert "nowhere.json" in run.stderr


# --- regressions: defects found and fixed ------------------------------------------------------------------------


def test_a_number_with_a_fraction_is_refused_naming_its_place(tally):
    raw = json.dumps(small()).replace('"120.00"', "120.5").encode()
    run = tally(raw=raw)
    assert run.returncode == 2
    assert "units[1].area" in run.stderr


def test_two_ballots_of_one_voter_name_the_second_ballot(tally):
    run = tally(changed(small(), _second_unit_of_p001))
    assert run.returncode == 2
    assert "ballots[1]" in run.stderr


@pytest.mark.parametrize(
    "units",
    [
        [],
        [{"unit": "P-1", "area": "12.00", "kind": "parking", "status": "delivered", "owners": ["A"]}],
    ],
    ids=["no units", "only parking, not counted"],
)
def test_a_motion_never_passes_without_voters(tally, units):
    case = {
        "format": "gongjue.tally-case/1",
        "settings": {"count_parking": False},
        "developer": "DEV",
        "units": units,
        "matters": [{"id": "fund", "type": "motion", "category": 6}],
    }
    run = tally(case)
    assert run.returncode == 2 or run.json()["matters"]["fund"]["passed"] is False


def test_a_misspelt_matter_key_is_refused(tally):
    case = changed(community(), lambda c: c["matters"][2].update(max_alternate=c["matters"][2].pop("max_alternates")))
    run = tally(case)
    assert run.returncode == 2
    assert "matters[2]" in run.stderr


@pytest.mark.parametrize("area", ["1_000", "８９.５０", "+5"])
def test_an_area_is_ascii_digits_only(tally, area):
    run = tally(changed(small(), lambda c: c["units"][1].update(area=area)))
    assert run.returncode == 2
    assert "units[1].area" in run.stderr
