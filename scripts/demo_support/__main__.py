"""Entry point of `python -m scripts.demo_support`: the demo, or `--announce-addon [HOST:PORT]`."""

import sys

from . import announce, runner

_args = sys.argv[1:]
if _args[:1] == ["--announce-addon"]:
    raise SystemExit(announce.main(_args[1:]))
raise SystemExit(runner.main())
