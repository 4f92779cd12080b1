"""Command line: `python -m roomsense_simulator --token T --secret S [--home demo]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence

from .model import HomeError
from .quota import DEFAULT_DAILY_LIMIT
from .server import Simulator


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m roomsense_simulator",
        description="Serve a simulated SwitchBot Cloud (Open API v1.1) for one home.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_non_negative, default=8710, help="0 picks a free port")
    parser.add_argument("--token", required=True, help="the open token clients must send")
    parser.add_argument("--secret", required=True, help="the secret key requests are signed with")
    parser.add_argument(
        "--home", default="demo", help='"demo", "empty" or the path of a home JSON file'
    )
    parser.add_argument(
        "--daily-limit",
        type=_non_negative,
        default=DEFAULT_DAILY_LIMIT,
        help=f"API calls allowed per UTC day (default {DEFAULT_DAILY_LIMIT})",
    )
    parser.add_argument(
        "--webhook-delay-ms",
        type=_non_negative,
        default=0,
        help="delay before each webhook delivery",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run the simulator until SIGINT or SIGTERM."""
    simulator = Simulator(
        token=args.token,
        secret=args.secret,
        home=args.home,
        daily_limit=args.daily_limit,
        webhook_delay_ms=args.webhook_delay_ms,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(signal_number, stop.set)
    base_url = await simulator.start(host=args.host, port=args.port)
    try:
        # The ready line is the contract scripts wait for; flush it at once.
        print(f"SwitchBot simulator listening on {base_url}", flush=True)
        await stop.wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(serve(args))
    except HomeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
