"""The Pico W client (raspberrypi-pico/) under CPython, with network/machine/urequests shims."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from .edge_modules import PICO_DIR, SHIMS_DIR, edge_cli, load_file, roomsense_edge

# Module names the Pico code imports by name; each test gets fresh copies.
_PICO_MODULES = ("network", "machine", "urequests", "urequests_transport", "handlers")


@pytest.fixture
def pico(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """Shims in sys.modules, then the Pico's main.py, handlers.py and transport loaded."""
    saved = {name: sys.modules.pop(name) for name in _PICO_MODULES if name in sys.modules}
    try:
        shims = {name: load_file(name, SHIMS_DIR / f"{name}.py") for name in _PICO_MODULES[:3]}
        sys.modules.update(shims)
        monkeypatch.syspath_prepend(str(PICO_DIR))
        handlers = load_file("handlers", PICO_DIR / "handlers.py")
        sys.modules["handlers"] = handlers
        transport = load_file("urequests_transport", PICO_DIR / "urequests_transport.py")
        sys.modules["urequests_transport"] = transport
        # The folder name has a dash, so main.py is loaded from its path.
        main = load_file("roomsense_pico_main", PICO_DIR / "main.py")
        yield SimpleNamespace(main=main, handlers=handlers, transport=transport, **shims)
    finally:
        for name in _PICO_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------------------- Wi-Fi


def test_connect_wifi_joins_and_waits(pico: SimpleNamespace) -> None:
    pico.network.reset(polls_until_connected=3)
    slept: list[float] = []
    wlan = pico.main.connect_wifi("home", "secret", sleep=slept.append, log=quiet)
    assert wlan.isconnected()
    assert pico.network.state["active"] is True
    assert pico.network.state["interfaces"] == [pico.network.STA_IF]
    assert pico.network.state["connects"] == [("home", "secret")]
    assert slept == [0.5, 0.5, 0.5]


def test_connect_wifi_already_connected_does_not_reconnect(pico: SimpleNamespace) -> None:
    pico.network.reset(connected=True)
    pico.main.connect_wifi("home", "secret", sleep=pytest.fail, log=quiet)
    assert pico.network.state["connects"] == []


def test_connect_wifi_times_out(pico: SimpleNamespace) -> None:
    pico.network.reset(polls_until_connected=None)
    slept: list[float] = []
    with pytest.raises(OSError, match="not joined within 5 s"):
        pico.main.connect_wifi("home", "secret", timeout_s=5, sleep=slept.append, log=quiet)
    assert sum(slept) == 5
    assert pico.network.state["disconnects"] == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [(-3, "wrong password"), (-2, "no access point found"), (-1, "connection failed")],
)
def test_connect_wifi_fails_fast_on_a_final_status(
    pico: SimpleNamespace, status: int, reason: str
) -> None:
    pico.network.reset(polls_until_connected=None, status_while_waiting=status)
    slept: list[float] = []
    with pytest.raises(OSError, match=reason):
        pico.main.connect_wifi("home", "secret", sleep=slept.append, log=quiet)
    assert slept == []


# ---------------------------------------------------------------------------- transport


def test_urequests_transport_maps_status_and_body_and_closes(pico: SimpleNamespace) -> None:
    pico.urequests.answers[:] = [(200, '{"job_id": "j"}'), (409, '{"message": "stale"}')]
    transport = pico.transport.UrequestsTransport()
    headers = {"Authorization": "Bearer t"}
    assert transport.request("POST", "http://h/x", headers, b"{}", 7) == (200, '{"job_id": "j"}')
    assert transport.request("GET", "http://h/y", headers, None, 7) == (409, '{"message": "stale"}')
    assert pico.urequests.calls[0] == {
        "method": "POST",
        "url": "http://h/x",
        "data": b"{}",
        "headers": headers,
        "timeout": 7,
    }
    assert [response.closed for response in pico.urequests.responses] == [True, True]


def test_urequests_transport_204_is_empty_and_unread(pico: SimpleNamespace) -> None:
    pico.urequests.answers[:] = [(204, "should not be read")]
    assert pico.transport.UrequestsTransport().request("GET", "http://h", {}, None, 5) == (204, "")
    (response,) = pico.urequests.responses
    assert response.text_reads == 0
    assert response.closed


def test_urequests_transport_closes_when_the_body_is_bad(pico: SimpleNamespace) -> None:
    pico.urequests.answers[:] = [(200, UnicodeError("bad byte"))]
    with pytest.raises(OSError, match="not UTF-8"):
        pico.transport.UrequestsTransport().request("GET", "http://h", {}, None, 5)
    assert pico.urequests.responses[0].closed


def test_urequests_transport_connection_errors_are_oserrors(pico: SimpleNamespace) -> None:
    pico.urequests.answers[:] = [OSError(113, "EHOSTUNREACH")]
    with pytest.raises(OSError, match="EHOSTUNREACH"):
        pico.transport.UrequestsTransport().request("GET", "http://h", {}, None, 5)


def test_urequests_transport_without_timeout_for_old_firmware(pico: SimpleNamespace) -> None:
    pico.urequests.answers[:] = [(200, "{}")]
    pico.transport.UrequestsTransport(pass_timeout=False).request("GET", "http://h", {}, None, 5)
    assert pico.urequests.calls[0]["timeout"] is None


# ---------------------------------------------------------------------------- handlers


def test_gpio_sets_the_pin(pico: SimpleNamespace) -> None:
    assert pico.handlers.gpio({"pin": 15, "value": 1}) == {
        "pin": 15,
        "value": 1,
        "simulated": False,
    }
    assert pico.handlers.gpio({"pin": "LED", "value": False})["value"] == 0
    assert pico.machine.writes == [(15, 1), ("LED", 0)]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"pin": 15, "value": 2}, "0 or 1"),
        ({"pin": 29, "value": 1}, "0 to 28"),
        ({"pin": 23, "value": 1}, "Wi-Fi chip"),
        ({"pin": "15", "value": 1}, "0 to 28"),
        ({"value": 1}, "0 to 28"),
    ],
)
def test_gpio_refuses_bad_payloads(
    pico: SimpleNamespace, payload: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pico.handlers.gpio(payload)
    assert pico.machine.writes == []


@pytest.mark.parametrize(
    ("raw", "celsius"),
    [
        (14022, 27.0),  # 0.706 V: the datasheet's 27 °C point
        (13000, 56.9),  # lower voltage: hotter
        (14500, 13.0),
    ],
)
def test_temperature_from_adc4(pico: SimpleNamespace, raw: int, celsius: float) -> None:
    pico.machine.adc_raw[0] = raw
    assert pico.handlers.sensor_read({}) == {
        "sensor": "rp2040_internal",
        "temperature_c": celsius,
        "simulated": False,
    }
    assert pico.handlers.cpu_temperature({})["temperature_c"] == celsius
    assert pico.machine.adc_channels == [4, 4]


def test_adc_conversion_formula(pico: SimpleNamespace) -> None:
    volts = 0.706 - 10 * 0.001721  # ten degrees above 27 °C
    assert pico.handlers.adc_to_celsius(volts / 3.3 * 65535) == pytest.approx(37.0)


def test_agent_echoes(pico: SimpleNamespace) -> None:
    assert pico.handlers.agent("open the blinds")["answer"] == "echo: open the blinds"


def test_registration_capabilities_match_the_pico_handlers(pico: SimpleNamespace) -> None:
    assert sorted(pico.handlers.HANDLERS) == sorted(edge_cli.PICO_W_CAPABILITIES)


# ---------------------------------------------------------------------------- main loop


def secrets_module(**values: Any) -> ModuleType:
    module = ModuleType("secrets_for_test")
    defaults = {
        "WIFI_SSID": "home",
        "WIFI_PASSWORD": "pw",
        "SERVER_URL": "http://192.0.2.5:8123",
        "DEVICE_ID": "pico-1",
        "TOKEN": "tok",
        "WAIT": 10,
    }
    for key, value in {**defaults, **values}.items():
        setattr(module, key, value)
    return module


def test_settings_from_secrets(pico: SimpleNamespace) -> None:
    settings = pico.main.settings_from_secrets(secrets_module())
    assert settings == {
        "server_url": "http://192.0.2.5:8123",
        "device_id": "pico-1",
        "token": "tok",
        "wait": 10,
    }
    assert roomsense_edge.load_settings(settings)["wait"] == 10


def job_answer(job_id: str, **fields: Any) -> tuple[int, str]:
    return 200, json.dumps({"job_id": job_id, "status": "dispatched", **fields})


def test_run_forever_runs_jobs_and_rejoins_after_a_wifi_drop(pico: SimpleNamespace) -> None:
    pico.network.reset(polls_until_connected=0)
    settings = pico.main.settings_from_secrets(secrets_module())
    slept: list[float] = []
    client = roomsense_edge.EdgeClient(
        settings,
        pico.transport.UrequestsTransport(),
        pico.handlers.HANDLERS,
        sleep=slept.append,
        log=quiet,
    )

    pico.machine.adc_raw[0] = 14022
    pico.urequests.answers[:] = [
        job_answer("j1", command="gpio", payload={"pin": 2, "value": 1}),
        (200, "{}"),
        job_answer("j2", command="sensor_read"),
        (200, "{}"),
    ]
    real_request = pico.urequests.request

    def dropping_request(*args: Any, **kwargs: Any) -> Any:
        response = real_request(*args, **kwargs)
        if len(pico.urequests.calls) == 2:
            pico.network.drop()  # Wi-Fi lost after the first result
        return response

    pico.urequests.request = dropping_request
    handled = pico.main.run_forever(client, "home", "pw", sleep=slept.append, log=quiet, max_jobs=2)
    assert handled == 2
    assert pico.network.state["connects"] == [("home", "pw"), ("home", "pw")]
    results = [json.loads(call["data"]) for call in pico.urequests.calls if call["data"]]
    assert results == [
        {
            "job_id": "j1",
            "status": "succeeded",
            "result": {"pin": 2, "value": 1, "simulated": False},
        },
        {
            "job_id": "j2",
            "status": "succeeded",
            "result": {"sensor": "rp2040_internal", "temperature_c": 27.0, "simulated": False},
        },
    ]
    assert pico.urequests.calls[0]["url"] == (
        "http://192.0.2.5:8123/api/roomsense/edge/devices/pico-1/jobs/next?wait=10"
    )


def test_run_forever_retries_wifi(pico: SimpleNamespace) -> None:
    pico.network.reset(polls_until_connected=None, status_while_waiting=-2)
    slept: list[float] = []
    client = SimpleNamespace(run=lambda max_jobs, stop: max_jobs)  # "ran" all it was asked
    attempts = iter([False, True])

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if next(attempts):
            pico.network.reset(connected=True)

    assert pico.main.run_forever(client, "home", "pw", sleep=sleep, log=quiet, max_jobs=1) == 1
    assert slept == [pico.main.WIFI_RETRY_S, pico.main.WIFI_RETRY_S]


def test_main_blinks_instead_of_restarting_on_auth_errors(
    pico: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    pico.network.reset(connected=True)
    pico.urequests.answers[:] = [(401, '{"message": "Unauthorized"}')]

    class BlinkedError(Exception):
        pass

    def blink_forever() -> None:
        raise BlinkedError

    monkeypatch.setattr(pico.main, "blink_forever", blink_forever)
    with pytest.raises(BlinkedError):
        pico.main.main(secrets=secrets_module(), handlers=pico.handlers)
    assert pico.machine.resets == []


def secrets_file(folder: Any, token: str) -> None:
    values = {
        "WIFI_SSID": "home",
        "WIFI_PASSWORD": "pw",
        "SERVER_URL": "http://192.0.2.5:8123",
        "DEVICE_ID": "pico-1",
        "TOKEN": token,
        "WAIT": 10,
    }
    (folder / "pico_secrets_rotation.py").write_text(
        "".join(f"{key} = {value!r}\n" for key, value in values.items())
    )


@pytest.fixture
def secrets_on_disk(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, ModuleType]]:
    """A secrets file imported as the board imports secrets.py; rewrite it to rotate."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # a rewrite must not read stale .pyc
    monkeypatch.syspath_prepend(str(tmp_path))
    secrets_file(tmp_path, "tok")
    module = __import__("pico_secrets_rotation")
    try:
        yield tmp_path, module
    finally:
        sys.modules.pop("pico_secrets_rotation", None)


def test_token_from_secrets_imports_the_file_again(
    pico: SimpleNamespace, secrets_on_disk: tuple[Any, ModuleType]
) -> None:
    folder, module = secrets_on_disk
    read = pico.main.token_from_secrets(module)
    assert read() == "tok"
    secrets_file(folder, "rotated")
    assert read() == "rotated"
    assert sys.modules["pico_secrets_rotation"].TOKEN == "rotated"
    (folder / "pico_secrets_rotation.py").write_text("TOKEN = (")
    with pytest.raises(SyntaxError):
        read()
    # A broken file leaves the secrets that worked in place.
    assert sys.modules["pico_secrets_rotation"].TOKEN == "rotated"


def test_main_takes_a_rotated_token_from_secrets_on_401(
    pico: SimpleNamespace,
    secrets_on_disk: tuple[Any, ModuleType],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder, module = secrets_on_disk
    pico.network.reset(connected=True)
    # The token was rotated and the new one copied into secrets.py while the board ran.
    secrets_file(folder, "rotated")
    refused = (401, '{"success": false, "message": "wrong device token"}')
    pico.urequests.answers[:] = [
        refused,
        job_answer("j1", command="gpio", payload={"pin": 2, "value": 1}),
        (200, "{}"),
        refused,
    ]

    class BlinkedError(Exception):
        pass

    def blink_forever() -> None:
        raise BlinkedError

    monkeypatch.setattr(pico.main, "blink_forever", blink_forever)
    with pytest.raises(BlinkedError):  # refused again, and no newer token: it gives up
        pico.main.main(secrets=module, handlers=pico.handlers)
    assert [call["headers"]["Authorization"] for call in pico.urequests.calls] == [
        "Bearer tok",
        "Bearer rotated",
        "Bearer rotated",
        "Bearer rotated",
    ]
    assert json.loads(pico.urequests.calls[2]["data"])["job_id"] == "j1"
    assert pico.machine.resets == []


def test_main_restarts_the_board_after_an_unexpected_error(pico: SimpleNamespace) -> None:
    pico.network.reset(connected=True)
    pico.urequests.answers[:] = [MemoryError("out of memory")]
    slept: list[float] = []
    pico.main.main(secrets=secrets_module(), handlers=pico.handlers, sleep=slept.append)
    assert slept == [pico.main.RESTART_AFTER_CRASH_S]
    assert pico.machine.resets == [True]


@pytest.mark.parametrize(
    "broken", [{"TOKEN": ""}, {"SERVER_URL": "homeassistant.local"}, {"WAIT": 600}]
)
def test_main_blinks_on_a_bad_secrets_file(
    pico: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, broken: dict[str, Any]
) -> None:
    blinked: list[bool] = []
    monkeypatch.setattr(pico.main, "blink_forever", lambda: blinked.append(True))
    pico.main.main(secrets=secrets_module(**broken), handlers=pico.handlers, sleep=pytest.fail)
    assert blinked == [True]
    assert pico.urequests.calls == []
