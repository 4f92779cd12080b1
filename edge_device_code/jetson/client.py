#!/usr/bin/env python3
"""RoomSense edge client for a Jetson.

    python3 client.py --config config.json [--once | --max-jobs N] [--wait SECONDS]

Runs the jobs Home Assistant sends with the handlers in handlers.py. The shared code lives
in ../common, so keep this folder next to it.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Put ../common and this folder on the import path, then run the shared CLI."""
    sys.path[:0] = [str(HERE), str(HERE.parent / "common")]
    import edge_cli
    import handlers

    return edge_cli.client_main(sys.argv[1:], handlers.HANDLERS, "Jetson")


if __name__ == "__main__":
    sys.exit(main())
