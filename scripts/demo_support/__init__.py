"""Run the RoomSense demo: the SwitchBot simulator and a real Home Assistant.

`scripts/demo` runs this package with `python -m scripts.demo_support`. See `runner` for
what a run does and `settings` for the values it uses and the environment variables that
change them.
"""
