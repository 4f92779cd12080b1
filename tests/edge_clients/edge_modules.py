"""Where the edge clients live, and their shared modules imported for the tests.

The device code is not a package (it is copied onto devices as plain files), so the
tests put its folders on the import path the way the clients themselves do.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EDGE_DIR = Path(__file__).resolve().parents[2] / "edge_device_code"
COMMON_DIR = EDGE_DIR / "common"
JETSON_DIR = EDGE_DIR / "jetson"
PI4_DIR = EDGE_DIR / "raspberrypi4"
PICO_DIR = EDGE_DIR / "raspberrypi-pico"
SHIMS_DIR = Path(__file__).resolve().parent / "micropython_shims"


def load_file(name: str, path: Path) -> ModuleType:
    """Import the file at `path` as a fresh module called `name` (not kept in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _import_common() -> tuple[ModuleType, ...]:
    # Their names are unique in this repository, so they may stay in sys.modules.
    sys.path.insert(0, str(COMMON_DIR))
    try:
        return tuple(
            importlib.import_module(name)
            for name in ("roomsense_edge", "cpython_transport", "handlers_base", "edge_cli")
        )
    finally:
        sys.path.remove(str(COMMON_DIR))


roomsense_edge, cpython_transport, handlers_base, edge_cli = _import_common()
