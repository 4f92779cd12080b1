"""RoomSense edge client for a Raspberry Pi Pico W (MicroPython); runs at power-up.

Joins Wi-Fi, then long-polls Home Assistant for jobs and runs them with handlers.py.
Needs on the board: this file, handlers.py, urequests_transport.py, roomsense_edge.py
(from ../common) and a secrets.py made from secrets.example.py.
"""

import sys
import time

import network
from roomsense_edge import EdgeAuthError, EdgeClient
from urequests_transport import UrequestsTransport

WIFI_TIMEOUT_S = 20
WIFI_POLL_S = 0.5
WIFI_RETRY_S = 10
RESTART_AFTER_CRASH_S = 10
# What network.WLAN.status() means when it is below zero (network.STAT_* on the rp2 port).
WIFI_ERRORS = {-1: "connection failed", -2: "no access point found", -3: "wrong password"}


def connect_wifi(ssid, password, timeout_s=WIFI_TIMEOUT_S, sleep=time.sleep, log=print):
    """Join `ssid`; returns the WLAN interface, or raises OSError after `timeout_s`.

    Time is counted in polls rather than read from a clock, so a test's fake `sleep`
    runs the whole timeout at once.
    """
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if wlan.isconnected():
        return wlan
    log("Wi-Fi: joining " + ssid)
    wlan.connect(ssid, password)
    for _ in range(max(1, int(timeout_s / WIFI_POLL_S))):
        if wlan.isconnected():
            break
        status = wlan.status()
        if status < 0:  # a final answer: waiting longer will not help
            wlan.disconnect()
            raise OSError(
                "Wi-Fi: cannot join " + ssid + ": " + WIFI_ERRORS.get(status, str(status))
            )
        sleep(WIFI_POLL_S)
    if not wlan.isconnected():
        wlan.disconnect()
        raise OSError(f"Wi-Fi: {ssid} not joined within {timeout_s} s")
    log("Wi-Fi: joined, address " + wlan.ifconfig()[0])
    return wlan


def settings_from_secrets(secrets):
    """Client settings from the secrets module (SERVER_URL, DEVICE_ID, TOKEN, WAIT)."""
    settings = {
        "server_url": getattr(secrets, "SERVER_URL", None),
        "device_id": getattr(secrets, "DEVICE_ID", None),
        "token": getattr(secrets, "TOKEN", None),
    }
    if hasattr(secrets, "WAIT"):
        settings["wait"] = secrets.WAIT
    return settings


def token_from_secrets(secrets):
    """A `token_source` for EdgeClient: TOKEN as secrets.py holds it now.

    secrets.py is imported afresh each time, so a rotated token copied onto the board is
    taken up on the next 401, without a restart.
    """
    current = [secrets]

    def read():
        module = current[0]
        name = getattr(module, "__name__", None)
        if name and sys.modules.get(name) is module:
            del sys.modules[name]
            try:
                module = __import__(name)
            except Exception:
                sys.modules[name] = current[0]  # keep the secrets that worked so far
                raise
            current[0] = module
        return getattr(module, "TOKEN", None)

    return read


def wifi_lost(wlan):
    """A `stop` test for EdgeClient.run: true once `wlan` has dropped."""
    return lambda: not wlan.isconnected()


def run_forever(client, ssid, password, sleep=time.sleep, log=print, max_jobs=None):
    """Keep Wi-Fi up and run jobs; returns after `max_jobs` jobs (never when None).

    The job loop stops whenever Wi-Fi drops, to join again; EdgeAuthError escapes.
    """
    handled = 0
    while max_jobs is None or handled < max_jobs:
        try:
            wlan = connect_wifi(ssid, password, sleep=sleep, log=log)
        except OSError as exc:
            log(f"{exc}; trying again in {WIFI_RETRY_S} s")
            sleep(WIFI_RETRY_S)
            continue
        remaining = None if max_jobs is None else max_jobs - handled
        handled += client.run(max_jobs=remaining, stop=wifi_lost(wlan))
    return handled


def blink_forever(period_s=0.25):
    """Flash the on-board LED: the device needs attention (registering again)."""
    import machine

    led = machine.Pin("LED", machine.Pin.OUT)
    while True:
        led.toggle()
        time.sleep(period_s)


def main(secrets=None, handlers=None, transport=None, sleep=time.sleep):
    """Run the client from secrets.py; restart the board after an unexpected error.

    The arguments are for tests; on the board they default to the files beside this one.
    """
    try:
        if secrets is None:
            import secrets
        if handlers is None:
            import handlers
        settings = settings_from_secrets(secrets)
        client = EdgeClient(
            settings,
            transport or UrequestsTransport(),
            handlers.HANDLERS,
            token_source=token_from_secrets(secrets),
        )
        ssid, password = secrets.WIFI_SSID, secrets.WIFI_PASSWORD
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        # A missing or wrong secrets.py: restarting would only fail again.
        print("secrets.py needs fixing:", exc)
        blink_forever()
        return
    try:
        run_forever(client, ssid, password)
    except EdgeAuthError as exc:
        # Restarting cannot fix a refused token; stay up and show it.
        print(exc)
        blink_forever()
    except Exception as exc:  # noqa: BLE001 - anything else: start afresh rather than hang
        print("crashed:", repr(exc), f"- restarting in {RESTART_AFTER_CRASH_S} s")
        sleep(RESTART_AFTER_CRASH_S)
        import machine

        machine.reset()


if __name__ == "__main__":
    main()
