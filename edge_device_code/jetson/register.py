#!/usr/bin/env python3
"""Register this Jetson with RoomSense and write the client's config file.

    python3 register.py --server http://homeassistant.local:8123 --ha-token TOKEN
        --name "Living room Jetson" [--capabilities a,b] --write config.json

The token must be a long-lived access token of a Home Assistant administrator. With
--device-type pico_w this also registers a Raspberry Pi Pico W, which cannot register
itself.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Put ../common and this folder on the import path, then run the shared CLI."""
    sys.path[:0] = [str(HERE), str(HERE.parent / "common")]
    import edge_cli
    import handlers

    return edge_cli.register_main(sys.argv[1:], "jetson", list(handlers.HANDLERS))


if __name__ == "__main__":
    sys.exit(main())
