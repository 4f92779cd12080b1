"""Settings for the Pico W client: copy to `secrets.py` on the board and fill in.

Register the Pico from a computer first (it cannot register itself):
    python3 ../raspberrypi4/register.py --server http://homeassistant.local:8123 \
        --ha-token TOKEN --name "Pico W" --device-type pico_w --write pico.json
prints DEVICE_ID and TOKEN for this file (so does a POST to the register view).
"""

# ruff: noqa: S105 - the values below are placeholders to replace

WIFI_SSID = "your-wifi-name"
WIFI_PASSWORD = "your-wifi-password"
# An IP address is safest: older firmware cannot resolve .local names.
SERVER_URL = "http://homeassistant.local:8123"
DEVICE_ID = "PUT-THE-DEVICE-ID-HERE"
TOKEN = "PUT-THE-DEVICE-TOKEN-HERE"
WAIT = 25  # seconds each long poll may wait for a job, 1 to 60
