"""Command lines shared by the CPython edge clients (`client.py` and `register.py`).

Each device folder keeps thin `client.py` / `register.py` scripts that pass their own
handlers and device type to `client_main` / `register_main` here.

Exit codes: 0 done, 1 the server could not be reached or failed, 2 bad command line or
config, 3 the token was refused (also the one read again from the config) or the device is
unknown (give it a new token or register again), 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import roomsense_edge
from cpython_transport import CPythonTransport
from roomsense_edge import EdgeAuthError, EdgeClient, EdgeError, EdgeServerError

Handler = Callable[[Any], Any]

EXIT_OK = 0
EXIT_UNREACHABLE = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_INTERRUPTED = 130

# The Pico registers from a computer, which cannot import its MicroPython handlers;
# a test keeps this list equal to raspberrypi-pico/handlers.py's HANDLERS.
PICO_W_CAPABILITIES = ("agent", "cpu_temperature", "echo", "gpio", "sensor_read")


def log(message: str) -> None:
    """One timestamped line on stdout, flushed at once so journald shows it live."""
    print(time.strftime("%Y-%m-%d %H:%M:%S"), message, flush=True)


def error(message: str) -> None:
    """One line on stderr."""
    print("error:", message, file=sys.stderr, flush=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {value}")
    return value


def _transport(settings: Mapping[str, Any]) -> CPythonTransport:
    return CPythonTransport(
        ca_file=settings.get("ca_file") or None,
        use_env_proxy=bool(settings.get("use_env_proxy", False)),
    )


def _stop_on_sigterm() -> None:
    """Exit 0 on SIGTERM, the way systemd stops a service, so it is not counted a failure."""

    def _handler(_signum: int, _frame: object) -> None:
        raise SystemExit(EXIT_OK)

    signal.signal(signal.SIGTERM, _handler)


# ---------------------------------------------------------------------------- client.py


def client_parser(device_label: str) -> argparse.ArgumentParser:
    """The `client.py` command line."""
    parser = argparse.ArgumentParser(
        prog="client.py",
        description=f"RoomSense edge client for a {device_label}: long-polls Home Assistant "
        "for jobs, runs them with handlers.py and reports the results.",
    )
    parser.add_argument(
        "--config", required=True, type=Path, metavar="PATH", help="the JSON config file"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--once", action="store_true", help="poll once, run the job if one came, and exit"
    )
    mode.add_argument(
        "--max-jobs", type=_positive_int, metavar="N", help="exit after running N jobs"
    )
    parser.add_argument(
        "--wait",
        type=_positive_int,
        metavar="SECONDS",
        help="long-poll wait, 1 to 60 (overrides the config's wait)",
    )
    return parser


def load_config(path: Path, wait: int | None = None) -> dict[str, Any]:
    """Checked settings from a config file; ValueError says what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    if isinstance(raw, dict) and wait is not None:
        raw["wait"] = wait
    try:
        return roomsense_edge.load_settings(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def client_main(argv: Sequence[str], handlers: Mapping[str, Handler], device_label: str) -> int:
    """Run `client.py`; returns the exit code."""
    args = client_parser(device_label).parse_args(argv)
    try:
        settings = load_config(args.config, args.wait)
    except ValueError as exc:
        error(str(exc))
        return EXIT_USAGE
    try:
        transport = _transport(settings)
    except OSError as exc:
        error(f"{args.config}: cannot use ca_file {settings.get('ca_file')!r}: {exc}")
        return EXIT_USAGE
    # On a 401 the client reads the token in the config file again: a rotated token
    # written there is taken up without a restart.
    client = EdgeClient(
        settings,
        transport,
        dict(handlers),
        log=log,
        token_source=lambda: load_config(args.config)["token"],
    )
    _stop_on_sigterm()
    log(
        f"RoomSense edge client {roomsense_edge.VERSION} ({device_label}): device "
        f"{settings['device_id']} at {settings['server_url']}, handlers: "
        + ", ".join(sorted(handlers))
    )
    try:
        if args.once:
            return _run_once(client)
        handled = client.run(max_jobs=args.max_jobs)
    except EdgeAuthError as exc:
        error(str(exc))
        return EXIT_AUTH
    except KeyboardInterrupt:
        log("stopped")
        return EXIT_INTERRUPTED
    log(f"done: {handled} job(s) run")
    return EXIT_OK


def _run_once(client: EdgeClient) -> int:
    try:
        job = client.fetch_next()
    except (OSError, EdgeServerError) as exc:
        error(f"cannot get a job: {exc}")
        return EXIT_UNREACHABLE
    if job is None:
        log(f"no job within {client.settings['wait']} s")
        return EXIT_OK
    outcome = client.process(job)
    if outcome is None:
        return EXIT_UNREACHABLE
    log(f"job {job['job_id']}: result {outcome}")
    return EXIT_OK


# ---------------------------------------------------------------------------- register.py


def register_parser(device_type: str) -> argparse.ArgumentParser:
    """The `register.py` command line."""
    parser = argparse.ArgumentParser(
        prog="register.py",
        description="Register this edge device with RoomSense in Home Assistant and write "
        "the client's config file (the device token is shown only once).",
    )
    parser.add_argument(
        "--server",
        required=True,
        metavar="URL",
        help="Home Assistant's URL, e.g. http://homeassistant.local:8123",
    )
    parser.add_argument(
        "--ha-token",
        metavar="TOKEN",
        default=os.environ.get("ROOMSENSE_HA_TOKEN"),
        help="a long-lived access token of a Home Assistant administrator "
        "(default: $ROOMSENSE_HA_TOKEN, which keeps it out of the shell history)",
    )
    parser.add_argument(
        "--name", required=True, metavar="NAME", help="the device's name in Home Assistant"
    )
    parser.add_argument(
        "--device-type",
        default=device_type,
        choices=roomsense_edge.DEVICE_TYPES,
        help=f"default: {device_type}; use pico_w to register a Pico W from this computer",
    )
    parser.add_argument(
        "--capabilities",
        metavar="A,B,...",
        help="comma-separated handler names (default: this device's handlers)",
    )
    parser.add_argument(
        "--wait",
        type=_positive_int,
        default=roomsense_edge.DEFAULT_WAIT_S,
        metavar="SECONDS",
        help="long-poll wait written to the config, 1 to 60 (default: 25)",
    )
    parser.add_argument(
        "--ca-file", metavar="PATH", help="CA bundle for an https:// Home Assistant"
    )
    parser.add_argument(
        "--write", required=True, type=Path, metavar="PATH", help="the config file to write"
    )
    return parser


def registration_metadata(device_type: str) -> dict[str, Any]:
    """What the device tells Home Assistant about itself when registering."""
    metadata: dict[str, Any] = {
        "client_version": roomsense_edge.VERSION,
        "registered_from": platform.node(),
    }
    if device_type != "pico_w":  # a Pico is registered from another computer
        metadata.update(
            hostname=platform.node(),
            system=platform.system(),
            machine=platform.machine(),
            python=platform.python_version(),
        )
    return metadata


def write_config(path: Path, config: Mapping[str, Any]) -> None:
    """Write the config readable by its owner only (it holds the device token)."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(config, file, indent=2)
        file.write("\n")
    os.replace(temporary, path)


def register_main(argv: Sequence[str], device_type: str, handler_names: Sequence[str]) -> int:
    """Run `register.py`; returns the exit code."""
    parser = register_parser(device_type)
    args = parser.parse_args(argv)
    if not args.ha_token:
        parser.error("--ha-token (or $ROOMSENSE_HA_TOKEN) is required")
    if args.wait > roomsense_edge.MAX_WAIT_S:
        parser.error(f"--wait must be at most {roomsense_edge.MAX_WAIT_S}")
    if args.capabilities is not None:
        capabilities = [name.strip() for name in args.capabilities.split(",") if name.strip()]
    elif args.device_type == "pico_w":
        capabilities = list(PICO_W_CAPABILITIES)
    else:
        capabilities = sorted(handler_names)
    try:
        transport = _transport({"ca_file": args.ca_file})
    except OSError as exc:
        error(f"cannot use --ca-file {args.ca_file}: {exc}")
        return EXIT_USAGE
    try:
        device_id, token = roomsense_edge.register(
            args.server,
            args.ha_token,
            args.name,
            args.device_type,
            capabilities,
            registration_metadata(args.device_type),
            transport,
        )
    except ValueError as exc:
        error(str(exc))
        return EXIT_USAGE
    except EdgeAuthError as exc:
        error(str(exc))
        return EXIT_AUTH
    except (OSError, EdgeError) as exc:
        error(f"registration failed: {exc}")
        return EXIT_UNREACHABLE
    config: dict[str, Any] = {
        "server_url": roomsense_edge.check_server_url(args.server),
        "device_id": device_id,
        "token": token,
        "wait": args.wait,
        "name": args.name,
        "device_type": args.device_type,
    }
    if args.ca_file:
        config["ca_file"] = args.ca_file
    try:
        write_config(args.write, config)
    except OSError as exc:
        # The token cannot be shown again: print it rather than lose the registration.
        error(f"cannot write {args.write}: {exc}; the config would have been:")
        print(json.dumps(config, indent=2), flush=True)
        return EXIT_UNREACHABLE
    print(f"registered {args.name!r} as device {device_id}; config written to {args.write}")
    if args.device_type == "pico_w":
        print("for the Pico's secrets.py:")
        print(f'SERVER_URL = "{config["server_url"]}"')
        print(f'DEVICE_ID = "{device_id}"')
        print(f'TOKEN = "{token}"')
    return EXIT_OK
