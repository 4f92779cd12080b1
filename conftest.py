"""Repository-wide pytest setup.

Home Assistant's loader does `import custom_components`; the test plugin puts its own
testing_config first on sys.path while the `hass` fixture starts, and its regular
`custom_components` package would then hide ours. Importing ours first keeps it.

The core reports a blocking call in the event loop, and the use of a deprecated core API by
an integration, only in its log. Those reports fail the test that caused them, and any made
outside a test (at import) fail the run, so the suite stays at zero of both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

import custom_components  # noqa: F401  -- ours must be imported before the test config dir


def is_core_complaint(record: logging.LogRecord) -> bool:
    """A loop-blocking report, or a deprecation report that names RoomSense."""
    if record.levelno < logging.WARNING:
        return False
    message = record.getMessage()
    if "Detected blocking call" in message:
        return True
    names_us = "roomsense" in message or record.name.startswith("custom_components.roomsense")
    return names_us and ("deprecat" in message.lower() or "Detected that custom" in message)


class CoreComplaints(logging.Handler):
    """Collects the core's complaints, each with the test running when it came."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.current_test: str | None = None
        self.by_test: dict[str | None, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if is_core_complaint(record):
            self.by_test.setdefault(self.current_test, []).append(record.getMessage())


COMPLAINTS = CoreComplaints()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(COMPLAINTS)


@pytest.fixture(autouse=True)
def _no_core_complaints(request: pytest.FixtureRequest) -> Iterator[None]:
    COMPLAINTS.current_test = request.node.nodeid
    yield
    COMPLAINTS.current_test = None
    if complaints := COMPLAINTS.by_test.get(request.node.nodeid):
        pytest.fail("Home Assistant complained:\n" + "\n".join(complaints))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    total = sum(len(messages) for messages in COMPLAINTS.by_test.values())
    terminalreporter.write_line(
        f"core complaints (loop-blocking or deprecated-API reports): {total}"
    )
    for message in COMPLAINTS.by_test.get(None, []):
        terminalreporter.write_line(f"  outside a test: {message}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if COMPLAINTS.by_test.get(None) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
