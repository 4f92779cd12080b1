"""What the edge manager refuses; the views and actions turn each into an answer."""

from __future__ import annotations


class EdgeError(Exception):
    """A request the manager refuses; the views turn it into a status code."""


class UnknownDeviceError(EdgeError):
    """No edge device has this id."""


class UnknownJobError(EdgeError):
    """No job has this id."""


class InvalidTokenError(EdgeError):
    """The device token is wrong."""


class JobConflictError(EdgeError):
    """The job is not in a state that allows this."""
