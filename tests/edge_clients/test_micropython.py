"""The Pico W files keep to MicroPython, and run under a real one where it is installed."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .edge_modules import COMMON_DIR, EDGE_DIR, PICO_DIR, SHIMS_DIR

# What the board's firmware provides (plus the project's own files).
MICROPYTHON_MODULES = {"gc", "json", "machine", "network", "random", "requests", "sys", "time"}
MICROPYTHON_MODULES |= {"urequests", "roomsense_edge", "urequests_transport", "handlers"}
MICROPYTHON_MODULES |= {"secrets"}  # the user's secrets.py

BOARD_FILES = [
    COMMON_DIR / "roomsense_edge.py",
    *sorted(PICO_DIR.glob("*.py")),
]


@pytest.mark.parametrize("path", BOARD_FILES, ids=lambda path: path.name)
def test_board_files_import_only_what_the_pico_has(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "__future__", "MicroPython has no __future__ imports"
            imported.add(node.module or "")
    assert imported <= MICROPYTHON_MODULES, imported - MICROPYTHON_MODULES
    # f"{x=}" is CPython-only; MicroPython f-strings take plain expressions.
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            assert "=}" not in ast.unparse(node), ast.unparse(node)


@pytest.mark.slow  # the micropython interpreter, as its own process
def test_under_micropython() -> None:
    binary = os.environ.get("MICROPYTHON") or shutil.which("micropython")
    if binary is None:
        pytest.skip("no micropython binary (set $MICROPYTHON or put one on PATH)")
    done = subprocess.run(  # noqa: S603 - a local interpreter running our own script
        [binary, str(SHIMS_DIR.parent / "micropython_smoke.py"), str(EDGE_DIR), str(SHIMS_DIR)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "micropython smoke: OK" in done.stdout
