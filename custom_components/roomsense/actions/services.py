"""Every action as a `roomsense.<name>` service with a response."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

import probatio
from homeassistant.components.image import DOMAIN as IMAGE_DOMAIN
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import service

from ..const import DOMAIN
from ..gateway import Source
from .registry import Action, Caller, async_run

SERVICE_UPLOAD_ART_FRAME_IMAGE: Final = "upload_art_frame_image"


def _service_handler(
    action: Action,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handle(call: ServiceCall) -> ServiceResponse:
        # A refusal is a ServiceValidationError already, translated by Home Assistant.
        caller = Caller(call.hass, call.context.user_id, Source.SERVICE, call.context)
        return await async_run(action, caller, dict(call.data))

    return handle


@callback
def async_register_action_services(hass: HomeAssistant, actions: tuple[Action, ...]) -> None:
    """Register each action's service once, for every entry."""
    for action in (action for action in actions if action.service):
        hass.services.async_register(
            DOMAIN, action.name, _service_handler(action), action.schema, action.response
        )
    # Not an action: it acts on the picture entity, so it goes through the command
    # gateway as a tap on it would.
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_UPLOAD_ART_FRAME_IMAGE,
        entity_domain=IMAGE_DOMAIN,
        schema={probatio.Required("image_url"): cv.url},
        func="async_upload_art_frame_image",
    )
