"""axe-core for the browser tests: the accessibility audit of the voter pages (issue 6 item 11: "the same run checks
the voter pages with axe-core … and fails on any serious or critical violation").

axe-core is the npm package (Deque, MPL-2.0), taken as published: its registry tarball, pinned by version and by the
registry's own integrity (`dist.integrity`, SHA-512). No Node.js or npm is needed. The tarball is downloaded once with
urllib (bounded timeout) into the user's cache (`$XDG_CACHE_HOME/gongjue`, else `~/.cache/gongjue`; outside the
checkout, so nothing enters git and every checkout on the machine shares it) and its SHA-512 is checked against the
pinned integrity every time it is read, so a damaged or altered cache is refused, never run. CI fetches it before the
suite (`.ci/run` runs `python3 tests/browser/axe.py`); elsewhere the accessibility check skips with the reason when
the registry cannot be reached.

How axe gets into the page: the app's Content Security Policy says `script-src 'self'`, so `page.add_script_tag
(content=…)` (an inline <script>) is refused by the page and reported as a console error, which the browser tests
count as a failure. `page.evaluate(source)` runs the script through the DevTools protocol instead, which a page's CSP
does not govern; the page keeps its real CSP for everything else the tests check (a CSP violation by the app itself is
still a console error), which `bypass_csp=True` on the context would switch off for the whole test. axe-core needs no
eval of its own, so it runs fully under the page's policy.

Run `python3 tests/browser/axe.py` to fetch (or check) the cached copy: it prints the file and exits 0, or says why
not and exits 1. Standard library only, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

#: the axe-core release the tests run (npm "latest" when chosen) and its registry integrity (package.json dist)
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
REGISTRY = "https://registry.npmjs.org"
#: seconds for each request to the registry (the metadata, then the tarball of about 600 KB)
FETCH_TIMEOUT_S = 30
#: the tarball's largest acceptable size, against a runaway download
MAX_TARBALL_BYTES = 10 * 1024 * 1024
SCRIPT_MEMBER = "package/axe.min.js"
#: impacts that fail the check (axe's scale: minor, moderate, serious, critical)
FAILING_IMPACTS = ("serious", "critical")


class AxeUnavailable(RuntimeError):
    """axe-core is not cached and could not be downloaded (no network, registry down): the check is skipped."""


class AxeIntegrityError(RuntimeError):
    """The registry or the cache gave bytes other than the pinned release: never run them (a failure, not a skip)."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gongjue"


def tarball_path() -> Path:
    return cache_dir() / f"axe-core-{AXE_VERSION}.tgz"


def integrity_of(data: bytes) -> str:
    """npm's Subresource-Integrity form of SHA-512: "sha512-<base64>"."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _get(url: str) -> bytes:
    """A registry URL's body (HTTPS to the registry only), bounded in time and size."""
    if not url.startswith(REGISTRY + "/"):
        raise AxeIntegrityError(f"{url} is not on {REGISTRY}")
    request = urllib.request.Request(url, headers={"Accept": "*/*"})  # noqa: S310 (https to the registry, above)
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
        data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    if len(data) > MAX_TARBALL_BYTES:
        raise AxeIntegrityError(f"{url} is larger than {MAX_TARBALL_BYTES} bytes")
    return data


def download() -> Path:
    """Fetch the pinned release's tarball after checking that the registry states the pinned integrity for it."""
    try:
        metadata = json.loads(_get(f"{REGISTRY}/axe-core/{AXE_VERSION}"))
        dist = metadata["dist"]
        if dist.get("integrity") != AXE_INTEGRITY:
            raise AxeIntegrityError(
                f"the registry states {dist.get('integrity')!r} for axe-core {AXE_VERSION}, not the pinned "
                f"{AXE_INTEGRITY!r}"
            )
        data = _get(dist["tarball"])
    except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
        raise AxeUnavailable(f"axe-core {AXE_VERSION} could not be downloaded from {REGISTRY}: {error}") from error
    if integrity_of(data) != AXE_INTEGRITY:
        raise AxeIntegrityError(f"the downloaded axe-core {AXE_VERSION} tarball does not match {AXE_INTEGRITY}")
    path = tarball_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)  # atomic: a parallel run sees the whole file or none
    except OSError as error:
        raise AxeUnavailable(f"axe-core {AXE_VERSION} could not be cached at {path}: {error}") from error
    return path


@functools.cache
def axe_source() -> str:
    """The source of axe.min.js of the pinned release, from the cache (downloaded first when missing)."""
    path = tarball_path()
    if not path.exists():
        download()
    data = path.read_bytes()
    if integrity_of(data) != AXE_INTEGRITY:
        raise AxeIntegrityError(
            f"{path} does not match axe-core {AXE_VERSION}'s integrity {AXE_INTEGRITY}; delete it to download again"
        )
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile(SCRIPT_MEMBER)
        if member is None:
            raise AxeIntegrityError(f"{path} has no {SCRIPT_MEMBER}")
        return member.read().decode("utf-8")


# --- in the page -------------------------------------------------------------------------------------------------


def run_axe(page: Any, source: str) -> dict[str, Any]:
    """Load axe into the page (once per document) and audit the whole document with axe's default rule set (WCAG
    2.0–2.2 A and AA and best practices; experimental rules off). The result is axe's: violations, passes …"""
    if not page.evaluate("typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(source)
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations'], reporter: 'v2'})")
    return result


def failing(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations whose impact is serious or critical."""
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]], max_nodes: int = 5) -> str:
    """Each violation as its rule, impact and help (with the rule's page), then the elements: selector and summary."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        nodes = violation.get("nodes", [])
        for node in nodes[:max_nodes]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {node.get('html', '')[:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(nodes) > max_nodes:
            lines.append(f"    … and {len(nodes) - max_nodes} more elements")
    return "\n".join(lines)


def main() -> int:
    try:
        axe_source()
    except (AxeUnavailable, AxeIntegrityError) as error:
        print(f"axe-core: {error}", file=sys.stderr)
        return 1
    print(f"axe-core {AXE_VERSION}: {tarball_path()} ({AXE_INTEGRITY[:22]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
