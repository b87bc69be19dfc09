"""`gongjue verify PACKAGE.json` (app/results/cli.py): exit 0 when sound, 1 when any check fails, 2 for a file that
is not JSON; the report in Chinese with the English after it, or as JSON.

Most tests run the click command in-process (CliRunner); one runs the real console script in an empty folder with
GONGJUE_ENV=production and no other configuration, as someone who downloaded a package would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from app.results.cli import verify_command
from app.results.package import package_hash
from crypto.canonical import canonical_json
from tests.results.builders import certify, make_package

GONGJUE = Path(sys.executable).parent / "gongjue"


def write(tmp_path: Path, package: Any, name: str = "package.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def verify(path: Path, *options: str) -> Result:
    """`gongjue verify --old-format`: these tests' packages are /1 (made by the plaintext builder, which shares
    every check but the encrypted ones with /2)."""
    return CliRunner().invoke(verify_command, [str(path), "--old-format", *options])


def test_an_old_package_is_refused_unless_asked_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, make_package())
    refused = CliRunner().invoke(verify_command, [str(path)])
    assert refused.exit_code == 1
    assert "--old-format" in refused.output
    assert "in the clear" in refused.output
    assert verify(path).exit_code == 0


def one_digit_changed(package: dict[str, Any]) -> bytes:
    """The package's text with one digit of one area changed ("113.27" → "113.28")."""
    text = canonical_json(package).decode()
    area = package["roll"]["voters"][7]["area"]
    position = text.index(f'"area":"{area}"') + len('"area":"') + len(area) - 1
    digit = "1" if text[position] != "1" else "2"
    return (text[:position] + digit + text[position + 1 :]).encode()


def test_a_sound_package_exits_0_and_every_check_is_ticked(tmp_path: Path) -> None:
    package = make_package()
    result = verify(write(tmp_path, package))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert package_hash(package) in lines[0]
    assert "✓ 账本默克尔根 ledger root" in lines
    assert "✓ 名册默克尔根 roll root" in lines
    assert "✓ 计票结果 tally" in lines
    assert any(line.startswith("✓ 签名（平台） signature platform ") for line in lines)
    assert any(line.startswith("✓ 签名（召集人） signature convener ") for line in lines)
    assert not any(line.startswith("✗") for line in lines)
    assert lines[-1].startswith("通过：全部")
    assert "PASSED" in lines[-1]


def test_one_changed_digit_exits_1_and_names_what_failed(tmp_path: Path) -> None:
    path = tmp_path / "changed.json"
    path.write_bytes(one_digit_changed(make_package()))
    result = verify(path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("✗ 名册默克尔根 roll root：") for line in lines)
    assert any(line.startswith("✗ 计票结果 tally：") and "totals" in line for line in lines)
    assert any(line.startswith("✗ 签名（平台） signature platform ") for line in lines)
    assert lines[-1].startswith("未通过：")
    assert "FAILED" in lines[-1]
    assert "roll root" in lines[-1]


def test_township_requires_the_townships_signature(tmp_path: Path) -> None:
    package = make_package()
    result = verify(write(tmp_path, package), "--township")
    assert result.exit_code == 1
    assert "✗ 所需签名齐全 signatures present：缺少有效签名：township" in result.output
    certified = write(tmp_path, certify(package), "certified.json")
    assert verify(certified, "--township").exit_code == 0
    assert verify(certified).exit_code == 0


def test_json_output(tmp_path: Path) -> None:
    package = make_package()
    result = verify(write(tmp_path, package), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["format"] == "gongjue.verify-report/1"
    assert report["package"] == package_hash(package)
    assert report["passed"] is True
    assert {"name": "ledger root", "name_zh": "账本默克尔根", "ok": True, "detail": ""} in report["checks"]
    assert all(check["ok"] and check["detail"] == "" for check in report["checks"])
    assert report["signers"] == [
        {"role": s["role"], "key": s["key"], "signed_at": s["signed_at"]} for s in package["signatures"]
    ]


def test_json_output_of_a_failing_package(tmp_path: Path) -> None:
    path = tmp_path / "changed.json"
    path.write_bytes(one_digit_changed(make_package()))
    result = verify(path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["passed"] is False
    failed = {check["name"]: check["detail"] for check in report["checks"] if not check["ok"]}
    assert failed["roll root"] == "the roll's voters do not give its root"
    assert "totals" in failed["tally"]


def test_a_file_that_is_not_json_exits_2_with_a_message(tmp_path: Path) -> None:
    for name, content in (
        ("not.json", b'{"format": "gongjue.result-package/1",'),
        ("latin1.json", '{"x": "é"}'.encode("latin-1")),
        ("twice.json", b'{"tally": {}, "tally": {}}'),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        result = verify(path)
        assert result.exit_code == 2, name
        assert "无效的结果包文件（invalid package file）" in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_json_that_is_not_a_package_exits_1_on_structure(tmp_path: Path) -> None:
    for document in ([1, 2], {"format": "gongjue.result-package/1"}):
        result = verify(write(tmp_path, document))
        assert result.exit_code == 1
        assert "✗ 结构 structure" in result.output
        assert isinstance(result.exception, SystemExit)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + canonical_json(make_package()))
    assert verify(path).exit_code == 0


def test_the_console_script_needs_no_configuration(tmp_path: Path) -> None:
    cwd = tmp_path / "empty"
    cwd.mkdir()
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(canonical_json(make_package()))
    bad.write_bytes(one_digit_changed(make_package()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJUE_")} | {"GONGJUE_ENV": "production"}
    for path, code in ((good, 0), (bad, 1)):
        done = subprocess.run(
            [str(GONGJUE), "verify", "--old-format", str(path)],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == code, done.stderr.decode()
        assert done.stderr == b""
    assert list(cwd.iterdir()) == []
