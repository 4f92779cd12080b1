"""Fuzzing every HTTP entry of RoomSense on Home Assistant's real aiohttp app.

The SwitchBot webhook, the edge devices' own views, the actions' endpoints (automation,
scene learning, edge administration) and the SSE view, with random JSON shapes, bodies
that are nearly right, wrong types, huge and deep bodies, odd encodings, chunked bodies,
wrong methods and wrong credentials. Each request must answer below 500, log no ERROR,
and, when refused, change nothing (`conftest.Runner`).
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import re
import zlib
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest
from homeassistant.core import HomeAssistant
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.roomsense import http_json
from custom_components.roomsense.actions import ACTIONS
from custom_components.roomsense.edge.views import BASE_URL as EDGE_BASE
from custom_components.roomsense.events_view import URL_EVENTS
from custom_components.roomsense.shared import get_shared
from roomsense_simulator import Simulator

from ..conftest import long_run
from .conftest import (
    BULB,
    LOCK,
    METER,
    PLUG,
    Probe,
    Runner,
    Sent,
    drive,
    fuzz_settings,
    refused_by_the_parser,
)

# Requests per Hypothesis example: one example is a batch, so generation and shrinking
# work on whole sequences (a refusal after a success, a report after a dispatch).
BATCH = 10
# With the services' calls (test_service_fuzz.py) a run tries 10,000 generated requests.
DEFAULT_REQUESTS = 7_500
LONG_FACTOR = 10
NOISY_LOGGERS = (
    "homeassistant",
    "custom_components",
    "aiohttp",
    "asyncio",
    "roomsense_simulator",
    "pytest_homeassistant_custom_component",
)
# Where edge/views.py keeps its rate limiters (when it has them).

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "TRACE")
CONTENT_TYPES = (
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=UTF-16",
    "application/json; charset=latin-1",
    "application/json; charset=no-such-charset",
    "application/json; charset=",
    "text/plain",
    "text/html; charset=shift_jis",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=zzz",
    "application/octet-stream",
    "*/*",
)
# Mostly none: aiohttp refuses most of the others itself, before any view runs.
CONTENT_ENCODINGS = (
    *[None] * 14,
    "gzip",
    "deflate",
    "br",
    "zstd",
    "identity",
    "gzip, deflate",
    "x-bogus",
)
# Text the aiohttp client accepts in a header value (no line breaks, no control characters).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
SEGMENT_TEXT = st.text(max_size=70)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)


def _nested(depth: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _huge(size: int) -> bytes:
    return b'{"text": "' + b"x" * size + b'"}'


# Each kind of body, by how often it is drawn (a plain JSON body most of the time).
BODY_KINDS = (
    *["json"] * 10,
    *["json, chunked"] * 3,
    "empty",
    "raw bytes",
    "invalid utf-8",
    "utf-8 bom",
    "utf-16",
    "utf-32",
    "gzip garbage",
    "gzip json",
    "deflate json",
    "deep",
    "huge",
    "nan and infinity",
    "big integer",
)
SENTENCES = ("毎朝7時に照明をつけて", "turn on the light every morning at 7", "x" * 2001)
HUGE_SIZES = (70 * 1024, 300 * 1024, 1024 * 1024 + 1, 2 * 1024 * 1024)
DEEP = (1_000, 10_000, 100_000)


@st.composite
def encoded_body(
    draw: st.DrawFn, shape: st.SearchStrategy[Any]
) -> tuple[bytes, bool, tuple[tuple[str, str], ...], str]:
    """A body made from a JSON shape: its bytes, chunked or not, extra headers, the kind."""
    kind = draw(st.sampled_from(BODY_KINDS))
    headers: list[tuple[str, str]] = []
    chunked = kind.endswith("chunked")
    value = draw(shape) if kind.startswith(("json", "utf", "gzip json", "deflate")) else None
    text = json.dumps(value, ensure_ascii=draw(st.booleans())) if value is not None else "null"
    body: bytes
    match kind.removesuffix(", chunked"):
        case "json":
            body = text.encode("utf-8", "surrogatepass")
        case "empty":
            body = b""
        case "raw bytes":
            body = draw(st.binary(max_size=200))
        case "invalid utf-8":
            body = b'{"name": "\xff\xfe\xc3\x28", "text": "\xed\xa0\x80"}'
        case "utf-8 bom":
            body = b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
        case "utf-16" | "utf-32":
            body = text.encode(kind, "surrogatepass")
        case "gzip garbage":
            body = draw(st.binary(min_size=1, max_size=64))
            headers.append(("Content-Encoding", "gzip"))
        case "gzip json":
            body = gzip.compress(text.encode("utf-8", "surrogatepass"))
            headers.append(("Content-Encoding", "gzip"))
        case "deflate json":
            body = zlib.compress(text.encode("utf-8", "surrogatepass"))
            headers.append(("Content-Encoding", "deflate"))
        case "deep":
            body = _nested(draw(st.sampled_from(DEEP)), draw(st.sampled_from(("list", "dict"))))
        case "huge":
            body = _huge(draw(st.sampled_from(HUGE_SIZES)))
        case "nan and infinity":
            body = b'{"text": NaN, "ttl": Infinity, "timeout": -Infinity, "limit": NaN}'
        case _:  # big integer: past Python's limit on digits in a string
            body = b'{"limit": ' + b"9" * 5000 + b"}"
    if not headers and (encoding := draw(st.sampled_from(CONTENT_ENCODINGS))) is not None:
        headers.append(("Content-Encoding", encoding))
    if headers and len(body) > 65536:
        # aiohttp refuses a body it cannot decode as soon as it starts: the test client,
        # still sending megabytes, would fail on its own side.
        body = body[:65536]
    # Chunked, such a body races the client's writer against the server's close the same way.
    chunked = chunked and not headers
    if (content_type := draw(st.sampled_from(CONTENT_TYPES))) is not None:
        headers.append(("Content-Type", content_type))
    return body, chunked, tuple(headers), kind


class Targets:
    """What the fuzzed requests aim at: ids that exist, tokens, and the endpoints."""

    def __init__(
        self,
        *,
        webhook_id: str,
        admin_token: str,
        user_token: str,
        edge_device: tuple[str, str],
        other_edge_device: tuple[str, str],
        job_ids: list[str],
        rule_ids: list[str],
        device_ids: list[str],
        scene_ids: list[str],
    ) -> None:
        self.webhook_id = webhook_id
        self.edge_device = edge_device
        self.job_ids = job_ids
        self.rule_ids = rule_ids
        self.device_ids = device_ids
        edge_id, edge_token = edge_device
        other_id, other_token = other_edge_device
        # The right credentials more often than not, so requests get past the auth.
        self.authorizations: tuple[str | None, ...] = (
            *[f"Bearer {admin_token}"] * 6,
            *[f"Bearer {edge_token}"] * 3,
            *[f"Bearer {user_token}"] * 2,
            None,
            f"Bearer {other_token}",
            f"bearer {edge_token}",
            f"Basic {edge_token}",
            f"Bearer {admin_token[:-2]}xx",
            "Bearer",
            "Bearer ",
            "",
        )
        self.path_ids = {
            "rule_id": [*rule_ids, "nope"],
            "device_id": [edge_id, other_id, PLUG, "edge_0000", "nope"],
            "job_id": [*job_ids, "nope"],
            "candidate_id": ["nope", "cand_1"],
        }
        # Values a field may be given besides random JSON: the real ids, and words the
        # schemas take, so requests get past the first check.
        self.words: list[Any] = [
            *device_ids,
            *scene_ids,
            *rule_ids,
            *job_ids,
            edge_id,
            "turnOn",
            "turnOff",
            "setBrightness",
            "en",
            "ja",
            "jetson",
            "raspberry_pi",
            "succeeded",
            "failed",
            "changeReport",
            "WoPlugUS",
            "default",
            "command",
            "customize",
            "07:00",
            *SENTENCES,
            True,
            False,
            0,
            1,
            -1,
            60,
            600,
            1e308,
            "",
            " ",
            "x" * 5000,
            [],
            {},
        ]

    @property
    def values(self) -> st.SearchStrategy[Any]:
        return st.sampled_from(self.words) | JSON_VALUES

    def fields(self, names: list[str], extra: dict[str, st.SearchStrategy[Any]]) -> Any:
        """A dict with some of the known keys (and perhaps unknown ones)."""
        keys = st.sampled_from(names) | st.text(max_size=10) if names else st.text(max_size=10)
        plain = st.dictionaries(keys, self.values, max_size=6)
        if not extra:
            return plain
        return st.builds(
            lambda base, chosen: {**base, **chosen},
            plain,
            st.fixed_dictionaries({}, optional=extra),
        )


def workflow(values: st.SearchStrategy[Any], device_ids: list[str]) -> st.SearchStrategy[Any]:
    """A rule as the save endpoint takes it, often nearly right."""
    action = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["device_command", "scene", "notify", "delay"]) | values,
            "device_id": st.sampled_from(device_ids) | values,
            "command": st.sampled_from(["turnOn", "turnOff"]) | values,
            "parameter": values,
        },
    )
    schedule = st.fixed_dictionaries(
        {},
        optional={
            # No `interval`: a rule that fires within the run would change state between
            # the snapshots of a refused request.
            "type": st.sampled_from(["daily", "weekly", "once"]) | values,
            "time": st.sampled_from(["07:00", "25:61", "7"]) | values,
            "days": st.lists(st.sampled_from(["mon", "sun", "xyz"]), max_size=3) | values,
            "at": st.just("2026-01-01T07:00:00+09:00") | values,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "name": st.sampled_from(["Morning", ""]) | values,
            "description": values,
            "actions": st.lists(action, max_size=3) | values,
            "schedule": schedule | values,
            "conditions": values,
            "trigger": values,
            "confidence": values,
            "language": st.sampled_from(["en", "ja"]) | values,
        },
    )


def bounded(data: Any) -> Any:
    """Keep a valid request's waits short and its jobs alive through the run.

    A submit that waits for its result, or a job that expires, would otherwise change
    state later, between the snapshots of some other request.
    """
    if not isinstance(data, dict):
        return data
    if data.get("wait_for_result") is True:
        data = {**data, "timeout": 0}
    if "ttl" in data:
        try:
            ttl = float(data["ttl"])
        except (TypeError, ValueError, OverflowError):
            return data
        if math.isfinite(ttl) and ttl < 3600:
            data = {**data, "ttl": 3600}
    return data


def _short_wait(query: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A long poll that would really wait is asked not to (the run would stall).

    Without `wait` a poll waits the default 25 s: it gets `wait=0` too.
    """
    if not any(key == "wait" for key, _ in query):
        query = [*query, ("wait", "0")]
    bounded = []
    for key, value in query:
        if key == "wait":
            try:
                seconds = float(value)
            except ValueError:
                seconds = math.nan
            if 0 < seconds <= 60:
                value = "0"
        bounded.append((key, value))
    return tuple(bounded)


# Words the root conftest takes for the core's complaints when a log line names RoomSense:
# Hypothesis draws them from our own source's string constants, and a refused request's
# URL or body is logged.
COMPLAINT_WORDS = re.compile(r"deprecat|detected", re.IGNORECASE)


def _harmless(sent: Sent) -> Sent:
    """The request, with the words the complaint detector matches made unmatchable."""

    def text(value: str) -> str:
        return COMPLAINT_WORDS.sub("x", value)

    return replace(
        sent,
        path=text(sent.path),
        query=tuple((text(key), text(value)) for key, value in sent.query),
        body=re.sub(rb"(?i)deprecat|detected", b"x", sent.body),
    )


def _fill(path: str, ids: dict[str, list[str]], draw: st.DrawFn) -> str:
    for name, known in ids.items():
        marker = "{" + name + "}"
        if marker in path:
            segment = draw(st.sampled_from(known) | SEGMENT_TEXT)
            path = path.replace(marker, quote(segment, safe=""))
    return path


def action_endpoints(targets: Targets) -> list[tuple[str, list[str], Any]]:
    """Each actions' path: its methods and the shape of a nearly right body."""
    paths: dict[str, tuple[list[str], set[str]]] = {}
    for action in ACTIONS:
        for rest in action.rest:
            methods, names = paths.setdefault(rest.path, ([], set()))
            methods.append(rest.method)
            names.update(action.field_names)
    values = targets.values
    extra: dict[str, dict[str, st.SearchStrategy[Any]]] = {
        "automation/workflow/parse": {
            "naturalLanguage": st.sampled_from(SENTENCES) | values,
            "text": values,
        },
        "automation/workflow/save": {"workflow": workflow(values, targets.device_ids)},
        "automation/workflow/rules/{rule_id}": {
            "rule": workflow(values, targets.device_ids),
            "name": values,
        },
        "edge/devices/register": {
            "device_type": st.sampled_from(["jetson", "raspberry_pi", "pico", "esp32"]) | values,
            "capabilities": st.lists(st.sampled_from(["gpio", "camera", "a b"]), max_size=40),
            "metadata": st.dictionaries(st.text(max_size=5), values, max_size=70),
        },
        "edge/devices/{device_id}/jobs": {
            "command": st.sampled_from(["gpio.set", "snapshot"]) | values,
            "instruction": values,
            "ttl": values,
        },
    }
    return [
        (path, methods, targets.fields(sorted(names), extra.get(path, {})))
        for path, (methods, names) in paths.items()
    ]


def http_requests(targets: Targets) -> st.SearchStrategy[Sent]:
    """One request to any of RoomSense's HTTP entries."""
    authorization = st.sampled_from(targets.authorizations) | HEADER_TEXT.map("Bearer ".__add__)
    endpoints = action_endpoints(targets)

    def finish(
        draw: st.DrawFn,
        entry: str,
        methods: list[str],
        path: str,
        shape: Any,
        query: tuple[tuple[str, str], ...] = (),
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Sent:
        method = draw(st.sampled_from(methods) | st.sampled_from(ALL_METHODS))
        body, chunked, body_headers, kind = draw(encoded_body(shape.map(bounded)))
        auth = draw(authorization)
        all_headers = (*headers, *body_headers)
        if auth is not None:
            all_headers = (*all_headers, ("Authorization", auth))
        return _harmless(Sent(entry, method, path, query, all_headers, body, chunked, kind))

    @st.composite
    def webhook(draw: st.DrawFn) -> Sent:
        # RoomSense's own webhook only: an unknown id is Home Assistant's webhook
        # component's to answer.
        webhook_id = targets.webhook_id
        context = st.fixed_dictionaries(
            {},
            optional={
                "deviceMac": st.sampled_from(targets.device_ids) | targets.values,
                "deviceType": st.sampled_from(["WoPlugUS", "WoMeter", "WoLock"]) | targets.values,
                "timeOfSample": st.integers(min_value=-1, max_value=2**63) | targets.values,
                "powerState": st.sampled_from(["ON", "OFF"]) | targets.values,
                "temperature": st.floats() | targets.values,
                "humidity": targets.values,
                "lockState": st.sampled_from(["LOCKED", "UNLOCKED", "JAMMED"]),
                "battery": targets.values,
            },
        )
        event = st.fixed_dictionaries(
            {},
            optional={
                "eventType": st.just("changeReport") | targets.values,
                "eventVersion": targets.values,
                "context": context | targets.values,
            },
        )
        return finish(
            draw, "webhook", ["POST"], f"/api/webhook/{webhook_id}", event | targets.values
        )

    @st.composite
    def edge_device(draw: st.DrawFn) -> Sent:
        which = draw(st.sampled_from(["ping", "next", "result"]))
        if which == "ping":
            return finish(draw, "edge device", ["GET"], f"{EDGE_BASE}/ping", targets.values)
        device_id = draw(st.sampled_from(targets.path_ids["device_id"]) | SEGMENT_TEXT.map(quote))
        base = f"{EDGE_BASE}/devices/{device_id}/jobs"
        if which == "next":
            query = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["wait"]) | st.text(max_size=8),
                        st.sampled_from(["0", "-1", "61", "nan", "inf", "1e400", "", "abc"])
                        | st.text(max_size=12),
                    ),
                    max_size=3,
                )
            )
            return finish(
                draw, "edge device", ["GET"], f"{base}/next", targets.values, _short_wait(query)
            )
        report = st.fixed_dictionaries(
            {},
            optional={
                "job_id": st.sampled_from(targets.job_ids) | targets.values,
                "status": st.sampled_from(["succeeded", "failed", "queued"]) | targets.values,
                "result": targets.values,
                "error": targets.values,
            },
        )
        return finish(draw, "edge device", ["POST"], f"{base}/result", report | targets.values)

    @st.composite
    def action(draw: st.DrawFn) -> Sent:
        path, methods, shape = draw(st.sampled_from(endpoints))
        url = "/api/roomsense/" + _fill(path, targets.path_ids, draw)
        return finish(draw, "actions", methods, url, shape | targets.values)

    @st.composite
    def events(draw: st.DrawFn) -> Sent:
        ids = st.sampled_from(targets.device_ids) | st.text(max_size=70)
        value = (
            ids
            | st.lists(ids, min_size=1, max_size=120).map(",".join)
            | st.sampled_from([",", " ", "%", "../..", "-abc"])
        )
        query = draw(
            st.lists(
                st.tuples(st.sampled_from(["device_id", "authSig"]) | st.text(max_size=8), value),
                max_size=4,
            )
        )
        last_id = draw(
            st.none()
            | st.sampled_from(["0", "-5", "99999999999999999999", "1" * 5000, "x"])
            | HEADER_TEXT
        )
        headers = () if last_id is None else (("Last-Event-ID", last_id),)
        return finish(draw, "events", ["GET"], URL_EVENTS, targets.values, tuple(query), headers)

    return webhook() | edge_device() | action() | events()


async def aim(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Simulator,
    admin_token: str,
    user_token: str,
) -> Targets:
    """Real things to aim at: edge devices and jobs, a rule, the home's device ids."""
    edge = get_shared(hass).edge
    # Jobs stay as they are for the run: no result timeout fires between two snapshots.
    edge.configure(result_timeout=7 * 86400, max_completed_jobs=edge.max_completed_jobs)
    device, token = await edge.async_register("Fuzz Jetson", "jetson", ["gpio"], {})
    other, other_token = await edge.async_register("Other Pico", "pico", [], {})
    first = await edge.async_submit(
        device.device_id, command="gpio.set", payload={"pin": 1}, ttl=86400
    )
    second = await edge.async_submit(device.device_id, instruction="look", ttl=86400)
    # The oldest queued job goes out first: dispatch both, then queue one more.
    await edge.async_next_job(device.device_id, 0)
    await edge.async_next_job(device.device_id, 0)
    waiting = await edge.async_submit(other.device_id, command="snapshot", ttl=86400)
    rule = get_shared(hass).automation_api.save(
        {
            "name": "Fuzz rule",
            "actions": [{"type": "device_command", "device_id": PLUG, "command": "turnOn"}],
            "schedule": {"type": "daily", "time": "03:33"},
        },
        None,
    )
    await hass.async_block_till_done()
    return Targets(
        webhook_id=entry.data["webhook_id"],
        admin_token=admin_token,
        user_token=user_token,
        edge_device=(device.device_id, token),
        other_edge_device=(other.device_id, other_token),
        job_ids=[first.job_id, second.job_id, waiting.job_id],
        rule_ids=[rule["rule"]["id"]],
        device_ids=list(dict.fromkeys([PLUG, BULB, METER, LOCK, *simulator.state.devices])),
        scene_ids=list(simulator.state.scenes),
    )


def lift_edge_rate_limits(hass: HomeAssistant) -> None:
    """Fresh buckets for the edge views' rate limits before each batch.

    Every request comes from 127.0.0.1: without this, after the first few wrong tokens
    the edge views would answer only 429 and the rest of the run would test nothing else.
    Within a batch the limits apply, so their 429s are fuzzed too.
    """
    limits = get_shared(hass).edge.rate_limits
    fresh = type(limits)()
    limits.devices, limits.sources = fresh.devices, fresh.sources


def quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Only warnings and errors are written: the checks read ERROR records, and formatting
    every access line and debug record would take most of the run's time.
    """
    caplog.set_level(logging.WARNING)
    for name in NOISY_LOGGERS:
        caplog.set_level(logging.WARNING, logger=name)


def budget(config: pytest.Config) -> int:
    return DEFAULT_REQUESTS * (LONG_FACTOR if long_run(config) else 1)


@pytest.mark.slow
# Minutes by default, half an hour or so with --long; a request that hangs fails on its own
# after REQUEST_TIMEOUT.
@pytest.mark.timeout(3600)
# Home Assistant's loop keeps running (and drawing on `random`, for jitter) while Hypothesis
# draws the next batch in its thread; Hypothesis takes that for a strategy using `random`.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
async def test_every_http_entry_survives_fuzzing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
    hass_read_only_access_token: str,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A body aiohttp never finishes (a raw-deflate body cut short, sent after its headers)
    # is answered 408 once it stalls this long: 1 s here, not 10, keeps the run short.
    monkeypatch.setattr(http_json, "BODY_IDLE_TIMEOUT", 1.0)
    targets = await aim(
        hass, setup_entry, simulator, hass_access_token, hass_read_only_access_token
    )
    quiet_logs(caplog)
    runner = Runner(hass, await hass_client_no_auth(), Probe(hass, simulator), caplog)
    wanted = budget(request.config)

    async def run(batch: list[Sent]) -> None:
        lift_edge_rate_limits(hass)
        for sent in batch:
            await runner.send(sent)

    await drive(
        hass,
        st.lists(http_requests(targets), min_size=BATCH, max_size=BATCH),
        run,
        fuzz_settings(wanted // BATCH, long=long_run(request.config)),
    )
    print("\n" + runner.tally.write("http-long" if long_run(request.config) else "http"))
    assert runner.tally.total >= wanted
    assert set(runner.tally.requests) == {"webhook", "edge device", "actions", "events"}
    # The fuzzing reached past the first checks: each entry also answered successes.
    for entry, statuses in runner.tally.statuses.items():
        assert any(status < 300 for status in statuses), entry


async def test_a_webhook_body_that_cannot_be_decoded_is_a_400(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The fuzzing's first find: garbage sent as gzip made webhook.py raise.

    aiohttp decodes the body as it is read and raises RequestPayloadError; the webhook let
    it out, so Home Assistant logged an error with the traceback for every such push.
    """
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{setup_entry.data['webhook_id']}",
        data=b"{}",
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert not [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and not refused_by_the_parser(record)
    ]


@pytest.mark.parametrize(
    ("path", "authorized"),
    [
        ("/api/roomsense/automation/workflow/parse", True),
        ("/api/roomsense/edge/devices/register", True),
        (f"{EDGE_BASE}/devices/{{device_id}}/jobs/result", False),
    ],
)
async def test_a_body_that_cannot_be_decoded_is_a_400_everywhere(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    path: str,
    authorized: bool,
) -> None:
    """http_json.async_read_json let aiohttp's RequestPayloadError out: a 500 (fixed)."""
    device, token = await get_shared(hass).edge.async_register("Jetson", "jetson", [], {})
    client = await (hass_client() if authorized else hass_client_no_auth())
    response = await client.post(
        path.format(device_id=device.device_id),
        data=b'{"text": "not gzip"}',
        headers={"Content-Encoding": "gzip", "Authorization": f"Bearer {token}"}
        if not authorized
        else {"Content-Encoding": "gzip"},
    )
    assert response.status == 400
    assert (await response.json())["success"] is False
    assert not [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR and not refused_by_the_parser(record)
    ]
