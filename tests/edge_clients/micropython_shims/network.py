"""A stand-in for MicroPython's `network` module (Pico W), driven by the tests.

Written in the Python both CPython and MicroPython run, so the same fake serves the
CPython tests and the smoke run under a real MicroPython.
"""

STA_IF = 0
STAT_CONNECTING = 1
STAT_GOT_IP = 3

# Test knobs and records; reset() restores them.
state = {}


def reset(polls_until_connected=0, status_while_waiting=STAT_CONNECTING, connected=False):
    """polls_until_connected: isconnected() calls after connect() before it is True (None:
    never); status_while_waiting: what status() says meanwhile (below 0: an error)."""
    state.clear()
    state.update(
        polls_until_connected=polls_until_connected,
        status_while_waiting=status_while_waiting,
        connected=connected,
        joining=False,
        active=False,
        polls=0,
        connects=[],
        disconnects=0,
        interfaces=[],
    )


def drop():
    """The access point went away."""
    state["connected"] = state["joining"] = False


reset()


class WLAN:
    """All instances share the one interface, as on the board."""

    def __init__(self, interface):
        state["interfaces"].append(interface)

    def active(self, value=None):
        if value is None:
            return state["active"]
        state["active"] = bool(value)
        return None

    def connect(self, ssid, password):
        state["connects"].append((ssid, password))
        state["joining"] = True
        state["polls"] = 0

    def disconnect(self):
        state["disconnects"] += 1
        state["connected"] = state["joining"] = False

    def isconnected(self):
        wanted = state["polls_until_connected"]
        if state["joining"] and wanted is not None:
            if state["polls"] >= wanted:
                state["connected"] = True
                state["joining"] = False
            state["polls"] += 1
        return state["connected"]

    def status(self):
        return STAT_GOT_IP if state["connected"] else state["status_while_waiting"]

    def ifconfig(self):
        return ("192.0.2.10", "255.255.255.0", "192.0.2.1", "192.0.2.1")
