"""`gongjue verify PACKAGE.json`: check a result package offline, as anyone can (docs/result-package.md).

Needs no database, no configuration, no network and no instance folder: it reads one file and runs
app.results.verify on it. Each check is printed with ✓ or ✗, its name in Chinese with the English after it, and
what is wrong when it fails; a summary line ends the report.

Exit 0 when every check passes, 1 when any fails (a package that is JSON but not shaped like one fails the
"structure" check), 2 when the file cannot be read as JSON at all.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from app.results.encrypted import Mapper, my_ballot_matches
from app.results.package import package_hash
from app.results.verify import Check, passed, verify_package

REPORT_FORMAT = "gongjue.verify-report/1"

#: the checks' names in Chinese (app/results/verify.py names them in English)
NAMES_ZH = {
    "structure": "结构",
    "format": "格式",
    "signatures present": "所需签名齐全",
    "roll root": "名册默克尔根",
    "ledger root": "账本默克尔根",
    "roll order": "名册顺序",
    "ledger order": "账本顺序",
    "voters on the roll": "投票人均在名册上",
    "one ballot per voter": "每位投票人一张选票",
    "one head per voter": "每位投票人计一人",
    "choices name the matters": "选票只涉及本次事项",
    "tally": "计票结果",
    "keys published": "签名公钥均为本平台公布",
    "roll fingerprint": "名册指纹",
    "election key": "表决公钥（平台与乡镇（街道）两方共同持有，任何一方都无法单独解密）",
    "questions": "加密选票的题目与事项一致",
    "ballot proofs": "每张加密选票的零知识证明（每个选项只能是0或1，每题不超过应选数）",
    "encrypted totals": "按人数和按面积的加密合计由各张选票重新算出",
    "decryptions": "合计的解密及其证明（只解密合计，不解密任何一张选票）",
    "my ballot": "我的选票：结果包中这张回执的加密选票正是我所投的内容",
}
#: names that carry a key id or a role after them: "key 1a2b…", "signature platform 1a2b…"
PREFIXES_ZH = {"key ": "公钥", "signature ": "签名"}
ROLES_ZH = {"platform": "平台", "convener": "召集人", "township": "乡镇（街道）"}
#: the failure details of app/results/verify.py, by their English beginning
DETAILS_ZH = (
    ("the package is not a JSON object", "结果包不是 JSON 对象"),
    ("the package is malformed", "结果包格式错误"),
    ("an old 'gongjue.result-package/1' package", "旧格式的结果包公开了每张选票的内容，如需核验，请加 --old-format"),
    ("format must be", "格式应为"),
    ("the key id is not the key's SHA-256", "公钥编号不是该公钥的 SHA-256"),
    ("no such key in the package", "结果包中没有该签名的公钥"),
    ("does not match the package", "签名与结果包内容不符"),
    ("missing a valid signature of", "缺少有效签名"),
    ("the roll's voters do not give its root", "由名册中的投票人算出的默克尔根与所载不符"),
    ("the ballots do not give its root", "由账本中的选票算出的默克尔根与所载不符"),
    ("the roll is not ordered by voter id", "名册未按投票人编号排序，或有投票人重复"),
    ("the ledger is not ordered by receipt", "账本未按回执排序，或有回执重复"),
    ("ballots of voters not on the roll", "有不在名册上的投票人的选票"),
    ("voters with more than one ballot", "有投票人投了不止一张选票"),
    ("roll entries that are not one head", "名册中有不计为一人的记录"),
    ("answers to matters not in the package", "选票中有本次未列出的事项"),
    ("signed with keys not published for that signer", "签名公钥不是为该签名方公布的公钥"),
    ("the roll's root is not the fingerprint", "名册的默克尔根与开始表决时冻结的名册指纹不符"),
    ("the recount differs from the signed tally in", "重新计票的结果与签名的计票结果不同"),
    ("the group must be", "群的名称应为"),
    ("no ballot of this receipt in the package", "结果包中没有这张回执的选票"),
    ("the ballot file", "选票核对文件有误"),
    ("question ", "加密选票与所投内容不符"),
    ("the trustees must be", "密钥持有方应为"),
    ("trustee's proof of its key fails", "密钥持有方对其公钥的证明不成立"),
    ("the election key is not the sum", "表决公钥不是各持有方公钥之和"),
    ("the questions are not those the matters define", "加密选票的题目与事项不符"),
    ("ballots whose proofs fail", "零知识证明不成立的选票"),
    ("totals that are not the sum of the ballots", "与各张选票之和不符的加密合计"),
    ("totals whose decryption fails", "解密或其证明不成立的合计"),
)


class PackageFileError(ValueError):
    """A file that is not a JSON document (not UTF-8, not JSON, a key twice in one object)."""


def load_package_json(data: bytes) -> object:
    """Parse the file's bytes (UTF-8, a leading byte-order mark accepted) into plain JSON values.

    An object with the same key twice is refused: a reader of the file could otherwise see one value in an
    editor while the check uses the other.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackageFileError(f"不是 UTF-8 文本（not UTF-8 text）：{error}") from error
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError as error:
        raise PackageFileError("嵌套过深（nested too deeply）") from error
    except ValueError as error:  # json.JSONDecodeError, a repeated key, an integer of thousands of digits
        raise PackageFileError(str(error)) from error


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"同一对象中键 {key!r} 出现两次（key {key!r} appears twice in one object）")
        document[key] = value
    return document


def chinese_name(name: str) -> str:
    """A check's name in Chinese: "账本默克尔根" for "ledger root", "签名（平台）" for "signature platform 1a2b…"."""
    if name in NAMES_ZH:
        return NAMES_ZH[name]
    for prefix, chinese in PREFIXES_ZH.items():
        if name.startswith(prefix):
            role = ROLES_ZH.get(name[len(prefix) :].split(" ", 1)[0]) if prefix == "signature " else None
            return f"{chinese}（{role}）" if role else chinese
    return ""


def name_zh(name: str) -> str:
    """A check's name in Chinese followed by its English name: "账本默克尔根 ledger root"."""
    chinese = chinese_name(name)
    return f"{chinese} {name}" if chinese else name


def detail_zh(detail: str) -> str:
    """A failure's detail in Chinese with the English after it; the English alone if it has no translation."""
    for english, chinese in DETAILS_ZH:
        if detail.startswith(english):
            rest = detail[len(english) :].lstrip(":").strip()
            return f"{chinese}{'：' + rest if rest else ''}（{detail}）"
    return detail


def report(checks: list[Check], digest: str | None, signed: list[dict[str, str]]) -> dict[str, Any]:
    """The checks as a JSON document. A check's detail says what is wrong, so it is empty when the check passes."""
    return {
        "format": REPORT_FORMAT,
        "package": digest,
        "passed": passed(checks),
        "signers": signed,
        "checks": [
            {
                "name": check.name,
                "name_zh": chinese_name(check.name),
                "ok": check.ok,
                "detail": "" if check.ok else check.detail,
            }
            for check in checks
        ],
    }


def signers(document: object) -> list[dict[str, str]]:
    """Who signed with which key and when, as the package says (whether the signatures hold is the checks' job).

    A sound signature proves only that the holder of that key signed: compare the key ids with the ones the
    platform and the township publish (docs/result-package.md, "Who signed").
    """
    if not isinstance(document, dict) or not isinstance(document.get("signatures"), list):
        return []
    return [
        {field: str(signature.get(field, "")) for field in ("role", "key", "signed_at")}
        for signature in document["signatures"]
        if isinstance(signature, dict)
    ]


def render_text(checks: list[Check], digest: str | None, signed: list[dict[str, str]]) -> str:
    lines = [f"结果包正文 SHA-256（package body SHA-256）：{digest or '—'}"]
    for check in checks:
        line = f"{'✓' if check.ok else '✗'} {name_zh(check.name)}"
        if not check.ok and check.detail:
            line += f"：{detail_zh(check.detail)}"
        lines.append(line)
    if signed:
        lines.append("签名公钥，请与公布的公钥编号核对（signing keys: compare them with the published key ids）：")
        lines += [f"  {ROLES_ZH.get(s['role'], '')} {s['role']} {s['key']} {s['signed_at']}" for s in signed]
    failed = [check.name for check in checks if not check.ok]
    if passed(checks):
        lines.append(f"通过：全部 {len(checks)} 项检查均通过（PASSED: all {len(checks)} checks passed）")
    else:
        names_zh = "、".join(chinese_name(name) or name for name in failed)
        lines.append(
            f"未通过：{len(checks)} 项检查中 {len(failed)} 项未通过：{names_zh}"
            f"（FAILED: {len(failed)} of {len(checks)} checks failed: {', '.join(failed)}）"
        )
    return "\n".join(lines) + "\n"


@contextmanager
def process_mapper(jobs: int) -> Iterator[Mapper]:
    """``map`` itself for one process; a pool's ordered `imap` over ``jobs`` processes otherwise (the proofs of the
    ballots are independent; chunks of 64 keep the messages between processes few)."""
    if jobs <= 1:
        yield map
        return
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield lambda function, items: pool.imap(function, items, chunksize=64)


def my_ballot_check(document: object, data: bytes) -> Check:
    """The owner's check of their own encrypted ballot against their check file."""
    try:
        mine = load_package_json(data)
        if not isinstance(document, dict) or not isinstance(mine, dict):
            raise TypeError("not a JSON object")
        ok, detail = my_ballot_matches(document, mine)
    except (PackageFileError, KeyError, TypeError, ValueError) as error:
        ok, detail = False, f"the ballot file cannot be read: {error}"
    return Check("my ballot", ok, detail)


def body_hash(document: object) -> str | None:
    """The body's SHA-256 that the signatures name, or None when the document cannot be hashed."""
    if not isinstance(document, dict):
        return None
    try:
        return package_hash(document)
    except (ValueError, TypeError, RecursionError):
        return None


def _unreadable(message: str) -> NoReturn:
    click.echo(f"无效的结果包文件（invalid package file）：{message}", err=True)
    sys.exit(2)


@click.command("verify")
@click.argument("package_file", type=click.File("rb"))
@click.option("--township", is_flag=True, help="Require the township's signature (a certified result).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--keys",
    "keys_file",
    type=click.File("rb"),
    help="The platform's published keys (a saved /keys.json): every signature must be by a key published for it.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that check the encrypted ballots' proofs (a /2 package): one per core.",
)
@click.option(
    "--old-format",
    is_flag=True,
    help="Read an old gongjue.result-package/1, which publishes every ballot's choices in the clear.",
)
@click.option(
    "--my-ballot",
    "my_ballot_file",
    type=click.File("rb"),
    help="Your own ballot's check file (my-ballot.json from your link): is your ballot in the package as you cast it?",
)
def verify_command(
    package_file: Any, township: bool, output: str, keys_file: Any, jobs: int, old_format: bool, my_ballot_file: Any
) -> None:
    """Check a result package (gongjue.result-package/2, or an earlier /1) offline; needs no database or
    configuration.

    Exit 0 if every check passes, 1 if any check fails, 2 if the file is not JSON.

    \f
    A plain click command: it never gets an application context (the effect of `with_appcontext=False`).
    """
    try:
        document = load_package_json(package_file.read())
    except PackageFileError as error:
        _unreadable(str(error))
    published = None
    if keys_file is not None:
        try:
            keys_document = load_package_json(keys_file.read())
            published = list(keys_document["keys"])  # type: ignore[index]
        except (PackageFileError, KeyError, TypeError) as error:
            _unreadable(f"--keys: {error}")
    with process_mapper(jobs) as mapper:
        checks = verify_package(
            document, require_township=township, published=published, mapper=mapper, old_format=old_format
        )
    if my_ballot_file is not None:
        checks.append(my_ballot_check(document, my_ballot_file.read()))
    digest, signed = body_hash(document), signers(document)
    if output == "json":
        click.echo(json.dumps(report(checks, digest, signed), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(checks, digest, signed), nl=False)
    sys.exit(0 if passed(checks) else 1)
