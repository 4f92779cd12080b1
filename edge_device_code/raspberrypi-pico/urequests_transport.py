"""RoomSense edge transport for MicroPython over `urequests` (or its newer name, `requests`).

Gives `request(method, url, headers, body, timeout_s) -> (status, body_text)` as
roomsense_edge.EdgeClient wants it. Every response is closed: a Pico W has only a few
sockets, and one left open per request would soon use them all up.
"""

try:
    import urequests
except ImportError:  # newer firmware ships it as `requests` only
    import requests as urequests

try:
    import gc

    # Only MicroPython (which has mem_free) needs the help; CPython's collector is slow here.
    _collect_garbage = gc.collect if hasattr(gc, "mem_free") else None
except ImportError:
    _collect_garbage = None


class UrequestsTransport:
    """The transport the Pico W client uses.

    `pass_timeout=False` is for old firmware whose urequests has no `timeout` argument
    (a TypeError says so); a long poll then waits for as long as the server holds it.
    """

    def __init__(self, pass_timeout=True):
        self.pass_timeout = pass_timeout

    def request(self, method, url, headers, body, timeout_s):
        """Send one request; returns `(status, body_text)`, `""` for a 204."""
        if _collect_garbage is not None:
            _collect_garbage()  # free garbage first: a request needs a few kB of buffers at once
        options = {"data": body, "headers": headers}
        if self.pass_timeout:
            options["timeout"] = timeout_s
        response = urequests.request(method, url, **options)  # noqa: S113 - timeout is in options
        try:
            status = response.status_code
            # A 204 has no body to read.
            text = "" if status == 204 else response.text
        except UnicodeError:
            raise OSError("the server's answer is not UTF-8 text") from None
        finally:
            response.close()
        return status, text
