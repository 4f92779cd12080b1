"""The add-on's launcher script, imported once for the tests that use it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

LAUNCHER_PATH = (
    Path(__file__).resolve().parents[2] / "addon" / "launcher" / "roomsense_llm_launcher.py"
)
_NAME = "roomsense_llm_launcher"


def load_launcher() -> ModuleType:
    """The launcher module (a script, not a package: loaded from its path)."""
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    spec = importlib.util.spec_from_file_location(_NAME, LAUNCHER_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    spec.loader.exec_module(module)
    return module
