"""The project's commands: `scripts/python`, `scripts/setup` with nothing to do, the root.

These run the real scripts as a user would, from the repository root.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the project's scripts, each its own process

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_scripts_python_runs_the_project_environment_from_the_repository_root() -> None:
    completed = run(
        "scripts/python",
        "-c",
        "import json, os, sys, homeassistant.const as c; "
        "print(json.dumps([list(sys.version_info[:3]), sys.prefix, os.getcwd(), c.__version__]))",
    )
    assert completed.returncode == 0, completed.stderr
    version, prefix, cwd, core = json.loads(completed.stdout.splitlines()[-1])
    assert tuple(version) >= (3, 14, 2)
    # The same environment as the one running this test, whichever core that is.
    assert Path(prefix) == Path(sys.prefix)
    assert Path(cwd) == ROOT
    from homeassistant.const import __version__ as running_core

    assert core == running_core


def test_scripts_python_passes_arguments_and_the_exit_status() -> None:
    completed = run(
        "scripts/python", "-c", "import sys; print(sys.argv[1:]); sys.exit(3)", "a b", "c"
    )
    assert completed.returncode == 3
    assert completed.stdout.strip() == "['a b', 'c']"


@pytest.mark.skipif(
    os.environ.get("ROOMSENSE_VENV", ".venv") != ".venv", reason="setup builds .venv by default"
)
def test_setup_with_nothing_changed_does_nothing() -> None:
    completed = run("scripts/setup")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""


@pytest.mark.skipif(
    not os.environ.get("ROOMSENSE_IN_ROOTFS"), reason="runs only inside the provisioned root"
)
def test_nothing_the_root_needs_is_mounted_on_the_host() -> None:
    """Inside the root, its /proc, /sys, /dev and the checkout are mounted; the host sees none.

    PID 1 is the host's init, in the host's mount namespace: its mount table is the host's.
    """
    rootfs = os.environ["ROOMSENSE_IN_ROOTFS"]
    host_mounts = [line.split()[4] for line in Path("/proc/1/mountinfo").read_text().splitlines()]
    ours = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    assert str(ROOT) in ours
    assert not [mount for mount in host_mounts if mount.startswith(rootfs)]
