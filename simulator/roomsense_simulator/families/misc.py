"""Video Doorbell and AI Art Frame (§5.16)."""

from __future__ import annotations

import hashlib
import re

from .. import params
from ..spec import (
    CommandHandler,
    CommandRequest,
    Effect,
    TypeSpec,
    WebhookSpec,
    copy,
    from_internal,
)

VIDEO_DOORBELL = TypeSpec(
    "Video Doorbell",
    status={"version": "V1.0", "battery": 100, "online": True},
    internal={"motionDetection": True},
    commands={
        "enableMotionDetection": lambda _request: Effect(internal={"motionDetection": True}),
        "disableMotionDetection": lambda _request: Effect(internal={"motionDetection": False}),
    },
    # detectionState and press are momentary: inject them with the event's "webhook" fields.
    webhook=WebhookSpec(
        "Video Doorbell",
        {
            "battery": copy("battery"),
            "detectionState": from_internal("detectionState", "NOT_DETECTED"),
            "press": from_internal("press", False),
        },
    ),
)

# --- AI Art Frame -------------------------------------------------------------------------

_DATA_URL = re.compile(r"data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+")
_HTTP_URL = re.compile(r"https?://\S+")
_UPLOADED_URL = "https://art.switchbot.invalid/uploads/{digest}.jpg"


def _step(offset: int) -> CommandHandler:
    """`next`/`previous`: move through the frame's gallery (simulator-only `gallery`)."""

    def handle(request: CommandRequest) -> Effect:
        gallery: list[str] = list(request.internal.get("gallery", []))
        if not gallery:
            return Effect()
        current = request.status.get("imageUrl")
        index = gallery.index(current) if current in gallery else -offset
        return Effect(status={"imageUrl": gallery[(index + offset) % len(gallery)]})

    return handle


def _upload_image(request: CommandRequest) -> Effect:
    """`{"imageUrl": "https://..."}` or `{"imageBase64": "data:image/...;base64,..."}`."""
    spec = params.json_object(request.parameter)
    if ("imageUrl" in spec) == ("imageBase64" in spec):
        raise params.InvalidParameterError("give exactly one of imageUrl and imageBase64")
    if "imageUrl" in spec:
        url = spec["imageUrl"]
        if not isinstance(url, str) or not _HTTP_URL.fullmatch(url):
            raise params.InvalidParameterError("imageUrl must be an http(s) URL")
    else:
        data = spec["imageBase64"]
        if not isinstance(data, str) or not _DATA_URL.fullmatch(data):
            raise params.InvalidParameterError("imageBase64 must be a data:image/...;base64 URL")
        # The cloud stores the upload; name it after its content.
        url = _UPLOADED_URL.format(digest=hashlib.sha256(data.encode()).hexdigest()[:16])
    gallery = [*request.internal.get("gallery", []), url]
    return Effect(status={"imageUrl": url}, internal={"gallery": gallery})


AI_ART_FRAME = TypeSpec(
    "AI Art Frame",
    status={
        "battery": 100,
        "displayMode": 0,
        "imageUrl": "https://art.switchbot.invalid/gallery/1.jpg",
        "version": "V0.0-0.5",
    },
    internal={
        "gallery": [
            "https://art.switchbot.invalid/gallery/1.jpg",
            "https://art.switchbot.invalid/gallery/2.jpg",
            "https://art.switchbot.invalid/gallery/3.jpg",
        ]
    },
    commands={"next": _step(1), "previous": _step(-1), "uploadImage": _upload_image},
    webhook=WebhookSpec(
        "AI Art Frame", {"displayMode": copy("displayMode"), "battery": copy("battery")}
    ),
)

TYPES = [VIDEO_DOORBELL, AI_ART_FRAME]
