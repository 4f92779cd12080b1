"""Supervisor discovery of the RoomSense LLM add-on: the accounts' model is pointed at it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from ..const import ADDON_CONF_HOST, ADDON_CONF_MODEL, ADDON_CONF_PORT, LOGGER, OPT_LLM_ADDON
from ..language_models.const import (
    CONF_LLM_API_KEY,
    CONF_LLM_BASE_URL,
    CONF_LLM_GPT_OSS_BACKEND,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    DEFAULT_MODELS,
    PROVIDER_GPT_OSS,
)


@dataclass(frozen=True, slots=True)
class AddonTarget:
    """Where a discovered RoomSense LLM add-on serves its model."""

    slug: str
    name: str
    base_url: str
    model: str | None

    @classmethod
    def from_discovery(cls, info: HassioServiceInfo) -> AddonTarget | None:
        """Read the add-on's `{"host", "port", "model"}`; None when host or port is unusable."""
        host = str(info.config.get(ADDON_CONF_HOST) or "").strip()
        try:
            port = int(info.config.get(ADDON_CONF_PORT))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not host or not 0 < port < 65536:
            return None
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        model = str(info.config.get(ADDON_CONF_MODEL) or "").strip() or None
        return cls(
            slug=info.slug,
            name=info.name or info.slug,
            base_url=f"http://{host}:{port}",
            model=model,
        )

    def serves(self, entry: ConfigEntry) -> bool:
        """Whether the entry's model still is this add-on, as a discovery last set it."""
        options = entry.options
        link = options.get(OPT_LLM_ADDON)
        return (
            isinstance(link, Mapping)
            and link.get("slug") == self.slug
            and options.get(CONF_LLM_PROVIDER) == PROVIDER_GPT_OSS
            and options.get(CONF_LLM_BASE_URL) == link.get("base_url")
        )

    def options_for(self, entry: ConfigEntry, *, new_server: bool) -> dict[str, Any]:
        """The entry's options with its language model pointed at the add-on.

        The keys and value formats are those the options flow writes; every other option
        stays. An API key kept for another server is not sent to the add-on.
        """
        options: dict[str, Any] = {
            **entry.options,
            CONF_LLM_PROVIDER: PROVIDER_GPT_OSS,
            CONF_LLM_BASE_URL: self.base_url,
            OPT_LLM_ADDON: {"slug": self.slug, "base_url": self.base_url},
        }
        # The add-on runs llama-server: the gpt-oss adapter's default backend.
        options.pop(CONF_LLM_GPT_OSS_BACKEND, None)
        options.pop(CONF_LLM_MODEL, None)
        if self.model:
            options[CONF_LLM_MODEL] = self.model
        if new_server:
            options.pop(CONF_LLM_API_KEY, None)
        return options


class AddonDiscoverySteps(ConfigFlow):
    """The config flow's steps for the add-on (mixed into RoomSense's ConfigFlow)."""

    _addon: AddonTarget | None = None

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """The RoomSense LLM add-on announced itself to the Supervisor.

        Discovery never adds an entry (a SwitchBot account is added by the user step): it
        points the language model of the existing entries at the add-on. Entries a confirmed
        discovery pointed at this add-on follow it to a new address without asking again.
        """
        await self.async_set_unique_id(discovery_info.slug)
        addon = AddonTarget.from_discovery(discovery_info)
        if addon is None:
            LOGGER.warning(
                "Add-on %s announced no usable host and port: %s",
                discovery_info.slug,
                {key: discovery_info.config.get(key) for key in (ADDON_CONF_HOST, ADDON_CONF_PORT)},
            )
            return self.async_abort(reason="invalid_discovery_info")
        self._addon = addon
        self.context["title_placeholders"] = {"name": addon.name}
        entries = self._async_current_entries(include_ignore=False)
        if following := [entry for entry in entries if addon.serves(entry)]:
            updated = False
            for entry in following:
                options = addon.options_for(entry, new_server=False)
                if options != dict(entry.options):
                    # The options update listener reloads a loaded entry.
                    self.hass.config_entries.async_update_entry(entry, options=options)
                    updated = True
            return self.async_abort(
                reason="addon_updated" if updated else "addon_already_configured",
                description_placeholders=_placeholders(addon, following),
            )
        self._abort_if_unique_id_configured()  # the user ignored this add-on's discovery
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before pointing every SwitchBot account's conversation agent at the add-on."""
        addon = self._addon
        if addon is None:  # a flow started at this step, without a discovery
            return self.async_abort(reason="invalid_discovery_info")
        entries = self._async_current_entries(include_ignore=False)
        if not entries:  # none yet, or removed while the form was open
            return self.async_abort(
                reason="account_first", description_placeholders=_placeholders(addon, [])
            )
        if user_input is None:
            self._set_confirm_only()
            return self.async_show_form(
                step_id="hassio_confirm",
                description_placeholders=_placeholders(addon, entries),
            )
        for entry in entries:
            # The options update listener reloads a loaded entry.
            self.hass.config_entries.async_update_entry(
                entry, options=addon.options_for(entry, new_server=True)
            )
        return self.async_abort(
            reason="addon_configured",
            description_placeholders=_placeholders(addon, entries),
        )


def _placeholders(addon: AddonTarget, entries: list[ConfigEntry]) -> dict[str, str]:
    return {
        "addon": addon.name,
        "model": addon.model or DEFAULT_MODELS[PROVIDER_GPT_OSS],
        "url": addon.base_url,
        "accounts": ", ".join(entry.title for entry in entries),
    }
