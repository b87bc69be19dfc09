"""`crypto/` and `app/rules/` are pure: they import neither Flask nor SQLAlchemy nor the application."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ["crypto", "app.rules"]
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_login", "sqlalchemy", "celery", "werkzeug")


def _modules(package: str) -> list[str]:
    path = ROOT / package.replace(".", "/")
    return [package] + [f"{package}.{info.name}" for info in pkgutil.iter_modules([str(path)])]


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_importing_a_pure_package_loads_no_framework(package):
    """Import every module in a fresh interpreter and look at what came along."""
    modules = _modules(package)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert offenders == []
    app_modules = [m for m in loaded if m == "app" or (m.startswith("app.") and not m.startswith("app.rules"))]
    assert app_modules in ([], ["app"]), app_modules  # the parent package itself, never its other modules


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_pure_sources_name_no_forbidden_import(package):
    """A static check as well, so that an import inside a function cannot hide."""
    for path in (ROOT / package.replace(".", "/")).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top not in FORBIDDEN, f"{path}: imports {name}"
                assert not (top == "app" and not name.startswith("app.rules")), f"{path}: imports {name}"
