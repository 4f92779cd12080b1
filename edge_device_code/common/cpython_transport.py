"""A RoomSense edge transport for CPython built on the standard library alone.

The Jetson and Raspberry Pi 4 clients use it, so they need no pip installs.
"""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request


class CPythonTransport:
    """`request(method, url, headers, body, timeout_s) -> (status, body_text)` over urllib.

    Every HTTP status comes back as a status (urllib's HTTPError is not an error here);
    only a failure to talk to the server raises, always as OSError.

    Environment proxies (`http_proxy` and friends) are ignored unless `use_env_proxy` is
    true: an edge device talks to Home Assistant on its own network, and a proxy set for
    the rest of the system would otherwise swallow those requests. `ca_file` names a CA
    bundle for an https:// Home Assistant with its own certificate authority.
    """

    def __init__(self, ca_file: str | None = None, use_env_proxy: bool = False) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        if not use_env_proxy:
            handlers.append(urllib.request.ProxyHandler({}))
        if ca_file:
            context = ssl.create_default_context(cafile=ca_file)
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        timeout_s: float,
    ) -> tuple[int, str]:
        """Send one request; returns `(status, body_text)`, `""` for a 204."""
        if not url.startswith(("http://", "https://")):
            # urllib would also open file:// and ftp:// URLs; a server URL is never one.
            raise ValueError(f"only http:// and https:// URLs are allowed, got {url!r}")
        # S310 wants the scheme audited: it is, just above.
        request = urllib.request.Request(  # noqa: S310
            url, data=body, headers=headers, method=method
        )
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                return response.status, _decode(response.read())
        except urllib.error.HTTPError as error:
            # 4xx and 5xx answers are answers: the client decides what they mean.
            with error:
                return error.code, _decode(error.read())
        except http.client.HTTPException as error:
            # A connection cut mid-answer (IncompleteRead, BadStatusLine) is not an OSError.
            raise OSError(f"broken HTTP answer from {url}: {error!r}") from error


def _decode(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")
