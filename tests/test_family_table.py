"""The README's device-family table is what the catalog and the core integration say."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from homeassistant import const as ha_const

REPOSITORY = Path(__file__).resolve().parents[1]
# The table describes the core the README promises (scripts/lib/env.sh: HA_TESTED); the
# oldest and newest cores of the other runs have their own device tables.
_ENV = (REPOSITORY / "scripts/lib/env.sh").read_text(encoding="utf-8")
_TESTED = re.search(r'^HA_TESTED="?([^"\s]+)', _ENV, re.M)
pytestmark = pytest.mark.skipif(
    _TESTED is None or _TESTED.group(1) != ha_const.__version__,
    reason="the README's family table is of the tested core",
)


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_family_table", REPOSITORY / "scripts" / "family_table.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_is_current() -> None:
    generator = _generator()
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    assert generator.readme_block() in readme, (
        "README.md's family table is out of date: run scripts/python scripts/family_table.py "
        "--write"
    )


def test_the_core_side_reads_the_installed_core() -> None:
    generator = _generator()
    # From DEVICE_SUPPORT_MAP (data) and from make_device_data's branches (code).
    assert generator.core_platforms("Curtain4", infrared=False) >= {"cover"}
    assert generator.core_platforms("Relay Switch 2PM", infrared=False) == {"sensor", "switch"}
    assert generator.core_platforms("DIY Air Conditioner", infrared=True) == {"climate", "switch"}
    assert generator.core_platforms("Keypad Touch", infrared=False) == frozenset()
