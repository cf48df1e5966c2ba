"""core/ works with Qt absent: every module imports, and core tests pass, with PySide6,
pyqtgraph and qasync made unimportable (as on a server or a headless CI job)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {'PySide6', 'shiboken6', 'pyqtgraph', 'qasync', 'PyQt5', 'PyQt6'}:
            raise ImportError(f'{name} is blocked: core must not need it')
        return None
sys.meta_path.insert(0, Block())
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_every_core_module_imports_without_qt() -> None:
    result = run(
        "import importlib, pkgutil, core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
        "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        "print('ok')"
    )
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


NO_QT_INI = """[pytest]
addopts = --strict-markers -ra -p no:pytest-qt -p no:cacheprovider
filterwarnings = error
markers =
    postgres: needs PostgreSQL
    slow: slow
"""

SUBSET = [
    "tests/core/test_smoke_loop.py",
    "tests/core/test_intake_input.py",
    "tests/core/test_time_limits.py",
]


def test_core_tests_pass_without_qt(tmp_path: Path) -> None:
    ini = tmp_path / "pytest.ini"
    ini.write_text(NO_QT_INI, encoding="utf-8")
    args = ["-q", "-c", str(ini), "--rootdir", str(ROOT), "-k", "sqlite", *SUBSET]
    result = run(f"import pytest, sys\nsys.exit(pytest.main({args!r}))")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
