"""RoomSense edge protocol: the client logic every edge device shares.

This one file runs unchanged on CPython 3.11+ (Jetson, Raspberry Pi 4) and on MicroPython
(Raspberry Pi Pico W), so it keeps to what both have: only the `json` and `time` modules,
no dataclasses, no typing at run time, no asyncio. The network is reached through a
*transport*: any object with

    request(method, url, headers, body_bytes_or_None, timeout_s) -> (status, body_text)

that raises `OSError` when the server cannot be reached. `cpython_transport.py` and the
Pico's `urequests_transport.py` are the two shipped ones; the tests use a fake.
"""

import json
import time

try:
    import random as _random
except ImportError:  # a MicroPython build without `random`: back off without jitter
    _random = None

VERSION = "1.0.0"
USER_AGENT = "roomsense-edge/" + VERSION
API_PREFIX = "/api/roomsense/edge"
DEVICE_TYPES = ("jetson", "raspberrypi4", "pico_w", "other")

DEFAULT_WAIT_S = 25
MAX_WAIT_S = 60  # the server never holds a long poll longer than this
DEFAULT_REQUEST_TIMEOUT_S = 15
DEFAULT_MAX_BACKOFF_S = 60
DEFAULT_JITTER = 0.1
DEFAULT_RESULT_ATTEMPTS = 8  # 1+2+4+8+16+32+60 s: about two minutes of retrying
MAX_RESULT_BYTES = 1024 * 1024  # the server answers 413 above this
MAX_ERROR_CHARS = 2000
MIN_EMPTY_POLL_MS = 1000  # an empty long poll quicker than this means the server ignores wait

RESULT_ACCEPTED = "accepted"
RESULT_STALE = "stale"
RESULT_REJECTED = "rejected"

_NUMBER_TYPES = (int, float)
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


class EdgeError(Exception):
    """The server answered in a way this client cannot put right by retrying."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self):
        # MicroPython's str() of an exception subclass does not always show the message.
        return self.message


class EdgeAuthError(EdgeError):
    """401 or 404: the token is wrong (also the one in the config now) or the device is gone."""


class EdgeServerError(EdgeError):
    """A passing problem (5xx, an unexpected answer) that is worth retrying later."""


# ---------------------------------------------------------------------------- helpers


def ticks_ms():
    """Milliseconds from an arbitrary start: `time.ticks_ms` on MicroPython."""
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


def ticks_diff(end, start):
    """`end - start` in ms, correct across MicroPython's tick counter wrapping round."""
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(end, start)
    return end - start


def quote_segment(text):
    """Percent-encode `text` for one URL path segment (MicroPython has no urllib)."""
    out = []
    for byte in str(text).encode("utf-8"):
        char = chr(byte)
        if char in _UNRESERVED:
            out.append(char)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def describe_exception(exc):
    """`ValueError: bad pin` style text for an exception, kept short."""
    name = type(exc).__name__
    text = str(exc)
    message = name + ": " + text if text else name
    return message[:MAX_ERROR_CHARS]


def server_message(body_text):
    """The server's `{"message": ...}` text, or the start of the raw body."""
    try:
        data = json.loads(body_text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    return (body_text or "").strip()[:200]


def check_server_url(url):
    """`url` without a trailing slash; ValueError unless it is http:// or https://."""
    # Split rather than str.startswith(tuple), which older MicroPython firmware lacks.
    parts = url.split("://", 1) if isinstance(url, str) else []
    if len(parts) != 2 or parts[0] not in ("http", "https") or not parts[1].strip("/"):
        raise ValueError(f"server_url must start with http:// or https://, got {url!r}")
    return url.rstrip("/")


def check_wait(wait):
    """A long-poll wait in whole seconds, 1 to 60."""
    if isinstance(wait, bool) or not isinstance(wait, _NUMBER_TYPES):
        raise TypeError(f"wait must be a number of seconds, got {wait!r}")
    wait = int(wait)
    if wait < 1 or wait > MAX_WAIT_S:
        raise ValueError(f"wait must be between 1 and {MAX_WAIT_S} seconds, got {wait}")
    return wait


def _number(raw, key, default, minimum):
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES) or value < minimum:
        raise ValueError(f"config: {key!r} must be a number >= {minimum}, got {value!r}")
    return value


def load_settings(raw):
    """Checked client settings from a dict (a parsed config.json or a Pico's secrets).

    Required: `server_url`, `device_id`, `token`. Optional: `wait` (long-poll seconds,
    default 25, at most 60), `request_timeout` (seconds, default 15), `max_backoff`
    (seconds, default 60), `jitter` (0..1 fraction, default 0.1), `result_attempts`
    (default 8). Other keys are kept for the caller (a transport may read them).
    Raises ValueError naming the key that is wrong.
    """
    if not isinstance(raw, dict):
        raise TypeError("config must be a JSON object")
    for key in ("server_url", "device_id", "token"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"config: {key!r} is required (a non-empty string)")
    settings = dict(raw)
    settings["server_url"] = check_server_url(raw["server_url"].strip())
    settings["device_id"] = raw["device_id"].strip()
    settings["token"] = raw["token"].strip()
    settings["wait"] = check_wait(raw.get("wait", DEFAULT_WAIT_S))
    settings["request_timeout"] = _number(raw, "request_timeout", DEFAULT_REQUEST_TIMEOUT_S, 1)
    settings["max_backoff"] = _number(raw, "max_backoff", DEFAULT_MAX_BACKOFF_S, 1)
    jitter = _number(raw, "jitter", DEFAULT_JITTER, 0)
    if jitter > 1:
        raise ValueError(f"config: 'jitter' must be between 0 and 1, got {jitter!r}")
    settings["jitter"] = jitter
    settings["result_attempts"] = int(_number(raw, "result_attempts", DEFAULT_RESULT_ATTEMPTS, 1))
    return settings


def _parse_json(body_text, what):
    try:
        return json.loads(body_text)
    except ValueError:
        pass
    raise EdgeServerError(what + ": the server sent a body that is not JSON")


def _bearer_headers(token):
    return {
        "Authorization": "Bearer " + token,
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }


# ---------------------------------------------------------------------------- registration


def register(server_url, ha_token, name, device_type, capabilities, metadata, transport):
    """Register a new edge device with Home Assistant; returns `(device_id, token)`.

    `ha_token` is a Home Assistant long-lived access token of an administrator. The device
    token that comes back is shown only this once: store it (the CLI writes config.json).
    """
    base = check_server_url(server_url)
    if device_type not in DEVICE_TYPES:
        raise ValueError(
            "device_type must be one of " + ", ".join(DEVICE_TYPES) + f", got {device_type!r}"
        )
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name must be a non-empty string")
    body = {
        "name": name.strip(),
        "device_type": device_type,
        "capabilities": list(capabilities or []),
        "metadata": dict(metadata or {}),
    }
    headers = _bearer_headers(ha_token)
    headers["Content-Type"] = "application/json"
    status, text = transport.request(
        "POST",
        base + API_PREFIX + "/devices/register",
        headers,
        json.dumps(body).encode("utf-8"),
        DEFAULT_REQUEST_TIMEOUT_S,
    )
    if status in (200, 201):
        data = _parse_json(text, "register")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("device_id"), str)
            or not isinstance(data.get("token"), str)
        ):
            raise EdgeServerError("register: the answer has no device_id and token", status)
        return data["device_id"], data["token"]
    if status in (401, 403):
        raise EdgeAuthError(
            f"register: Home Assistant refused the access token (HTTP {status}); use a "
            "long-lived access token of an administrator user",
            status,
        )
    if status == 404:
        raise EdgeError(
            f"register: {base} has no RoomSense edge API (HTTP 404); is RoomSense "
            "installed, up to date and set up?",
            status,
        )
    if status == 400:
        raise EdgeError("register: rejected: " + server_message(text), status)
    raise EdgeServerError(f"register: HTTP {status}: {server_message(text)}", status)


# ---------------------------------------------------------------------------- the client


class EdgeClient:
    """Long-polls RoomSense for jobs, runs them with `handlers` and reports the results.

    `handlers` maps a command name to a function taking the job's payload (a dict) and
    returning a JSON-serialisable result; the `"agent"` handler takes the English
    instruction text instead. `sleep`, `log` and `clock` (milliseconds, see `ticks_ms`)
    are injectable so tests never wait.

    `token_source`, when given, returns the device token in the config as it is now: on a
    401 the client reads it once, and retries with it if it changed (an administrator
    rotated the token and wrote the new one into the config) before giving up.
    """

    def __init__(
        self,
        settings,
        transport,
        handlers,
        sleep=time.sleep,
        log=print,
        clock=None,
        token_source=None,
    ):
        self.settings = load_settings(settings)
        self.transport = transport
        self.handlers = handlers
        self._sleep = sleep
        self._log = log
        self._clock = clock or ticks_ms
        self._device_url = (
            self.settings["server_url"]
            + API_PREFIX
            + "/devices/"
            + quote_segment(self.settings["device_id"])
        )
        self._headers = _bearer_headers(self.settings["token"])
        self._token_source = token_source
        self._reconnect_delay = 0

    # -- requests

    def _request(self, method, url, body_bytes=None, timeout_s=None):
        headers = dict(self._headers)
        if body_bytes is not None:
            headers["Content-Type"] = "application/json"
        if timeout_s is None:
            timeout_s = self.settings["request_timeout"]
        return self.transport.request(method, url, headers, body_bytes, timeout_s)

    def _renew_token(self, what):
        """After a 401: take the config's token if it changed; True when there is a new one."""
        if self._token_source is None:
            return False
        try:
            token = self._token_source()
        except Exception as exc:  # noqa: BLE001 - a config being rewritten: give up as before
            self._log(f"{what}: cannot read the token from the config again: {exc}")
            return False
        if not isinstance(token, str) or not token.strip():
            return False
        token = token.strip()
        if token == self.settings["token"]:
            return False
        self.settings["token"] = token
        self._headers = _bearer_headers(token)
        self._log(f"{what}: the device token was refused (HTTP 401); trying the config's new one")
        return True

    def _auth_error(self, status, what):
        if status == 401:
            return EdgeAuthError(
                f"{what}: the server refused the device token (HTTP 401); give the device a "
                "new token (or register the device again) and update the config",
                status,
            )
        return EdgeAuthError(
            f"{what}: the server does not know device {self.settings['device_id']} (HTTP 404):"
            " it was removed, or the RoomSense edge API is not available; register the "
            "device again",
            status,
        )

    def ping(self):
        """True when the server answers `{"ok": true}`; False (and a log line) otherwise."""
        url = self.settings["server_url"] + API_PREFIX + "/ping"
        try:
            status, text = self.transport.request(
                "GET", url, {"User-Agent": USER_AGENT}, None, self.settings["request_timeout"]
            )
        except OSError as exc:
            self._log(f"ping: cannot reach {self.settings['server_url']}: {exc}")
            return False
        if status == 200:
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("ok") is True:
                return True
        self._log(f"ping: unexpected answer HTTP {status} from {url}")
        return False

    def fetch_next(self, wait=None):
        """The next job (a dict), or None when none came within `wait` seconds.

        Raises OSError when the server cannot be reached, EdgeAuthError on 404, or on a 401
        that a new token in the config does not put right, and EdgeServerError on any other
        unexpected answer.
        """
        wait = self.settings["wait"] if wait is None else check_wait(wait)
        url = self._device_url + f"/jobs/next?wait={wait}"
        # The server holds the request for up to `wait` s, so the socket must outlast it.
        timeout_s = wait + self.settings["request_timeout"]
        status, text = self._request("GET", url, None, timeout_s)
        if status == 401 and self._renew_token("jobs/next"):
            status, text = self._request("GET", url, None, timeout_s)
        if status == 204:
            return None
        if status == 200:
            job = _parse_json(text, "jobs/next")
            if not isinstance(job, dict) or not isinstance(job.get("job_id"), str):
                raise EdgeServerError("jobs/next: the answer is not a job with a job_id", status)
            return job
        if status in (401, 404):
            raise self._auth_error(status, "jobs/next")
        raise EdgeServerError(f"jobs/next: HTTP {status}: {server_message(text)}", status)

    # -- results

    def _result_body(self, job_id, status, result, error):
        body = {"job_id": job_id, "status": status, "result": result}
        if status == "failed":
            body["error"] = (error or "failed")[:MAX_ERROR_CHARS]
        try:
            data = json.dumps(body).encode("utf-8")
        except (TypeError, ValueError) as exc:
            return self._failed_body(job_id, f"result is not JSON-serialisable: {exc}")
        if len(data) > MAX_RESULT_BYTES:
            # The server's limit is on the result alone; measure it only when it matters.
            size = len(json.dumps(result).encode("utf-8"))
            if size > MAX_RESULT_BYTES:
                return self._failed_body(
                    job_id, f"result too large: {size} bytes (the limit is {MAX_RESULT_BYTES})"
                )
        return data

    def _failed_body(self, job_id, error):
        body = {"job_id": job_id, "status": "failed", "result": None, "error": error}
        return json.dumps(body).encode("utf-8")

    def post_result(self, job_id, status, result=None, error=None, attempts=None):
        """Report a job's outcome; returns "accepted", "stale" or "rejected".

        5xx and 429 answers and connection errors are retried with backoff (1 s doubling up to
        `max_backoff`), `attempts` times in all, then EdgeServerError is raised. 409 means
        the job is no longer this device's, so the result is dropped ("stale"). 413 or
        400 are answered once more with a small failed result so the job does not hang;
        if that is refused too the result is dropped ("rejected"). A 401 is tried once more
        with the config's token if it changed; 401/404 then raise EdgeAuthError.
        """
        if status not in ("succeeded", "failed"):
            raise ValueError(f"status must be 'succeeded' or 'failed', got {status!r}")
        if attempts is None:
            attempts = self.settings["result_attempts"]
        url = self._device_url + "/jobs/result"
        data = self._result_body(job_id, status, result, error)
        replaced = False
        renewed = False
        delay = 0
        attempt = 0
        while True:
            attempt += 1
            try:
                code, text = self._request("POST", url, data)
            except OSError as exc:
                problem = f"connection error: {exc}"
            else:
                if code == 200:
                    return RESULT_ACCEPTED
                if code == 409:
                    self._log(f"job {job_id}: result dropped, the job is no longer ours (409)")
                    return RESULT_STALE
                if code == 401 and not renewed and self._renew_token("jobs/result"):
                    renewed = True
                    attempt -= 1
                    continue
                if code in (401, 404):
                    raise self._auth_error(code, "jobs/result")
                # 429: the device is over its rate; the same body goes again after the wait.
                if 400 <= code < 500 and code != 429:
                    reason = f"HTTP {code}: {server_message(text)}"
                    if replaced:
                        self._log(f"job {job_id}: result dropped, the server refused it ({reason})")
                        return RESULT_REJECTED
                    # Retrying the same body cannot help; a short failed result can.
                    self._log(
                        f"job {job_id}: the server refused the result ({reason}); "
                        "reporting a failure instead"
                    )
                    data = self._failed_body(job_id, "the server refused the result: " + reason)
                    replaced = True
                    attempt -= 1
                    continue
                problem = f"HTTP {code}: {server_message(text)}"
            if attempt >= attempts:
                raise EdgeServerError(
                    f"job {job_id}: gave up sending the result after {attempts} attempts "
                    f"({problem})"
                )
            delay = self._next_delay(delay)
            self._log(
                f"job {job_id}: sending the result failed ({problem}); retrying in {delay:.1f} s"
            )
            self._sleep(delay)

    # -- jobs

    def handle(self, job):
        """Run one job and return its outcome; never raises for a handler's fault.

        The outcome is `{"status": "succeeded", "result": ...}` or
        `{"status": "failed", "error": "..."}`.
        """
        command = job.get("command")
        instruction = job.get("instruction")
        if command is not None:
            if not isinstance(command, str):
                return _failed(f"command must be a string, got {command!r}")
            name = command
            argument = job.get("payload")
            if argument is None:
                argument = {}
        elif isinstance(instruction, str):
            name = "agent"
            argument = instruction
        else:
            return _failed("the job has neither a command nor an instruction")
        handler = self.handlers.get(name)
        if handler is None:
            return _failed("unknown command: " + name)
        try:
            result = handler(argument)
        except Exception as exc:  # noqa: BLE001 - a broken handler fails its job, not the device
            return _failed(describe_exception(exc))
        try:
            json.dumps(result)
        except (TypeError, ValueError) as exc:
            return _failed(f"result is not JSON-serialisable: {exc}")
        return {"status": "succeeded", "result": result}

    def process(self, job):
        """Handle `job` and report its outcome; returns what post_result returned.

        Gives up on the result (logging it) if the server stays unreachable; only
        EdgeAuthError escapes, because then nothing this device does can work.
        """
        job_id = job["job_id"]
        what = job.get("command") or "agent"
        self._log(f"job {job_id}: running {what}")
        outcome = self.handle(job)
        if outcome["status"] == "failed":
            self._log(f"job {job_id}: failed: {outcome['error']}")
        try:
            return self.post_result(
                job_id, outcome["status"], outcome.get("result"), outcome.get("error")
            )
        except EdgeAuthError:
            raise
        except EdgeServerError as exc:
            self._log(str(exc))
            return None

    def _next_delay(self, previous):
        if previous <= 0:
            return 1
        return min(previous * 2, self.settings["max_backoff"])

    def _jittered(self, delay):
        fraction = self.settings["jitter"]
        if not fraction or _random is None:
            return delay
        try:
            spread = _random.getrandbits(16) / 65535.0 * 2 - 1  # -1 .. 1
        except AttributeError:
            return delay
        return delay * (1 + fraction * spread)

    def poll_once(self, wait=None):
        """One long poll: returns the job it ran (after reporting it), or None.

        Connection and server errors propagate; `run` is the loop that survives them.
        """
        job = self.fetch_next(wait)
        if job is not None:
            self.process(job)
        return job

    def run(self, max_jobs=None, stop=None):
        """Poll and run jobs until `max_jobs` are done or `stop()` is true; returns the count.

        Connection and server errors back off 1 s, doubling to `max_backoff`, and the
        backoff starts again from 1 s after the server answers. EdgeAuthError ends the loop.
        """
        handled = 0
        while max_jobs is None or handled < max_jobs:
            if stop is not None and stop():
                break
            started = self._clock()
            try:
                job = self.fetch_next()
            except (OSError, EdgeServerError) as exc:
                self._reconnect_delay = self._next_delay(self._reconnect_delay)
                delay = self._jittered(self._reconnect_delay)
                self._log(f"cannot get jobs ({exc}); retrying in {delay:.1f} s")
                self._sleep(delay)
                continue
            if self._reconnect_delay:
                self._log(f"connected to {self.settings['server_url']} again")
                self._reconnect_delay = 0
            if job is None:
                # A server (or proxy) that answers at once must not be polled in a tight loop.
                if ticks_diff(self._clock(), started) < MIN_EMPTY_POLL_MS:
                    self._sleep(MIN_EMPTY_POLL_MS / 1000)
                continue
            self.process(job)
            handled += 1
        return handled


def _failed(error):
    return {"status": "failed", "error": error[:MAX_ERROR_CHARS]}
