"""Module names Home Assistant reads as platforms of the integration."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "custom_components" / "roomsense"


def test_no_module_is_mistaken_for_an_llm_platform() -> None:
    # Home Assistant's `llm` component imports `<integration>.llm` of every integration and
    # calls its `async_get_tools`: a package of ours by that name logged an error per turn.
    assert not (PACKAGE / "llm").exists()
    assert not (PACKAGE / "llm.py").exists()
    assert (PACKAGE / "language_models" / "__init__.py").is_file()
