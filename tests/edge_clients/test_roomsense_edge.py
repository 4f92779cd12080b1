"""The shared edge protocol client (common/roomsense_edge.py) over a fake transport."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest

from .edge_modules import COMMON_DIR, roomsense_edge

EdgeClient = roomsense_edge.EdgeClient

SETTINGS = {
    "server_url": "http://ha.test:8123/",
    "device_id": "dev-1",
    "token": "device-token",
    "wait": 20,
    "jitter": 0,
}
NEXT_URL = "http://ha.test:8123/api/roomsense/edge/devices/dev-1/jobs/next?wait=20"
RESULT_URL = "http://ha.test:8123/api/roomsense/edge/devices/dev-1/jobs/result"


class FakeTransport:
    """Answers from a script; an exception in it is raised instead. Records every call."""

    def __init__(self, answers: list[Any], clock: FakeClock | None = None) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []
        self.clock = clock

    def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, timeout_s: float
    ) -> tuple[int, str]:
        self.calls.append(
            {"method": method, "url": url, "headers": headers, "body": body, "timeout": timeout_s}
        )
        if not self.answers:
            raise AssertionError(f"unexpected request {method} {url}")
        answer = self.answers.pop(0)
        if self.clock is not None and answer == (204, ""):
            self.clock.now += 20_000  # an empty long poll takes its whole wait
        if isinstance(answer, Exception):
            raise answer
        return answer

    def posted(self) -> list[dict[str, Any]]:
        return [json.loads(call["body"]) for call in self.calls if call["method"] == "POST"]


class FakeClock:
    """Milliseconds that only move when slept through (or by a long poll)."""

    def __init__(self) -> None:
        self.now = 0
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += int(seconds * 1000)


def job(job_id: str = "j1", **fields: Any) -> tuple[int, str]:
    body = {
        "job_id": job_id,
        "device_id": "dev-1",
        "status": "dispatched",
        "instruction": None,
        "command": None,
        "payload": None,
        "created_at": "2025-01-01T00:00:00+00:00",
        "dispatched_at": "2025-01-01T00:00:01+00:00",
        **fields,
    }
    return 200, json.dumps(body)


OK = (200, '{"job_id": "j1", "status": "succeeded"}')
EMPTY = (204, "")


def echo(payload: Any) -> dict[str, Any]:
    return {"echo": payload}


def broken(_payload: Any) -> dict[str, Any]:
    raise ValueError("pin 99 does not exist")


HANDLERS = {"echo": echo, "broken": broken, "agent": lambda text: {"answer": "echo: " + text}}


def make_client(
    answers: list[Any], handlers: dict[str, Any] | None = None, **settings: Any
) -> tuple[Any, FakeTransport, FakeClock, list[str]]:
    clock = FakeClock()
    transport = FakeTransport(answers, clock)
    logs: list[str] = []
    client = EdgeClient(
        {**SETTINGS, **settings},
        transport,
        HANDLERS if handlers is None else handlers,
        sleep=clock.sleep,
        log=logs.append,
        clock=clock,
    )
    return client, transport, clock, logs


# ---------------------------------------------------------------------------- settings


def test_load_settings_defaults_and_normalises() -> None:
    settings = roomsense_edge.load_settings(
        {"server_url": " https://ha.example:8123// ", "device_id": " d ", "token": "t"}
    )
    assert settings["server_url"] == "https://ha.example:8123"
    assert settings["device_id"] == "d"
    assert settings["wait"] == 25
    assert settings["result_attempts"] == 8
    assert settings["max_backoff"] == 60


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"token": ""}, "'token' is required"),
        ({"device_id": None}, "'device_id' is required"),
        ({"server_url": "ftp://ha"}, "http:// or https://"),
        ({"server_url": "http"}, "http:// or https://"),
        ({"wait": 61}, "between 1 and 60"),
        ({"wait": 0}, "between 1 and 60"),
        ({"jitter": 2}, "'jitter' must be between 0 and 1"),
        ({"request_timeout": 0}, "'request_timeout' must be a number >= 1"),
    ],
)
def test_load_settings_rejects(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        roomsense_edge.load_settings({**SETTINGS, **change})


def test_quote_segment_escapes_path_characters() -> None:
    assert roomsense_edge.quote_segment("a b/c?é") == "a%20b%2Fc%3F%C3%A9"
    client, transport, _, _ = make_client([EMPTY], device_id="a/b")
    client.fetch_next()
    assert "/devices/a%2Fb/jobs/next" in transport.calls[0]["url"]


# ---------------------------------------------------------------------------- fetching


def test_fetch_next_sends_token_and_outlasts_the_long_poll() -> None:
    client, transport, _, _ = make_client([job(command="echo")])
    fetched = client.fetch_next()
    assert fetched is not None
    assert fetched["job_id"] == "j1"
    call = transport.calls[0]
    assert call["method"] == "GET"
    assert call["url"] == NEXT_URL
    assert call["headers"]["Authorization"] == "Bearer device-token"
    assert call["body"] is None
    assert call["timeout"] > 20  # the socket must not time out before the server answers


def test_fetch_next_204_is_no_job() -> None:
    client, transport, _, _ = make_client([EMPTY])
    assert client.fetch_next(wait=5) is None
    assert transport.calls[0]["url"].endswith("?wait=5")


@pytest.mark.parametrize("status", [401, 404])
def test_fetch_next_auth_errors_say_register_again(status: int) -> None:
    client, _, _, _ = make_client([(status, '{"message": "no"}')])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="register") as caught:
        client.fetch_next()
    assert caught.value.status == status


@pytest.mark.parametrize("answer", [(500, "oops"), (200, "not json"), (200, '{"no": "id"}')])
def test_fetch_next_bad_answers_are_server_errors(answer: tuple[int, str]) -> None:
    client, _, _, _ = make_client([answer])
    with pytest.raises(roomsense_edge.EdgeServerError):
        client.fetch_next()


def test_ping() -> None:
    client, transport, _, logs = make_client([(200, '{"ok": true}'), OSError("refused")])
    assert client.ping() is True
    assert transport.calls[0]["url"] == "http://ha.test:8123/api/roomsense/edge/ping"
    assert "Authorization" not in transport.calls[0]["headers"]
    assert client.ping() is False
    assert "refused" in logs[-1]


# ---------------------------------------------------------------------------- dispatching


def test_handle_dispatches_command_with_payload() -> None:
    client, _, _, _ = make_client([])
    outcome = client.handle({"job_id": "j", "command": "echo", "payload": {"pin": 4}})
    assert outcome == {"status": "succeeded", "result": {"echo": {"pin": 4}}}


def test_handle_passes_an_empty_payload_when_none() -> None:
    client, _, _, _ = make_client([])
    outcome = client.handle({"job_id": "j", "command": "echo", "payload": None})
    assert outcome["result"] == {"echo": {}}


def test_handle_sends_instructions_to_the_agent() -> None:
    client, _, _, _ = make_client([])
    outcome = client.handle({"job_id": "j", "instruction": "turn on the fan", "command": None})
    assert outcome == {"status": "succeeded", "result": {"answer": "echo: turn on the fan"}}


def test_handle_unknown_command_fails_the_job() -> None:
    client, _, _, _ = make_client([])
    outcome = client.handle({"job_id": "j", "command": "self_destruct"})
    assert outcome == {"status": "failed", "error": "unknown command: self_destruct"}


def test_handle_instruction_without_agent_fails_the_job() -> None:
    client, _, _, _ = make_client([], handlers={"echo": echo})
    outcome = client.handle({"job_id": "j", "instruction": "hello"})
    assert outcome == {"status": "failed", "error": "unknown command: agent"}


def test_handle_handler_exception_fails_with_its_text() -> None:
    client, _, _, _ = make_client([])
    outcome = client.handle({"job_id": "j", "command": "broken", "payload": {}})
    assert outcome == {"status": "failed", "error": "ValueError: pin 99 does not exist"}


@pytest.mark.parametrize(
    ("job_fields", "error"),
    [
        ({}, "neither a command nor an instruction"),
        ({"command": ["x"]}, "command must be a string"),
        ({"command": "unserialisable"}, "not JSON-serialisable"),
    ],
)
def test_handle_malformed_jobs_fail(job_fields: dict[str, Any], error: str) -> None:
    client, _, _, _ = make_client([], handlers={"unserialisable": lambda _p: {"x": object()}})
    outcome = client.handle({"job_id": "j", **job_fields})
    assert outcome["status"] == "failed"
    assert error in outcome["error"]


# ---------------------------------------------------------------------------- results


def test_post_result_body_and_headers() -> None:
    client, transport, clock, _ = make_client([OK])
    assert client.post_result("j1", "succeeded", {"value": 1}) == "accepted"
    call = transport.calls[0]
    assert call["url"] == RESULT_URL
    assert call["headers"]["Content-Type"] == "application/json"
    assert json.loads(call["body"]) == {
        "job_id": "j1",
        "status": "succeeded",
        "result": {"value": 1},
    }
    assert clock.sleeps == []


def test_post_result_failed_carries_the_error() -> None:
    client, transport, _, _ = make_client([OK])
    client.post_result("j1", "failed", error="camera unplugged")
    assert transport.posted() == [
        {"job_id": "j1", "status": "failed", "result": None, "error": "camera unplugged"}
    ]


def test_post_result_retries_5xx_and_connection_errors_with_backoff() -> None:
    client, transport, clock, logs = make_client(
        [(502, ""), OSError("connection reset"), (503, '{"message": "restarting"}'), OK]
    )
    assert client.post_result("j1", "succeeded", {"v": 1}) == "accepted"
    assert clock.sleeps == [1, 2, 4]
    assert len(transport.posted()) == 4
    assert all(body == transport.posted()[0] for body in transport.posted())
    assert "connection reset" in logs[1]


def test_post_result_over_the_rate_limit_waits_and_sends_the_same_result() -> None:
    client, transport, clock, _ = make_client(
        [(429, '{"success": false, "message": "too many requests; retry later"}'), OK]
    )
    assert client.post_result("j1", "succeeded", {"v": 1}) == "accepted"
    assert clock.sleeps == [1]
    assert transport.posted()[0] == transport.posted()[1]


def test_post_result_gives_up_after_its_attempts_with_capped_backoff() -> None:
    client, transport, clock, _ = make_client([(500, "")] * 9, max_backoff=8)
    with pytest.raises(roomsense_edge.EdgeServerError, match="after 8 attempts"):
        client.post_result("j1", "succeeded", {})
    assert len(transport.calls) == 8
    assert clock.sleeps == [1, 2, 4, 8, 8, 8, 8]


def test_post_result_409_drops_the_stale_result() -> None:
    client, transport, clock, logs = make_client([(409, '{"message": "not yours"}')])
    assert client.post_result("j1", "succeeded", {}) == "stale"
    assert len(transport.calls) == 1
    assert clock.sleeps == []
    assert "409" in logs[0]


@pytest.mark.parametrize("status", [401, 404])
def test_post_result_auth_errors_stop(status: int) -> None:
    client, transport, _, _ = make_client([(status, "")])
    with pytest.raises(roomsense_edge.EdgeAuthError):
        client.post_result("j1", "succeeded", {})
    assert len(transport.calls) == 1


@pytest.mark.parametrize("status", [400, 413])
def test_post_result_refused_is_replaced_by_a_small_failure(status: int) -> None:
    client, transport, clock, _ = make_client([(status, '{"message": "nope"}'), OK])
    assert client.post_result("j1", "succeeded", {"big": "x"}) == "accepted"
    first, second = transport.posted()
    assert first["status"] == "succeeded"
    assert second["status"] == "failed"
    assert f"HTTP {status}: nope" in second["error"]
    assert clock.sleeps == []


def test_post_result_refused_twice_is_dropped() -> None:
    client, transport, _, _ = make_client([(400, ""), (400, "")])
    assert client.post_result("j1", "succeeded", {}) == "rejected"
    assert len(transport.calls) == 2


def test_post_result_too_large_is_reported_as_failed_without_sending_it() -> None:
    client, transport, _, _ = make_client([OK])
    client.post_result("j1", "succeeded", {"blob": "x" * (1024 * 1024)})
    (body,) = transport.posted()
    assert body["status"] == "failed"
    assert "result too large" in body["error"]
    assert len(transport.calls[0]["body"]) < 1000


def test_post_result_limit_applies_to_the_result_alone() -> None:
    client, transport, _, _ = make_client([OK])
    exactly_the_limit = "x" * (1024 * 1024 - 2)  # plus its two quotes
    client.post_result("j1", "succeeded", exactly_the_limit)
    (body,) = transport.posted()
    assert body["status"] == "succeeded"
    assert len(transport.calls[0]["body"]) > 1024 * 1024


# ---------------------------------------------------------------------------- the loop


def test_run_handles_jobs_and_reports_each() -> None:
    client, transport, _, _ = make_client(
        [job("j1", command="echo", payload={"a": 1}), OK, job("j2", instruction="hi"), OK]
    )
    assert client.run(max_jobs=2) == 2
    assert transport.posted() == [
        {"job_id": "j1", "status": "succeeded", "result": {"echo": {"a": 1}}},
        {"job_id": "j2", "status": "succeeded", "result": {"answer": "echo: hi"}},
    ]


def test_run_survives_a_broken_handler_and_an_unknown_command() -> None:
    client, transport, _, _ = make_client(
        [
            job("j1", command="broken"),
            OK,
            job("j2", command="nope"),
            OK,
            job("j3", command="echo"),
            OK,
        ]
    )
    assert client.run(max_jobs=3) == 3
    assert [(body["job_id"], body["status"]) for body in transport.posted()] == [
        ("j1", "failed"),
        ("j2", "failed"),
        ("j3", "succeeded"),
    ]


def test_run_keeps_polling_after_204() -> None:
    client, transport, clock, _ = make_client([EMPTY, EMPTY, job(command="echo"), OK])
    assert client.run(max_jobs=1) == 1
    assert [call["method"] for call in transport.calls] == ["GET", "GET", "GET", "POST"]
    assert clock.sleeps == []  # a long poll that waited needs no pause after it


def test_run_pauses_when_the_server_answers_204_at_once() -> None:
    client, transport, clock, _ = make_client([EMPTY, job(command="echo"), OK])
    transport.clock = None  # the 204 comes back in no time
    assert client.run(max_jobs=1) == 1
    assert clock.sleeps == [1.0]


def test_run_reconnect_backoff_doubles_caps_and_resets_after_success() -> None:
    answers: list[Any] = [OSError("down")] * 8 + [EMPTY, OSError("down"), (500, "")]
    answers += [job(command="echo"), OK]
    client, _, clock, logs = make_client(answers)
    assert client.run(max_jobs=1) == 1
    assert clock.sleeps == [1, 2, 4, 8, 16, 32, 60, 60, 1, 2]
    assert any("again" in line for line in logs)


def test_run_jitter_spreads_the_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, clock, _ = make_client([OSError("down")] * 3 + [job(command="echo"), OK], jitter=0.5)
    assert client.run(max_jobs=1) == 1
    for slept, base in zip(clock.sleeps, [1, 2, 4], strict=True):
        assert base * 0.5 <= slept <= base * 1.5


@pytest.mark.parametrize("status", [401, 404])
def test_run_stops_on_auth_errors(status: int) -> None:
    client, transport, clock, _ = make_client([OSError("down"), (status, "")])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="register the device again"):
        client.run()
    assert len(transport.calls) == 2
    assert clock.sleeps == [1]


def test_run_gives_up_on_an_undeliverable_result_and_goes_on() -> None:
    answers: list[Any] = [job("j1", command="echo")] + [(500, "")] * 2
    answers += [job("j2", command="echo"), OK]
    client, transport, _, logs = make_client(answers, result_attempts=2)
    assert client.run(max_jobs=2) == 2
    assert transport.posted()[-1]["job_id"] == "j2"
    assert any("gave up" in line for line in logs)


def test_run_stop_is_checked_before_each_poll() -> None:
    polls = iter([False, False, True])
    client, transport, _, _ = make_client([EMPTY, EMPTY])
    assert client.run(stop=lambda: next(polls)) == 0
    assert len(transport.calls) == 2


def test_poll_once() -> None:
    client, transport, _, _ = make_client([job(command="echo"), OK, EMPTY])
    first = client.poll_once()
    assert first is not None
    assert first["job_id"] == "j1"
    assert client.poll_once() is None
    assert len(transport.posted()) == 1


# ---------------------------------------------------------------------------- registration


def test_register_posts_the_device_and_returns_its_credentials() -> None:
    transport = FakeTransport([(201, '{"device_id": "d9", "token": "t9", "device": {}}')])
    assert roomsense_edge.register(
        "http://ha.test:8123/",
        "ha-token",
        " Shed Pi ",
        "raspberrypi4",
        ["gpio"],
        {"a": 1},
        transport,
    ) == ("d9", "t9")
    call = transport.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == "http://ha.test:8123/api/roomsense/edge/devices/register"
    assert call["headers"]["Authorization"] == "Bearer ha-token"
    assert json.loads(call["body"]) == {
        "name": "Shed Pi",
        "device_type": "raspberrypi4",
        "capabilities": ["gpio"],
        "metadata": {"a": 1},
    }


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        ((401, ""), "EdgeAuthError", "administrator"),
        ((400, '{"message": "name taken"}'), "EdgeError", "name taken"),
        ((404, ""), "EdgeError", "is RoomSense installed"),
        ((500, ""), "EdgeServerError", "HTTP 500"),
        ((201, '{"device_id": 1}'), "EdgeServerError", "no device_id and token"),
    ],
)
def test_register_errors(answer: tuple[int, str], error: str, message: str) -> None:
    transport = FakeTransport([answer])
    with pytest.raises(getattr(roomsense_edge, error), match=message):
        roomsense_edge.register("http://h:1", "t", "n", "jetson", [], {}, transport)


def test_register_checks_its_arguments_before_sending() -> None:
    transport = FakeTransport([])
    with pytest.raises(ValueError, match="device_type must be one of"):
        roomsense_edge.register("http://h:1", "t", "n", "toaster", [], {}, transport)
    with pytest.raises(ValueError, match="name"):
        roomsense_edge.register("http://h:1", "t", " ", "jetson", [], {}, transport)
    assert transport.calls == []


# ---------------------------------------------------------------------------- MicroPython subset


def test_shared_module_keeps_to_what_micropython_has() -> None:
    tree = ast.parse((COMMON_DIR / "roomsense_edge.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported <= {"json", "time", "random"}
    annotated = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and (node.returns or any(arg.annotation for arg in node.args.args))
    ]
    assert annotated == []  # annotations would be evaluated by CPython 3.11 but mean nothing here


# ---------------------------------------------------------------------------- a rotated token


REFUSED = (401, '{"success": false, "message": "wrong device token"}')


def rotating_client(
    answers: list[Any], tokens: list[Any]
) -> tuple[Any, FakeTransport, list[str], list[Any]]:
    """A client whose config's token reads, in turn, as `tokens` (an exception is raised)."""
    transport = FakeTransport(answers)
    logs: list[str] = []
    reads: list[Any] = []

    def token_source() -> Any:
        reads.append(tokens[len(reads)])
        if isinstance(reads[-1], Exception):
            raise reads[-1]
        return reads[-1]

    client = EdgeClient(
        SETTINGS, transport, HANDLERS, sleep=pytest.fail, log=logs.append, token_source=token_source
    )
    return client, transport, logs, reads


def bearers(transport: FakeTransport) -> list[str]:
    return [call["headers"]["Authorization"] for call in transport.calls]


def test_fetch_next_takes_a_new_token_from_the_config_on_401() -> None:
    client, transport, logs, reads = rotating_client([REFUSED, job("j1"), EMPTY], [" new-token\n"])
    assert client.fetch_next()["job_id"] == "j1"
    assert client.fetch_next() is None
    assert bearers(transport) == [
        "Bearer device-token",
        "Bearer new-token",
        "Bearer new-token",
    ]
    assert [call["url"] for call in transport.calls] == [NEXT_URL] * 3
    assert reads == [" new-token\n"]
    assert "trying the config's new one" in logs[0]


@pytest.mark.parametrize(
    "config_token", ["device-token", "", None, ValueError("config.json is not valid JSON")]
)
def test_fetch_next_gives_up_when_the_config_has_no_new_token(config_token: Any) -> None:
    client, transport, _, reads = rotating_client([REFUSED], [config_token])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="register the device again"):
        client.fetch_next()
    assert len(transport.calls) == 1
    assert reads == [config_token]


def test_fetch_next_reads_the_config_only_once_per_401() -> None:
    client, transport, _, reads = rotating_client([REFUSED, REFUSED], ["new-token"])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="HTTP 401"):
        client.fetch_next()
    assert bearers(transport) == ["Bearer device-token", "Bearer new-token"]
    assert reads == ["new-token"]


def test_a_404_is_not_put_right_by_the_config() -> None:
    client, transport, _, reads = rotating_client([(404, "")], ["new-token"])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="HTTP 404"):
        client.fetch_next()
    assert reads == []
    assert len(transport.calls) == 1


def test_post_result_takes_a_new_token_from_the_config_on_401() -> None:
    client, transport, _, reads = rotating_client([REFUSED, OK], ["new-token"])
    assert client.post_result("j1", "succeeded", {"ok": True}) == "accepted"
    assert bearers(transport) == ["Bearer device-token", "Bearer new-token"]
    assert (
        transport.posted() == [{"job_id": "j1", "status": "succeeded", "result": {"ok": True}}] * 2
    )
    assert reads == ["new-token"]


def test_post_result_gives_up_after_one_new_token() -> None:
    client, transport, _, reads = rotating_client([REFUSED, REFUSED], ["new-token", "newer"])
    with pytest.raises(roomsense_edge.EdgeAuthError, match="HTTP 401"):
        client.post_result("j1", "succeeded", {})
    assert len(transport.calls) == 2
    assert reads == ["new-token"]


def test_run_goes_on_with_the_new_token() -> None:
    answers = [REFUSED, job("j1", command="echo", payload={"a": 1}), OK, REFUSED]
    client, transport, _, reads = rotating_client(answers, ["new-token", "new-token"])
    with pytest.raises(roomsense_edge.EdgeAuthError):
        client.run()
    assert transport.posted() == [
        {"job_id": "j1", "status": "succeeded", "result": {"echo": {"a": 1}}}
    ]
    assert bearers(transport) == ["Bearer device-token"] + ["Bearer new-token"] * 3
    assert reads == ["new-token", "new-token"]
