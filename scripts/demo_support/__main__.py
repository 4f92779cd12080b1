"""Entry point of `python -m scripts.demo_support`."""

from .runner import main

raise SystemExit(main())
