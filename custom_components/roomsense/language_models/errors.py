"""The errors every adapter raises: one base class, so callers can fall back on one type."""

from __future__ import annotations


class LLMError(Exception):
    """Base class of every error an adapter raises."""


class LLMConnectionError(LLMError):
    """The model server could not be reached."""


class LLMTimeoutError(LLMError):
    """The model server did not answer within the configured timeout."""


class LLMResponseError(LLMError):
    """The model server answered with an error status or an unusable body."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
