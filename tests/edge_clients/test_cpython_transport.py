"""The stdlib transport (common/cpython_transport.py) against a real HTTP server."""

from __future__ import annotations

import json
import socket

import pytest

from .conftest import FakeRoomSense
from .edge_modules import cpython_transport

Transport = cpython_transport.CPythonTransport


def test_200_body_and_request_details(fake_server: FakeRoomSense) -> None:
    status, text = Transport().request(
        "POST",
        fake_server.base_url + "/test/echo",
        {"Authorization": "Bearer abc", "Content-Type": "application/json"},
        b'{"x": 1}',
        5,
    )
    assert status == 200
    echoed = json.loads(text)
    assert echoed["method"] == "POST"
    assert echoed["body"] == '{"x": 1}'
    assert echoed["headers"]["authorization"] == "Bearer abc"
    assert echoed["headers"]["content-type"] == "application/json"


def test_204_is_an_empty_body(fake_server: FakeRoomSense) -> None:
    assert Transport().request("GET", fake_server.base_url + "/test/status/204", {}, None, 5) == (
        204,
        "",
    )


@pytest.mark.parametrize("status", [400, 401, 404, 409, 413, 500, 503])
def test_error_statuses_are_answers_not_exceptions(fake_server: FakeRoomSense, status: int) -> None:
    got, text = Transport().request(
        "GET", f"{fake_server.base_url}/test/status/{status}", {}, None, 5
    )
    assert got == status
    assert json.loads(text) == {"message": f"status {status}"}


def test_text_is_decoded_as_utf8(fake_server: FakeRoomSense) -> None:
    assert Transport().request("GET", fake_server.base_url + "/test/text", {}, None, 5) == (
        200,
        "h\u00e9llo, plain text",
    )


def test_connection_refused_is_an_oserror(socket_enabled: None) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with pytest.raises(OSError, match="refused"):
            Transport().request("GET", f"http://127.0.0.1:{port}/", {}, None, 5)


def test_timeout_is_an_oserror(fake_server: FakeRoomSense) -> None:
    with pytest.raises(OSError, match="timed out"):
        Transport().request("GET", fake_server.base_url + "/test/slow", {}, None, 0.2)


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="only http"):
        Transport().request("GET", "file:///etc/passwd", {}, None, 5)


def test_environment_proxies_are_ignored_by_default(
    fake_server: FakeRoomSense, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy nobody listens on: using it would fail the request.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("no_proxy", "")
    status, _ = Transport().request("GET", fake_server.base_url + "/test/echo", {}, None, 5)
    assert status == 200
    with pytest.raises(OSError, match="refused"):
        Transport(use_env_proxy=True).request(
            "GET", fake_server.base_url + "/test/echo", {}, None, 5
        )
