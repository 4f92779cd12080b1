#!/usr/bin/env python3
"""Entry point of the RoomSense LLM add-on: fetch the model, run llama-server, announce it.

Standard library only, written for Python 3.10 or newer (the add-on image's python3).

Steps, in order:

1. Read the add-on options (`/data/options.json`).
2. Check memory (`/proc/meminfo`). Policy: WARN, never refuse. llama.cpp maps the weights, so
   a host under the estimate still runs (slowly, swapping pages in); refusing would lock out a
   user whose `MemAvailable` is a little short while Home Assistant itself is busy. The estimate
   is logged with what it is made of (about 16 GB for gpt-oss-20b at 8K context).
3. Unless the model file is already in place: check free disk (remote size from a HEAD request,
   else the known size, plus a margin) and REFUSE before downloading anything when it is short;
   then download resumably into `<name>.part` (HTTP Range from the part's size, retries with
   exponential backoff on connection errors and 5xx, progress in the log every few seconds),
   verify SHA-256 when a digest is known (a mismatch deletes the file and refuses to start) and
   rename atomically to the final name. llama-server never sees a partial or unverified file.
4. Start llama-server with explicit flags, restart it with backoff when it dies, stop it cleanly
   on SIGTERM/SIGINT (terminate, wait, kill after a timeout) and exit 0.
5. After `/health` first answers 200, announce the server once to the Supervisor
   (`POST <supervisor>/discovery`, service `roomsense`). A missing token or a failed POST is
   logged; the server keeps running.

Exit codes: 0 clean stop, 1 error (bad options, download failed), 2 refused (disk, checksum).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger("roomsense_llm_launcher")

DEFAULT_OPTIONS_PATH = "/data/options.json"
DEFAULT_MODELS_DIR = "/data/models"
# Where ghcr.io/ggml-org/llama.cpp:server images keep it (their ENTRYPOINT); else on PATH.
IMAGE_LLAMA_SERVER = "/app/llama-server"
DEFAULT_SUPERVISOR_URL = "http://supervisor"
DISCOVERY_SERVICE = "roomsense"

DEFAULT_MODEL = "gpt-oss-20b-mxfp4.gguf"
DEFAULT_MODEL_URL = (
    "https://huggingface.co/ggml-org/gpt-oss-20b-GGUF/resolve/main/gpt-oss-20b-mxfp4.gguf"
)
# No published SHA-256 of the ggml-org file is known to us: the default model is unverified
# unless the user sets `model_sha256` (the launcher logs that).
KNOWN_SHA256: dict[str, str] = {}
# Used for the disk check when HEAD gives no size. The MXFP4 GGUF is 11.27 GiB = 12.11 GB
# (exact byte size of the ggml-org file unverified): rounded up.
KNOWN_SIZES: dict[str, int] = {DEFAULT_MODEL: 12_200_000_000}

# The port the integration expects by default (`http://<host>:8080`). llama-server's own default
# moved from 8080 to 9931 upstream, so the port is always passed explicitly.
DEFAULT_PORT = 8080
DEFAULT_CONTEXT_SIZE = 8192
# llama-server reuses cached KV chunks of at least this many tokens when a prompt shares them.
CACHE_REUSE_TOKENS = 256

GB = 1_000_000_000
MIB = 1024 * 1024
# Free space kept beyond the model's remaining bytes.
DISK_MARGIN_BYTES = 512 * MIB
# Memory estimate: weights + a fixed overhead (compute buffers, Home Assistant's own share of a
# small host) + KV cache per context token. 12.11 GB + 3.5 GB + 8192 * 50 KB = about 16 GB.
MEMORY_OVERHEAD_BYTES = 3_500_000_000
KV_BYTES_PER_TOKEN = 50_000

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REFUSED = 2

HASH_CHUNK_BYTES = 4 * MIB
DOWNLOAD_CHUNK_BYTES = 1 * MIB
USER_AGENT = "RoomSense-LLM-addon-launcher/1.0"


# --------------------------------------------------------------------------------------------
# Errors


class LauncherError(Exception):
    """A reason not to (or no longer) run; carries the process exit code."""

    exit_code = EXIT_ERROR


class OptionsError(LauncherError):
    """The add-on options are invalid."""


class RefusedError(LauncherError):
    """The launcher refuses to start the server (disk space, checksum)."""

    exit_code = EXIT_REFUSED


class InsufficientDiskError(RefusedError):
    """Not enough free disk for the download."""


class ChecksumMismatchError(RefusedError):
    """The downloaded file does not have the expected SHA-256."""


class DownloadError(LauncherError):
    """The download failed for good (a 4xx, or the retries ran out)."""


class StopRequestedError(Exception):
    """SIGTERM arrived while downloading."""


class _RetryableError(Exception):
    """A download attempt failed in a way worth retrying."""


# --------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class Options:
    """The add-on options, validated."""

    model: str = DEFAULT_MODEL
    model_url: str = DEFAULT_MODEL_URL
    model_sha256: str | None = None
    context_size: int = DEFAULT_CONTEXT_SIZE
    threads: int | None = None
    gpu_layers: int = 0
    parallel: int = 1
    port: int = DEFAULT_PORT


def _int_option(raw: dict[str, Any], key: str, default: int | None, minimum: int) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise OptionsError(f"option {key!r} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise OptionsError(f"option {key!r} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise OptionsError(f"option {key!r} must be at least {minimum}, got {number}")
    return number


def parse_options(raw: dict[str, Any]) -> Options:
    """Validate the options dictionary; missing keys get their defaults."""
    model = str(raw.get("model") or DEFAULT_MODEL).strip()
    if not model or "/" in model or "\\" in model or model.startswith("."):
        raise OptionsError(f"option 'model' must be a plain file name, got {model!r}")
    url = str(raw.get("model_url") or "").strip()
    if not url:
        # The default URL downloads the default model only; another file name needs its URL
        # (or the file placed in the models folder by hand).
        url = DEFAULT_MODEL_URL if model == DEFAULT_MODEL else ""
    if url and not url.startswith(("http://", "https://")):
        raise OptionsError(f"option 'model_url' must be an http(s) URL, got {url!r}")
    digest = str(raw.get("model_sha256") or "").strip().lower() or None
    if digest is None and url == DEFAULT_MODEL_URL:
        digest = KNOWN_SHA256.get(model)
    if digest is not None and (
        len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise OptionsError("option 'model_sha256' must be 64 hexadecimal characters")
    threads = _int_option(raw, "threads", None, 0)
    return Options(
        model=model,
        model_url=url,
        model_sha256=digest,
        context_size=_int_option(raw, "context_size", DEFAULT_CONTEXT_SIZE, 1) or 1,
        threads=threads or None,  # 0 means "let llama-server choose", like unset
        gpu_layers=_int_option(raw, "gpu_layers", 0, 0) or 0,
        parallel=_int_option(raw, "parallel", 1, 1) or 1,
        port=_int_option(raw, "port", DEFAULT_PORT, 1) or DEFAULT_PORT,
    )


def load_options(path: Path) -> Options:
    """Read and validate the options file; a missing file means all defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        _LOGGER.warning("No options file at %s; using the defaults", path)
        return parse_options({})
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise OptionsError(f"{path} is not valid JSON: {err}") from None
    if not isinstance(raw, dict):
        raise OptionsError(f"{path} must hold a JSON object")
    return parse_options(raw)


# --------------------------------------------------------------------------------------------
# Resource checks


def free_disk_bytes(path: Path) -> int:
    """Free bytes on the file system holding `path` (the default disk seam)."""
    return shutil.disk_usage(path).free


def read_meminfo(path: Path) -> dict[str, int]:
    """`/proc/meminfo` as bytes per key."""
    values: dict[str, int] = {}
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if not parts or not parts[0].isdigit():
            continue
        factor = 1024 if len(parts) > 1 and parts[1].lower() == "kb" else 1
        values[key.strip()] = int(parts[0]) * factor
    return values


def required_memory_bytes(model_bytes: int, context_size: int) -> int:
    """Estimated memory for the server: weights + overhead + KV cache."""
    return model_bytes + MEMORY_OVERHEAD_BYTES + context_size * KV_BYTES_PER_TOKEN


def check_memory(meminfo_path: Path, model_bytes: int | None, context_size: int) -> bool:
    """Log whether the host has the memory the model needs. Warns only; never refuses."""
    if model_bytes is None:
        _LOGGER.info("Model size unknown; skipping the memory estimate")
        return True
    need = required_memory_bytes(model_bytes, context_size)
    try:
        info = read_meminfo(meminfo_path)
    except OSError as err:
        _LOGGER.warning("Cannot read %s (%s); memory not checked", meminfo_path, err)
        return True
    available = info.get("MemAvailable", info.get("MemFree"))
    total = info.get("MemTotal")
    if available is None:
        _LOGGER.warning("%s has no MemAvailable; memory not checked", meminfo_path)
        return True
    detail = (
        f"about {need / GB:.1f} GB needed (model {model_bytes / GB:.1f} GB + "
        f"{MEMORY_OVERHEAD_BYTES / GB:.1f} GB overhead + KV cache for {context_size} tokens "
        f"{context_size * KV_BYTES_PER_TOKEN / GB:.1f} GB); "
        f"available {available / GB:.1f} GB" + (f" of {total / GB:.1f} GB" if total else "")
    )
    if available < need:
        _LOGGER.warning(
            "Low memory: %s. The server will still start, but expect swapping or an "
            "out-of-memory stop; lower context_size or use a host with more RAM",
            detail,
        )
        return False
    _LOGGER.info("Memory OK: %s", detail)
    return True


# --------------------------------------------------------------------------------------------
# Download


def sha256_file(path: Path, chunk_size: int = HASH_CHUNK_BYTES) -> str:
    """SHA-256 of a file, read in chunks into one reused buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as file:
        while True:
            count = file.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
    return digest.hexdigest()


def _format_duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _parse_content_range_total(value: str | None) -> int | None:
    # "bytes 100-199/2000" -> 2000; "*" means unknown.
    if not value or "/" not in value:
        return None
    total = value.rsplit("/", 1)[1].strip()
    return int(total) if total.isdigit() else None


class Downloader:
    """Resumable, verified download of one URL to one file."""

    def __init__(
        self,
        url: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
        known_size: int | None = None,
        free_bytes: Callable[[Path], int] = free_disk_bytes,
        disk_margin: int = DISK_MARGIN_BYTES,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        backoff_max: float = 120.0,
        progress_interval: float = 5.0,
        timeout: float = 60.0,
        sleep: Callable[[float], object] = time.sleep,
        should_stop: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self.known_size = known_size
        self.free_bytes = free_bytes
        self.disk_margin = disk_margin
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.progress_interval = progress_interval
        self.timeout = timeout
        self.sleep = sleep
        self.should_stop = should_stop
        self.clock = clock
        self.total_size: int | None = None
        # Bytes received over the network by this downloader (all attempts together).
        self.bytes_received = 0

    def _request(self, method: str, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 -- http(s) only, checked in the options
            self.url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        return urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310

    def remote_size(self) -> int | None:
        """Size announced by a HEAD request (following redirects); None when unknown."""
        try:
            with self._request("HEAD") as response:
                for header in ("X-Linked-Size", "Content-Length"):
                    value = response.headers.get(header)
                    if value and value.isdigit():
                        return int(value)
        except (OSError, http.client.HTTPException) as err:
            _LOGGER.info("HEAD %s failed (%s); using the known size if any", self.url, err)
        return None

    def check_disk(self) -> None:
        """Refuse before downloading when the remaining bytes would not fit."""
        size = self.remote_size() or self.known_size
        self.total_size = size
        have = self.part.stat().st_size if self.part.exists() else 0
        remaining = max(size - have, 0) if size is not None else 0
        if size is None:
            _LOGGER.warning(
                "Size of %s unknown; checking only the %d MB margin", self.url, self.disk_margin
            )
        need = remaining + self.disk_margin
        free = self.free_bytes(self.dest.parent)
        if free < need:
            raise InsufficientDiskError(
                f"not enough free disk in {self.dest.parent}: {free / MIB:.0f} MiB free, "
                f"{need / MIB:.0f} MiB needed ({remaining / MIB:.0f} MiB still to download + "
                f"{self.disk_margin / MIB:.0f} MiB margin); free some space and restart"
            )
        _LOGGER.info(
            "Disk OK: %.0f MiB free, %.0f MiB needed in %s",
            free / MIB,
            need / MIB,
            self.dest.parent,
        )

    def ensure(self) -> Path:
        """Download (or resume), verify and install the file; return its final path."""
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        self.check_disk()
        self.fetch()
        return self.verify_and_install()

    def fetch(self) -> None:
        """Fill `<name>.part` until complete, retrying with exponential backoff."""
        failures = 0
        while True:
            before = self.part.stat().st_size if self.part.exists() else 0
            try:
                self._attempt()
            except _RetryableError as err:
                after = self.part.stat().st_size if self.part.exists() else 0
                if after > before:
                    failures = 0  # progress was made: the next failure starts the backoff anew
                failures += 1
                if failures >= self.max_attempts:
                    raise DownloadError(
                        f"download of {self.url} failed {failures} times in a row: {err}"
                    ) from None
                delay = min(self.backoff_base * 2 ** (failures - 1), self.backoff_max)
                _LOGGER.warning(
                    "Download interrupted at %.1f MiB (%s); retrying in %.1f s (attempt %d/%d)",
                    after / MIB,
                    err,
                    delay,
                    failures + 1,
                    self.max_attempts,
                )
                self.sleep(delay)
                if self.should_stop():
                    raise StopRequestedError from None
            else:
                return

    def _attempt(self) -> None:
        """One GET from the part's size; raises _RetryableError unless the part is complete."""
        offset = self.part.stat().st_size if self.part.exists() else 0
        if self.total_size is not None and offset == self.total_size and offset > 0:
            return
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = self._request("GET", headers)
        except urllib.error.HTTPError as err:
            if err.code == 416 and offset:
                # Range past the end: the part already holds the whole file (or more).
                total = _parse_content_range_total(err.headers.get("Content-Range"))
                if total == offset:
                    self.total_size = total
                    return
                _LOGGER.warning("Server rejected resuming at byte %d; starting over", offset)
                self.part.unlink()
                raise _RetryableError("HTTP 416 on resume") from None
            if err.code >= 500 or err.code == 429:
                raise _RetryableError(f"HTTP {err.code}") from None
            raise DownloadError(f"download of {self.url} failed: HTTP {err.code}") from None
        except (OSError, http.client.HTTPException) as err:
            raise _RetryableError(str(err) or type(err).__name__) from None
        with response:
            mode = "ab"
            if offset and response.status != 206:
                _LOGGER.warning("Server ignored the Range request; downloading from the start")
                offset = 0
                mode = "wb"
            length = response.headers.get("Content-Length")
            total = _parse_content_range_total(response.headers.get("Content-Range"))
            if total is None and length and length.isdigit():
                total = offset + int(length)
            if total is not None:
                self.total_size = total
            if offset:
                _LOGGER.info("Resuming download at %.1f MiB", offset / MIB)
            else:
                _LOGGER.info("Downloading %s", self.url)
            try:
                with self.part.open(mode) as file:
                    written = self._copy(response, file, offset, total)
            except OSError as err:
                # Network errors were turned into _RetryableError in _copy: this is local.
                raise DownloadError(f"writing {self.part} failed: {err}") from None
        if total is None:
            return  # no length given: the end of the stream is the end of the file
        if written > total:
            self.part.unlink()
            raise DownloadError(f"server sent {written} bytes, more than its size {total}")
        if written < total:
            # The server closed early without an error: retry from where it stopped.
            raise _RetryableError("connection closed before the end of the file")

    def _copy(self, response: Any, file: Any, offset: int, total: int | None) -> int:
        written = offset
        started = last_log = self.clock()
        attempt_bytes = 0
        while True:
            if self.should_stop():
                raise StopRequestedError
            try:
                chunk = response.read(DOWNLOAD_CHUNK_BYTES)
            except (OSError, http.client.HTTPException) as err:
                file.flush()
                raise _RetryableError(str(err) or type(err).__name__) from None
            if not chunk:
                return written
            file.write(chunk)
            written += len(chunk)
            attempt_bytes += len(chunk)
            self.bytes_received += len(chunk)
            now = self.clock()
            if now - last_log >= self.progress_interval:
                last_log = now
                self._log_progress(written, total, attempt_bytes, now - started)

    @staticmethod
    def _log_progress(written: int, total: int | None, attempt_bytes: int, elapsed: float) -> None:
        rate = attempt_bytes / elapsed if elapsed > 0 else 0.0
        if total:
            eta = (total - written) / rate if rate > 0 else float("inf")
            _LOGGER.info(
                "Downloaded %.1f%% (%.0f/%.0f MiB) at %.1f MB/s, ETA %s",
                100 * written / total,
                written / MIB,
                total / MIB,
                rate / 1e6,
                _format_duration(eta) if eta != float("inf") else "unknown",
            )
        else:
            _LOGGER.info("Downloaded %.0f MiB at %.1f MB/s", written / MIB, rate / 1e6)

    def verify_and_install(self) -> Path:
        """Check the part's SHA-256 (when known) and rename it to the final name."""
        if self.expected_sha256:
            _LOGGER.info("Verifying SHA-256 of %s", self.part.name)
            started = self.clock()
            actual = sha256_file(self.part)
            if actual != self.expected_sha256:
                self.part.unlink(missing_ok=True)
                raise ChecksumMismatchError(
                    f"SHA-256 of the downloaded {self.dest.name} is {actual}, expected "
                    f"{self.expected_sha256}; the file was deleted and the server NOT started. "
                    "Check model_url and model_sha256, then restart to download again"
                )
            _LOGGER.info("SHA-256 OK (%.1f s)", self.clock() - started)
        else:
            _LOGGER.warning(
                "No SHA-256 known for %s: the file is UNVERIFIED (set model_sha256 to check it)",
                self.dest.name,
            )
        os.replace(self.part, self.dest)
        write_verified_marker(self.dest, self.expected_sha256)
        return self.dest


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_verified_marker(path: Path, digest: str | None) -> None:
    """Remember which digest the installed file was verified against."""
    marker = _marker(path)
    if digest:
        marker.write_text(digest + "\n", encoding="ascii")
    else:
        marker.unlink(missing_ok=True)


def ensure_model(
    options: Options,
    models_dir: Path,
    *,
    downloader_factory: Callable[..., Downloader] = Downloader,
) -> Path:
    """The verified model file, downloading it when it is not there yet."""
    dest = models_dir / options.model
    if dest.is_file():
        expected = options.model_sha256
        marker = _marker(dest)
        recorded = marker.read_text(encoding="ascii").strip() if marker.is_file() else None
        if expected and recorded != expected:
            # Installed before this digest was configured: check it once.
            _LOGGER.info("Verifying the installed %s against model_sha256", dest.name)
            actual = sha256_file(dest)
            if actual != expected:
                raise ChecksumMismatchError(
                    f"SHA-256 of the installed {dest.name} is {actual}, expected {expected}; "
                    "the server was NOT started. Delete the file (or fix model_sha256) and "
                    "restart"
                )
            write_verified_marker(dest, expected)
        elif not expected:
            _LOGGER.warning("Using %s UNVERIFIED (no model_sha256 set)", dest)
        return dest
    if not options.model_url:
        raise OptionsError(
            f"{dest} does not exist and no model_url is set for {options.model!r}: set "
            "model_url, or put the file there"
        )
    downloader = downloader_factory(
        options.model_url,
        dest,
        expected_sha256=options.model_sha256,
        known_size=KNOWN_SIZES.get(options.model),
    )
    return downloader.ensure()


# --------------------------------------------------------------------------------------------
# llama-server


def build_server_command(llama_server: str, model_path: Path, options: Options) -> list[str]:
    """The llama-server command line.

    `--special` makes control tokens (`<|channel|>`, `<|message|>`, `<|call|>`...) appear in the
    `/completion` text: RoomSense's gpt-oss adapter renders harmony itself and parses those
    tokens back out of `/completion`, so it needs them. `--cache-reuse` lets a prompt that shares
    a prefix with a slot's cache reuse it (requests also send `cache_prompt: true`).
    """
    command = [
        llama_server,
        "-m",
        str(model_path),
        "--jinja",
        "--host",
        "0.0.0.0",  # noqa: S104 -- the integration reaches it over the add-on network
        "--port",
        str(options.port),
        "-c",
        str(options.context_size),
        "-ngl",
        str(options.gpu_layers),
        "-np",
        str(options.parallel),
        "--cache-reuse",
        str(CACHE_REUSE_TOKENS),
        "--special",
    ]
    if options.threads:
        command += ["-t", str(options.threads)]
    return command


def check_health(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers 200 (503 while the model loads)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, http.client.HTTPException):
        return False


def announce(
    supervisor_url: str, token: str | None, host: str, port: int, model: str, timeout: float = 10
) -> bool:
    """POST the discovery message to the Supervisor. Logs and returns False on any failure."""
    if not token:
        _LOGGER.error(
            "SUPERVISOR_TOKEN is not set (not running under the Supervisor?): cannot announce "
            "the server to Home Assistant. It keeps running; add it to RoomSense by hand at "
            "http://%s:%d",
            host,
            port,
        )
        return False
    body = json.dumps(
        {"service": DISCOVERY_SERVICE, "config": {"host": host, "port": port, "model": model}}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 -- our own Supervisor URL
        supervisor_url.rstrip("/") + "/discovery",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            reply = response.read(65536)
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode(errors="replace")
        _LOGGER.error(  # noqa: TRY400 -- the status says it all; no traceback
            "Discovery POST to the Supervisor failed: HTTP %d %s; the server keeps running",
            err.code,
            detail,
        )
        return False
    except (OSError, http.client.HTTPException) as err:
        _LOGGER.error(  # noqa: TRY400 -- the error says it all; no traceback
            "Discovery POST to the Supervisor failed: %s; the server keeps running", err
        )
        return False
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        uuid = json.loads(reply).get("data", {}).get("uuid")
        if uuid:
            _LOGGER.info("Discovery uuid %s", uuid)
    _LOGGER.info("Announced %s:%d (%s) to Home Assistant", host, port, model)
    return True


class ServerSupervisor:
    """Runs llama-server, restarts it with backoff, stops it on request."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        health_url: str,
        on_ready: Callable[[], object] | None = None,
        restart_delay: float = 2.0,
        restart_delay_max: float = 60.0,
        stable_after: float = 60.0,
        health_interval: float = 1.0,
        stop_timeout: float = 20.0,
        popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        self.command = list(command)
        self.health_url = health_url
        self.on_ready = on_ready
        self.restart_delay = restart_delay
        self.restart_delay_max = restart_delay_max
        self.stable_after = stable_after
        self.health_interval = health_interval
        self.stop_timeout = stop_timeout
        self.popen = popen
        self.stop_event = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.announced = False

    def request_stop(self) -> None:
        """Ask the run loop to stop (safe from a signal handler)."""
        self.stop_event.set()

    def run(self) -> int:
        """Run until a stop is requested; returns the exit code (0)."""
        delay = self.restart_delay
        while not self.stop_event.is_set():
            started = time.monotonic()
            code = self._run_once()
            if self.stop_event.is_set():
                break
            if time.monotonic() - started >= self.stable_after:
                delay = self.restart_delay
            _LOGGER.error("llama-server exited with code %s; restarting in %.1f s", code, delay)
            if self.stop_event.wait(delay):
                break
            delay = min(delay * 2, self.restart_delay_max)
        _LOGGER.info("Stopped")
        return EXIT_OK

    def _run_once(self) -> int | None:
        _LOGGER.info("Starting: %s", " ".join(self.command))
        try:
            self.process = process = self.popen(self.command)
        except OSError as err:
            # A missing or non-executable binary does not fix itself: stop with an error.
            raise LauncherError(f"cannot run {self.command[0]}: {err}") from None
        self.starts += 1
        try:
            healthy = False
            last_wait_log = time.monotonic()
            while not self.stop_event.is_set():
                code = process.poll()
                if code is not None:
                    return code
                if not healthy:
                    if check_health(self.health_url):
                        healthy = True
                        _LOGGER.info("llama-server is ready at %s", self.health_url)
                        if not self.announced and self.on_ready is not None:
                            self.announced = True
                            self.on_ready()
                    elif time.monotonic() - last_wait_log >= 30:
                        last_wait_log = time.monotonic()
                        _LOGGER.info("Waiting for llama-server to load the model...")
                self.stop_event.wait(self.health_interval)
            return None
        finally:
            self._stop_process(process)

    def _stop_process(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            return
        _LOGGER.info("Stopping llama-server (pid %d)", process.pid)
        process.terminate()
        try:
            process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            _LOGGER.warning(
                "llama-server ignored SIGTERM for %.0f s; killing it", self.stop_timeout
            )
            process.kill()
            process.wait()


# --------------------------------------------------------------------------------------------
# Entry point


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--options", default=env("ROOMSENSE_OPTIONS", DEFAULT_OPTIONS_PATH), type=Path
    )
    parser.add_argument(
        "--models-dir", default=env("ROOMSENSE_MODELS_DIR", DEFAULT_MODELS_DIR), type=Path
    )
    parser.add_argument("--llama-server", default=env("ROOMSENSE_LLAMA_SERVER"))
    parser.add_argument(
        "--supervisor-url", default=env("ROOMSENSE_SUPERVISOR_URL", DEFAULT_SUPERVISOR_URL)
    )
    parser.add_argument("--meminfo", default=env("ROOMSENSE_MEMINFO", "/proc/meminfo"), type=Path)
    parser.add_argument(
        "--discovery-host",
        default=env("ROOMSENSE_DISCOVERY_HOST"),
        help="host name announced to Home Assistant (default: this container's host name)",
    )
    parser.add_argument("--restart-delay", type=float, default=2.0)
    parser.add_argument("--health-interval", type=float, default=1.0)
    parser.add_argument("--stop-timeout", type=float, default=20.0)
    return parser


def default_llama_server() -> str:
    """`/app/llama-server` of the upstream image, else `llama-server` from PATH."""
    if Path(IMAGE_LLAMA_SERVER).is_file():
        return IMAGE_LLAMA_SERVER
    return shutil.which("llama-server") or IMAGE_LLAMA_SERVER


def main(argv: Sequence[str] | None = None) -> int:
    """Run the launcher; returns the process exit code."""
    args = _parser().parse_args(argv)
    if not args.llama_server:
        args.llama_server = default_llama_server()
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
        )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        _LOGGER.info("Got signal %d; stopping", signum)
        stop.set()
        if supervisor is not None:
            supervisor.request_stop()

    supervisor: ServerSupervisor | None = None
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    try:
        options = load_options(args.options)
        known = KNOWN_SIZES.get(options.model)
        existing = args.models_dir / options.model
        size = existing.stat().st_size if existing.is_file() else known
        check_memory(args.meminfo, size, options.context_size)

        def _downloader(*a: Any, **kw: Any) -> Downloader:
            return Downloader(*a, should_stop=stop.is_set, sleep=stop.wait, **kw)

        model_path = ensure_model(options, args.models_dir, downloader_factory=_downloader)
        if size is None:  # now the size is known
            check_memory(args.meminfo, model_path.stat().st_size, options.context_size)
    except StopRequestedError:
        _LOGGER.info("Stopped during the download; the partial file is kept for resuming")
        return EXIT_OK
    except LauncherError as err:
        level = "Refusing to start" if isinstance(err, RefusedError) else "Cannot start"
        _LOGGER.error("%s: %s", level, err)  # noqa: TRY400 -- a reason, not a crash
        return err.exit_code
    if stop.is_set():
        return EXIT_OK

    host = args.discovery_host or socket.gethostname()
    supervisor = ServerSupervisor(
        build_server_command(args.llama_server, model_path, options),
        health_url=f"http://127.0.0.1:{options.port}/health",
        on_ready=lambda: announce(
            args.supervisor_url,
            os.environ.get("SUPERVISOR_TOKEN"),
            host,
            options.port,
            options.model,
        ),
        restart_delay=args.restart_delay,
        health_interval=args.health_interval,
        stop_timeout=args.stop_timeout,
    )
    if stop.is_set():
        return EXIT_OK
    try:
        return supervisor.run()
    except LauncherError as err:
        _LOGGER.error("Cannot start: %s", err)  # noqa: TRY400 -- a reason, not a crash
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
