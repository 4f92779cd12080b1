"""Runs the Pico W client's code under a real MicroPython (the unix port), with shims.

    micropython micropython_smoke.py EDGE_DEVICE_CODE_DIR SHIMS_DIR

test_micropython.py starts it when a `micropython` binary is on PATH. It checks what
CPython cannot: that MicroPython's parser, json, exceptions and f-strings accept the
shared client and the Pico files, and that a job goes end to end through them.
Prints "micropython smoke: OK" on success; any failure raises and exits non-zero.
"""

import json
import sys

EDGE_DIR, SHIMS_DIR = sys.argv[1], sys.argv[2]
sys.path.insert(0, SHIMS_DIR)
sys.path.insert(0, EDGE_DIR + "/common")
sys.path.insert(0, EDGE_DIR + "/raspberrypi-pico")

import handlers  # noqa: E402
import machine  # noqa: E402
import main  # noqa: E402
import network  # noqa: E402
import roomsense_edge  # noqa: E402
import urequests  # noqa: E402
from urequests_transport import UrequestsTransport  # noqa: E402

SETTINGS = {
    "server_url": "http://ha.test:8123/",
    "device_id": "dev 1",
    "token": "device-token",
    "wait": 5,
    "jitter": 0,
}


class FakeTransport:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = []

    def request(self, method, url, headers, body, timeout_s):
        self.calls.append((method, url, headers, body, timeout_s))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def raised(exc_type, function, *args, **kwargs):
    """The exception `function` raised (MicroPython has no pytest.raises)."""
    try:
        function(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("expected " + exc_type.__name__)


def quiet(_message):
    pass


def make_client(answers, handler_map=None):
    sleeps = []
    transport = FakeTransport(answers)
    client = roomsense_edge.EdgeClient(
        SETTINGS, transport, handler_map or handlers.HANDLERS, sleep=sleeps.append, log=quiet
    )
    return client, transport, sleeps


def job(job_id, command=None, payload=None, instruction=None):
    return (
        200,
        json.dumps(
            {
                "job_id": job_id,
                "device_id": "dev 1",
                "status": "dispatched",
                "command": command,
                "payload": payload,
                "instruction": instruction,
            }
        ),
    )


def check_client():
    settings = roomsense_edge.load_settings(SETTINGS)
    assert settings["server_url"] == "http://ha.test:8123"
    assert roomsense_edge.quote_segment("dev 1/é") == "dev%201%2F%C3%A9"

    def broken(_payload):
        raise ValueError("bad pin")

    handler_map = {"broken": broken, "echo": handlers.echo, "agent": handlers.agent}
    client, transport, sleeps = make_client([], handler_map)
    assert client.handle({"job_id": "j", "command": "broken"}) == {
        "status": "failed",
        "error": "ValueError: bad pin",
    }
    assert client.handle({"job_id": "j", "command": "nope"})["error"] == "unknown command: nope"
    assert client.handle({"job_id": "j", "instruction": "hi"})["result"]["answer"] == "echo: hi"

    client, transport, sleeps = make_client(
        [
            OSError(110),
            (503, '{"message": "busy"}'),
            (204, ""),
            job("j1", "echo", {"x": 1}),
            (500, ""),
            (200, '{"job_id": "j1", "status": "succeeded"}'),
        ],
        handler_map,
    )
    clock = [0]

    def tick_sleep(seconds):
        sleeps.append(seconds)
        clock[0] += int(seconds * 1000)

    client._sleep = tick_sleep
    client._clock = lambda: clock[0]
    assert client.run(max_jobs=1) == 1
    # Reconnect backoff 1, 2; the instant 204 waits 1 s; the result retry waits 1 s.
    assert sleeps == [1, 2, 1, 1], sleeps
    posted = json.loads(transport.calls[-1][3])
    assert posted == {"job_id": "j1", "status": "succeeded", "result": {"echo": {"x": 1}}}
    assert (
        transport.calls[0][1]
        == "http://ha.test:8123/api/roomsense/edge/devices/dev%201/jobs/next?wait=5"
    )

    # Every message path formats under MicroPython's f-strings.
    client, transport, sleeps = make_client([(500, ""), OSError(5)])
    error = raised(
        roomsense_edge.EdgeServerError, client.post_result, "j", "succeeded", {}, None, 2
    )
    assert "after 2 attempts" in str(error), str(error)
    client, transport, sleeps = make_client([(400, '{"message": "m"}'), (413, "")])
    assert client.post_result("j", "succeeded", {}) == "rejected"
    assert "HTTP 400: m" in json.loads(transport.calls[1][3])["error"]

    client, transport, sleeps = make_client([(409, "")])
    assert client.post_result("j2", "failed", error="x") == "stale"
    client, transport, sleeps = make_client([(401, "")])
    error = raised(roomsense_edge.EdgeAuthError, client.fetch_next)
    assert "register" in str(error), str(error)


def check_pico():
    machine.writes.clear()
    assert handlers.gpio({"pin": 15, "value": 1}) == {"pin": 15, "value": 1, "simulated": False}
    assert machine.writes == [(15, 1)]
    machine.adc_raw[0] = 14022
    assert handlers.cpu_temperature({})["temperature_c"] == 27.0

    urequests.answers[:] = [(204, "never read"), (200, '{"ok": true}')]
    transport = UrequestsTransport()
    assert transport.request("GET", "http://x/a", {}, None, 3) == (204, "")
    assert transport.request("GET", "http://x/b", {}, None, 3) == (200, '{"ok": true}')
    assert [r.closed for r in urequests.responses] == [True, True]

    network.reset(polls_until_connected=2)
    slept = []
    wlan = main.connect_wifi("home", "pw", sleep=slept.append, log=quiet)
    assert wlan.isconnected()
    assert slept == [0.5, 0.5], slept
    network.reset(status_while_waiting=-3, polls_until_connected=None)
    error = raised(OSError, main.connect_wifi, "home", "bad", sleep=slept.append, log=quiet)
    assert "wrong password" in str(error), str(error)

    # One job end to end through main.run_forever and the urequests transport.
    network.reset(polls_until_connected=0)
    urequests.answers[:] = [job("p1", "gpio", {"pin": "LED", "value": 1}), (200, "{}")]
    client = roomsense_edge.EdgeClient(
        SETTINGS, UrequestsTransport(), handlers.HANDLERS, sleep=slept.append, log=quiet
    )
    handled = main.run_forever(client, "home", "pw", sleep=slept.append, log=quiet, max_jobs=1)
    assert handled == 1
    posted = json.loads(urequests.calls[-1]["data"])
    assert posted["result"] == {"pin": "LED", "value": 1, "simulated": False}, posted


check_client()
check_pico()
print("micropython smoke: OK")
