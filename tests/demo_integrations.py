"""Fixtures that let a test's Home Assistant find one of the demo's own integrations.

The demo links them into its configuration folder's `custom_components/`; a test puts a
link to the one it needs on the path of the repository's `custom_components` package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import custom_components
from scripts.demo_support.config_dir import CUSTOM_COMPONENTS


def demo_integration_fixtures(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """`demo_integrations` (a folder with the link) and `demo_integration_found` for `name`."""

    @pytest.fixture(scope="session")
    def demo_integrations(tmp_path_factory: pytest.TempPathFactory) -> Path:
        """A folder with the demo integration alone, linked as the demo links it."""
        folder = tmp_path_factory.mktemp(f"{name}_custom_components")
        (folder / name).symlink_to(CUSTOM_COMPONENTS[name], target_is_directory=True)
        return folder

    @pytest.fixture
    def demo_integration_found(
        enable_custom_integrations: None,
        demo_integrations: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Home Assistant finds the demo integration next to RoomSense, as in the demo."""
        monkeypatch.setattr(
            custom_components, "__path__", [*custom_components.__path__, str(demo_integrations)]
        )

    return demo_integrations, demo_integration_found
