"""The integration's requirements install on every supported core, as Home Assistant does it.

Home Assistant installs a custom integration's `manifest.json` requirements with pip, under
its own `package_constraints.txt`. An exact pin of a library the core also pins (openai was
`==1.68.2` while the core pinned 2.x) makes pip give up, and the integration never loads.
Each test asks pip (`--dry-run`, from the package index) to resolve the requirements under
one core's constraints, exactly that check.

`constraints/` holds the files of the cores RoomSense supports: the declared minimum, the
tested core and the newest release. The installed core's own file must be one of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import homeassistant
import pytest
from homeassistant.const import __version__ as installed_core

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "custom_components" / "roomsense" / "manifest.json"
HACS = ROOT / "hacs.json"
CONSTRAINTS = Path(__file__).parent / "constraints"
CORES = sorted(
    (path.stem for path in CONSTRAINTS.glob("*.txt")),
    key=lambda version: tuple(int(part) for part in version.split(".")),
)


def requirements() -> list[str]:
    return list(json.loads(MANIFEST.read_text(encoding="utf-8"))["requirements"])


def pip_dry_run(constraints: Path, wanted: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            "-",
            "-c",
            str(constraints),
            *wanted,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def resolve(constraints: Path) -> dict[str, str]:
    """What pip would install for the requirements under these constraints: name → version."""
    completed = pip_dry_run(constraints, requirements())
    assert completed.returncode == 0, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return {
        item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]
    }


def pinned(constraints: Path, name: str) -> str | None:
    for line in constraints.read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    return None


def test_requirements_are_lower_bounds() -> None:
    """No exact pins: the core moves its own pins every month."""
    for requirement in requirements():
        assert "==" not in requirement, requirement
        assert ">=" in requirement, requirement


def test_the_installed_core_is_one_of_those_checked() -> None:
    installed = Path(homeassistant.__file__).parent / "package_constraints.txt"
    assert installed_core in CORES
    assert installed.read_text(encoding="utf-8") == (
        CONSTRAINTS / f"{installed_core}.txt"
    ).read_text(encoding="utf-8")


def test_the_declared_minimum_is_checked() -> None:
    assert json.loads(HACS.read_text(encoding="utf-8"))["homeassistant"] == CORES[0]


@pytest.mark.slow  # pip, as its own process
def test_an_exact_pin_the_core_disagrees_with_is_caught() -> None:
    """The check itself: RoomSense 0.1.0's pin fails under a core that pins openai 3."""
    completed = pip_dry_run(CONSTRAINTS / "2026.10.4.txt", ["openai==1.68.2"])
    assert completed.returncode != 0
    assert "conflict" in completed.stderr.lower() or "ResolutionImpossible" in completed.stderr


@pytest.mark.slow  # pip, as its own process
@pytest.mark.parametrize("core", CORES)
def test_requirements_resolve_under_the_core_constraints(core: str) -> None:
    constraints = CONSTRAINTS / f"{core}.txt"
    resolved = resolve(constraints)
    for name in ("openai", "ollama"):
        assert name in resolved
        # Where the core pins a library, the integration gets exactly the core's version.
        if (version := pinned(constraints, name)) is not None:
            assert resolved[name] == version, (name, resolved[name], version)
