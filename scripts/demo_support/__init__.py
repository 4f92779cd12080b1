"""Run the RoomSense demo: the SwitchBot simulator, a simulated Supervisor, Home Assistant.

`scripts/demo` runs this package with `python -m scripts.demo_support`. See `runner` for
what a run does, `provision` for what it sets up in Home Assistant, `home` for the demo
home's rooms, `settings` for the values it uses and the environment variables that
change them, `supervisor` for the simulated Supervisor (with `roomsense_demo_supervisor`,
Core's side of add-on discovery, a demo-only integration) and `announce` for
`scripts/demo --announce-addon`.
"""
