"""The add-on's launcher against real local servers and processes on 127.0.0.1.

- a Range-capable file server (stdlib http.server in a thread) that can cut a download short,
- a fake `llama-server` executable (records its argv, serves /health, can crash),
- a fake Supervisor receiving the discovery POST.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .launcher_module import LAUNCHER_PATH, load_launcher

MIB = 1024 * 1024


launcher = load_launcher()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what or predicate}")


# ---------------------------------------------------------------------------------------------
# A Range-capable file server that can cut the connection once


class FileServer:
    """Serves `data` at /model.gguf; records every request and the bytes sent."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.cut_after: int | None = None  # cut the next GET after this many body bytes
        self.fail_next: list[int] = []  # statuses to answer the next GETs with
        self.requests: list[tuple[str, str | None]] = []
        self.bytes_sent = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _range_start(self) -> int:
                value = self.headers.get("Range")
                if not value:
                    return 0
                assert value.startswith("bytes=")
                return int(value[len("bytes=") :].split("-")[0])

            def do_HEAD(self) -> None:
                owner.requests.append(("HEAD", None))
                self.send_response(200)
                self.send_header("Content-Length", str(len(owner.data)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()

            def do_GET(self) -> None:
                owner.requests.append(("GET", self.headers.get("Range")))
                if owner.fail_next:
                    self.send_error(owner.fail_next.pop(0))
                    return
                start = self._range_start()
                size = len(owner.data)
                if start >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = owner.data[start:]
                self.send_response(206 if self.headers.get("Range") else 200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
                self.end_headers()
                if owner.cut_after is not None:
                    cut, owner.cut_after = owner.cut_after, None
                    self.wfile.write(body[:cut])
                    owner.bytes_sent += cut
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)
                owner.bytes_sent += len(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/model.gguf"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def gets(self) -> list[str | None]:
        return [rng for method, rng in self.requests if method == "GET"]


@pytest.fixture
def file_server(socket_enabled: None) -> Iterator[FileServer]:
    server = FileServer(os.urandom(4 * MIB + 12345))
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def make_downloader(server: FileServer, dest: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("free_bytes", lambda _path: 10**12)
    kwargs.setdefault("sleep", lambda _delay: None)
    kwargs.setdefault("backoff_base", 0.5)
    return launcher.Downloader(server.url, dest, **kwargs)


def test_cut_connection_resumes_with_range(file_server: FileServer, tmp_path: Path) -> None:
    data = file_server.data
    cut = 1 * MIB + 777  # not chunk-aligned
    file_server.cut_after = cut
    sleeps: list[float] = []
    dest = tmp_path / "models" / "model.gguf"
    downloader = make_downloader(
        file_server,
        dest,
        expected_sha256=hashlib.sha256(data).hexdigest(),
        sleep=sleeps.append,
    )

    assert downloader.ensure() == dest

    assert dest.read_bytes() == data
    assert not (dest.parent / "model.gguf.part").exists()
    gets = file_server.gets
    assert len(gets) == 2, gets
    assert gets[0] is None
    resumed_at = int(gets[1].removeprefix("bytes=").split("-")[0])
    # Nothing of what arrived before the cut was thrown away (well under 1 MiB lost).
    assert cut - resumed_at < MIB
    assert file_server.bytes_sent - len(data) < MIB
    assert downloader.bytes_received - len(data) < MIB
    assert sleeps == [0.5]  # one retry, after the first backoff step


def test_existing_part_is_resumed_not_restarted(file_server: FileServer, tmp_path: Path) -> None:
    data = file_server.data
    dest = tmp_path / "model.gguf"
    (tmp_path / "model.gguf.part").write_bytes(data[: 3 * MIB])

    make_downloader(file_server, dest, expected_sha256=hashlib.sha256(data).hexdigest()).ensure()

    assert dest.read_bytes() == data
    assert file_server.gets == [f"bytes={3 * MIB}-"]
    assert file_server.bytes_sent == len(data) - 3 * MIB


def test_5xx_is_retried_with_exponential_backoff(file_server: FileServer, tmp_path: Path) -> None:
    file_server.fail_next = [503, 502, 500]
    sleeps: list[float] = []
    dest = tmp_path / "model.gguf"

    make_downloader(file_server, dest, sleep=sleeps.append, backoff_base=1.0).ensure()

    assert dest.read_bytes() == file_server.data
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(file_server.gets) == 4


def test_4xx_fails_without_retrying(file_server: FileServer, tmp_path: Path) -> None:
    file_server.fail_next = [404]
    sleeps: list[float] = []
    with pytest.raises(launcher.DownloadError, match="HTTP 404"):
        make_downloader(file_server, tmp_path / "model.gguf", sleep=sleeps.append).ensure()
    assert sleeps == []
    assert not (tmp_path / "model.gguf").exists()


def test_wrong_checksum_deletes_the_file(file_server: FileServer, tmp_path: Path) -> None:
    dest = tmp_path / "model.gguf"
    downloader = make_downloader(file_server, dest, expected_sha256="0" * 64)

    with pytest.raises(launcher.ChecksumMismatchError, match=r"expected 0{64}") as err:
        downloader.ensure()

    assert err.value.exit_code == launcher.EXIT_REFUSED
    assert "NOT started" in str(err.value)
    assert not dest.exists()
    assert not (tmp_path / "model.gguf.part").exists()
    assert len(file_server.gets) == 1  # it was downloaded, then rejected


def test_too_little_disk_refuses_before_any_get(file_server: FileServer, tmp_path: Path) -> None:
    seen: list[Path] = []

    def tiny_disk(path: Path) -> int:
        seen.append(path)
        return 100 * MIB  # less than 4 MiB + the 512 MiB margin

    dest = tmp_path / "models" / "model.gguf"
    with pytest.raises(launcher.InsufficientDiskError, match="not enough free disk"):
        make_downloader(file_server, dest, free_bytes=tiny_disk).ensure()

    assert seen == [dest.parent]
    assert file_server.gets == []  # only the HEAD for the size
    assert [method for method, _ in file_server.requests] == ["HEAD"]
    assert not dest.exists()
    assert not (dest.parent / "model.gguf.part").exists()


def test_disk_check_counts_only_the_missing_bytes(file_server: FileServer, tmp_path: Path) -> None:
    data = file_server.data
    dest = tmp_path / "model.gguf"
    (tmp_path / "model.gguf.part").write_bytes(data[: 4 * MIB])
    need = len(data) - 4 * MIB + MIB

    make_downloader(file_server, dest, free_bytes=lambda _p: need, disk_margin=MIB).ensure()

    assert dest.read_bytes() == data


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    data = os.urandom(3 * MIB + 5)
    path.write_bytes(data)
    assert launcher.sha256_file(path, chunk_size=MIB) == hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Options and memory


def test_options_defaults_and_validation() -> None:
    options = launcher.parse_options({})
    assert options.model == "gpt-oss-20b-mxfp4.gguf"
    assert options.model_url == (
        "https://huggingface.co/ggml-org/gpt-oss-20b-GGUF/resolve/main/gpt-oss-20b-mxfp4.gguf"
    )
    assert options.model_sha256 is None  # no published digest known: unverified
    assert (options.context_size, options.threads, options.gpu_layers, options.parallel) == (
        8192,
        None,
        0,
        1,
    )
    assert launcher.parse_options({"model": "other.gguf"}).model_url == ""
    assert launcher.parse_options({"threads": 4, "model_sha256": "AB" * 32}).threads == 4
    with pytest.raises(launcher.OptionsError, match="model_sha256"):
        launcher.parse_options({"model_sha256": "abc"})
    with pytest.raises(launcher.OptionsError, match="plain file name"):
        launcher.parse_options({"model": "../etc/passwd"})
    with pytest.raises(launcher.OptionsError, match="parallel"):
        launcher.parse_options({"parallel": 0})


def test_missing_url_for_another_model_is_an_options_error(tmp_path: Path) -> None:
    options = launcher.parse_options({"model": "other.gguf"})
    with pytest.raises(launcher.OptionsError, match="no model_url"):
        launcher.ensure_model(options, tmp_path)


def _meminfo(path: Path, available_kb: int) -> Path:
    path.write_text(
        f"MemTotal:       {available_kb * 2} kB\n"
        "MemFree:        1 kB\n"
        f"MemAvailable:   {available_kb} kB\n"
    )
    return path


def test_memory_check_warns_with_the_estimate(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    size = launcher.KNOWN_SIZES["gpt-oss-20b-mxfp4.gguf"]
    need = launcher.required_memory_bytes(size, 8192)
    assert 15e9 < need < 17e9  # "about 16 GB for 20b at 8K context"

    caplog.set_level(logging.INFO)
    low = _meminfo(tmp_path / "low", 8_000_000)
    assert launcher.check_memory(low, size, 8192) is False
    assert "Low memory: about 16.1 GB needed" in caplog.text
    assert "will still start" in caplog.text

    caplog.clear()
    high = _meminfo(tmp_path / "high", 64_000_000)
    assert launcher.check_memory(high, size, 8192) is True
    assert "Memory OK" in caplog.text


# ---------------------------------------------------------------------------------------------
# A fake llama-server and a fake Supervisor

FAKE_LLAMA_SERVER = """\
import json, os, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

argv = sys.argv[1:]
record = os.environ["FAKE_LLAMA_RECORD"]
with open(record, "a") as file:
    file.write(json.dumps(argv) + "\\n")
with open(record) as file:
    starts = len(file.readlines())
host = argv[argv.index("--host") + 1]
port = int(argv[argv.index("--port") + 1])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _json(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self._json({"status": "ok"})
        else:
            self.send_error(404)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/completion":
            self._json({"content": "<|channel|>final<|message|>ok", "stop": True})
        elif self.path == "/v1/chat/completions":
            self._json({"choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": "ok"}}]})
        else:
            self.send_error(404)


def on_term(signum, frame):
    if os.environ.get("FAKE_LLAMA_IGNORE_TERM"):
        return
    with open(record + ".terminated", "a") as file:
        file.write(f"{os.getpid()}\\n")
    os._exit(0)


signal.signal(signal.SIGTERM, on_term)
server = ThreadingHTTPServer((host, port), Handler)
crash_after = os.environ.get("FAKE_LLAMA_CRASH_AFTER")
if crash_after and starts == 1:
    threading.Timer(float(crash_after), lambda: os._exit(3)).start()
server.serve_forever()
"""


class FakeSupervisor:
    """Records discovery POSTs; answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.posts.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(body),
                    }
                )
                reply = (
                    json.dumps({"result": "ok", "data": {"uuid": "abc123"}})
                    if owner.status == 200
                    else json.dumps({"result": "error", "message": "boom"})
                ).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LauncherRun:
    """The launcher as a subprocess, with a fake llama-server and an options file."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.models = tmp_path / "models"
        self.models.mkdir()
        self.record = tmp_path / "argv.jsonl"
        self.log = tmp_path / "launcher.log"
        self.fake = tmp_path / "fake-llama-server"
        self.fake.write_text(f"#!{sys.executable}\n{FAKE_LLAMA_SERVER}")
        self.fake.chmod(0o755)
        self.meminfo = _meminfo(tmp_path / "meminfo", 64_000_000)
        self.process: subprocess.Popen[bytes] | None = None

    def start(
        self, options: dict[str, Any], supervisor_url: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        options_path = self.tmp_path / "options.json"
        options_path.write_text(json.dumps({"port": self.port, **options}))
        full_env = {
            key: value
            for key, value in os.environ.items()
            if key != "SUPERVISOR_TOKEN" and not key.startswith("ROOMSENSE_")
        }
        full_env["FAKE_LLAMA_RECORD"] = str(self.record)
        full_env.update(env or {})
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 -- our own script
                [
                    sys.executable,
                    str(LAUNCHER_PATH),
                    "--options",
                    str(options_path),
                    "--models-dir",
                    str(self.models),
                    "--llama-server",
                    str(self.fake),
                    "--supervisor-url",
                    supervisor_url,
                    "--meminfo",
                    str(self.meminfo),
                    "--restart-delay",
                    "0.2",
                    "--health-interval",
                    "0.05",
                    "--stop-timeout",
                    "1",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=full_env,
            )
        return self.process

    def argvs(self) -> list[list[str]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def healthy(self) -> bool:
        return bool(launcher.check_health(f"http://127.0.0.1:{self.port}/health", timeout=1))

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail("launcher did not exit within 10 s of SIGTERM:\n" + self.log_text())

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        # A fake server orphaned by a failing test must not keep running.
        for pid in _pids_of(self.fake):
            os.kill(pid, signal.SIGKILL)


def _pids_of(executable: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # [interpreter, script, ...] for a script run through its shebang; the launcher names
        # the fake only among its own arguments.
        if str(executable).encode() in cmdline[:2]:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def run(socket_enabled: None, tmp_path: Path) -> Iterator[LauncherRun]:
    launcher_run = LauncherRun(tmp_path)
    yield launcher_run
    launcher_run.kill()


@pytest.fixture
def supervisor(socket_enabled: None) -> Iterator[FakeSupervisor]:
    fake = FakeSupervisor()
    yield fake
    fake.close()


def _installed_model(run: LauncherRun, name: str = "tiny.gguf") -> Path:
    path = run.models / name
    path.write_bytes(b"GGUF" + os.urandom(1000))
    return path


def _flag(argv: list[str], flag: str) -> str:
    assert flag in argv, (flag, argv)
    return argv[argv.index(flag) + 1]


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_server_argv_discovery_and_clean_sigterm(
    run: LauncherRun, supervisor: FakeSupervisor
) -> None:
    model = _installed_model(run)
    process = run.start(
        {"model": "tiny.gguf", "context_size": 4096, "threads": 3, "parallel": 2},
        supervisor.url,
        {"SUPERVISOR_TOKEN": "secret-token"},
    )

    wait_for(lambda: supervisor.posts, what="the discovery POST")
    assert supervisor.posts == [
        {
            "path": "/discovery",
            "authorization": "Bearer secret-token",
            "content_type": "application/json",
            "json": {
                "service": "roomsense",
                "config": {"host": socket.gethostname(), "port": run.port, "model": "tiny.gguf"},
            },
        }
    ]
    [argv] = run.argvs()
    assert _flag(argv, "-m") == str(model)
    assert "--jinja" in argv
    assert _flag(argv, "--host") == "0.0.0.0"  # noqa: S104
    assert _flag(argv, "--port") == str(run.port)
    assert _flag(argv, "-c") == "4096"
    assert _flag(argv, "-np") == "2"
    assert _flag(argv, "-t") == "3"
    assert _flag(argv, "-ngl") == "0"
    assert _flag(argv, "--cache-reuse") == "256"
    assert "--special" in argv
    # The fake is a real server on that port.
    request = urllib.request.Request(
        f"http://127.0.0.1:{run.port}/completion", data=b'{"prompt": "x"}', method="POST"
    )
    with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
        assert "<|channel|>" in json.loads(response.read())["content"]
    [server_pid] = _pids_of(run.fake)
    assert process.poll() is None

    assert run.stop() == 0

    assert (run.tmp_path / "argv.jsonl.terminated").read_text().split() == [str(server_pid)]
    assert _pids_of(run.fake) == []
    assert len(run.argvs()) == 1  # stopping is not a crash: no restart
    assert "Announced" in run.log_text()
    assert "UNVERIFIED" in run.log_text()


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_crashed_server_is_restarted_and_announced_once(
    run: LauncherRun, supervisor: FakeSupervisor
) -> None:
    _installed_model(run)
    run.start(
        {"model": "tiny.gguf"},
        supervisor.url,
        {"SUPERVISOR_TOKEN": "t", "FAKE_LLAMA_CRASH_AFTER": "0.4"},
    )

    wait_for(lambda: len(run.argvs()) == 2, what="a restart")
    wait_for(run.healthy, what="the restarted server")
    argv_first, argv_second = run.argvs()
    assert argv_first == argv_second
    assert "exited with code 3; restarting" in run.log_text()
    time.sleep(0.3)  # a second announcement would come right after the health check
    assert len(supervisor.posts) == 1

    assert run.stop() == 0
    assert _pids_of(run.fake) == []


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_failing_supervisor_is_logged_and_server_keeps_running(run: LauncherRun) -> None:
    failing = FakeSupervisor(status=500)
    try:
        _installed_model(run)
        process = run.start({"model": "tiny.gguf"}, failing.url, {"SUPERVISOR_TOKEN": "t"})

        wait_for(
            lambda: "Discovery POST to the Supervisor failed: HTTP 500" in run.log_text(),
            what="the failure in the log",
        )
        assert len(failing.posts) == 1
        time.sleep(0.3)
        assert process.poll() is None
        assert run.healthy()
        assert len(run.argvs()) == 1
        assert "the server keeps running" in run.log_text()
        assert run.stop() == 0
    finally:
        failing.close()


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_missing_token_is_logged_and_server_keeps_running(
    run: LauncherRun, supervisor: FakeSupervisor
) -> None:
    _installed_model(run)
    process = run.start({"model": "tiny.gguf"}, supervisor.url)

    wait_for(lambda: "SUPERVISOR_TOKEN is not set" in run.log_text(), what="the token warning")
    assert run.healthy()
    assert process.poll() is None
    assert supervisor.posts == []
    assert run.stop() == 0


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_server_ignoring_sigterm_is_killed(run: LauncherRun, supervisor: FakeSupervisor) -> None:
    _installed_model(run)
    run.start({"model": "tiny.gguf"}, supervisor.url, {"FAKE_LLAMA_IGNORE_TERM": "1"})
    wait_for(run.healthy, what="the server")

    assert run.stop() == 0

    assert "killing it" in run.log_text()
    assert _pids_of(run.fake) == []


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_wrong_checksum_refuses_to_start_the_server(
    run: LauncherRun, supervisor: FakeSupervisor, file_server: FileServer
) -> None:
    process = run.start(
        {"model": "tiny.gguf", "model_url": file_server.url, "model_sha256": "ab" * 32},
        supervisor.url,
        {"SUPERVISOR_TOKEN": "t"},
    )

    assert process.wait(timeout=20) == launcher.EXIT_REFUSED
    log = run.log_text()
    assert "Refusing to start: SHA-256 of the downloaded tiny.gguf" in log
    assert "the server NOT started" in log
    assert run.argvs() == []  # llama-server never ran
    assert sorted(p.name for p in run.models.iterdir()) == []
    assert len(file_server.gets) == 1
    assert supervisor.posts == []


@pytest.mark.slow  # the launcher and a fake llama-server, as processes
def test_missing_llama_server_binary_exits_with_an_error(
    run: LauncherRun, supervisor: FakeSupervisor
) -> None:
    _installed_model(run)
    run.fake.unlink()
    process = run.start({"model": "tiny.gguf"}, supervisor.url, {"SUPERVISOR_TOKEN": "t"})

    assert process.wait(timeout=10) == launcher.EXIT_ERROR
    assert f"Cannot start: cannot run {run.fake}" in run.log_text()
    assert supervisor.posts == []
