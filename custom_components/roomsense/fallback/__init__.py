"""Deterministic fallback understanding of home commands, for when no model can be used."""

from __future__ import annotations

from ..home_model import HomeSnapshot, ParseResult
from .parser import FallbackParser, detect_language, normalize

__all__ = ["FallbackParser", "detect_language", "normalize", "parse"]


def parse(snapshot: HomeSnapshot, text: str) -> ParseResult:
    """Parse one utterance against a snapshot (builds a parser; reuse one for many)."""
    return FallbackParser(snapshot).parse(text)
