"""Fuzzing the `roomsense.*` services' schemas with generated data, as every kind of caller.

A call either succeeds or is refused with `ServiceValidationError`, `Unauthorized`,
`probatio.Invalid` (the schema), or a `HomeAssistantError` with a translation key; no
other exception, no ERROR in the log, and a refused call changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import probatio
import pytest
from homeassistant.core import Context, HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.roomsense.actions import ACTIONS
from custom_components.roomsense.const import DOMAIN
from roomsense_simulator import Simulator

from ..conftest import long_run
from .conftest import REQUEST_TIMEOUT, Probe, RuleBrokenError, Runner, drive, fuzz_settings
from .test_http_fuzz import BATCH, COMPLAINT_WORDS, LONG_FACTOR, aim, bounded, quiet_logs

DEFAULT_CALLS = 2_500
# The picture upload is an entity service, not an action: its own field, and the target's.
# The target is text (or a list of it): core's `cv.entity_ids` raises TypeError on, say,
# `entity_id: true` before any RoomSense code runs.
TARGET_FIELDS = ("entity_id", "device_id", "area_id")
TARGET_VALUES = st.text(max_size=30) | st.lists(st.text(max_size=30), max_size=3)

type Call = tuple[str, Any, str, bool]


@pytest.mark.slow
# Minutes by default, half an hour or so with --long; a request that hangs fails on its own
# after REQUEST_TIMEOUT.
@pytest.mark.timeout(3600)
# Home Assistant's loop keeps running (and drawing on `random`, for jitter) while Hypothesis
# draws the next batch in its thread; Hypothesis takes that for a strategy using `random`.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
async def test_every_service_schema_survives_fuzzing(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    targets = await aim(hass, setup_entry, simulator, "admin-token", "user-token")
    quiet_logs(caplog)
    runner = Runner(hass, None, Probe(hass, simulator), caplog)
    services = hass.services.async_services_for_domain(DOMAIN)
    fields = {action.name: sorted(action.field_names) for action in ACTIONS}
    users = {"admin": hass_admin_user.id, "user": hass_read_only_user.id, "automation": None}

    def calls_of(name: str) -> st.SearchStrategy[Call]:
        if name in fields:
            data = targets.fields(fields[name], {}).map(bounded) | targets.values
        else:
            target = dict.fromkeys(TARGET_FIELDS, TARGET_VALUES)
            data = targets.fields(["image_url"], target).filter(
                lambda data: all(isinstance(data.get(key, ""), str | list) for key in TARGET_FIELDS)
            )
        data = data.filter(lambda data: not COMPLAINT_WORDS.search(repr(data)))
        return st.tuples(st.just(name), data, st.sampled_from(sorted(users)), st.booleans())

    async def call(name: str, data: Any, caller: str, want_response: bool) -> None:
        before = runner.probe.snapshot()
        mark = len(caplog.records)
        answer = "ok"
        # A service that must answer is asked for its answer, most of the time.
        if services[name].supports_response is SupportsResponse.ONLY:
            want_response = True
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                await hass.services.async_call(
                    DOMAIN,
                    name,
                    data,
                    blocking=True,
                    return_response=want_response,
                    context=Context(user_id=users[caller]),
                )
        except (ServiceValidationError, Unauthorized, probatio.Invalid) as err:
            answer = type(err).__name__
        except HomeAssistantError as err:
            if err.translation_key is None:
                raise RuleBrokenError(
                    f"{name}({data!r}) as {caller}: untranslated {err!r}"
                ) from err
            answer = type(err).__name__
        except Exception as err:
            raise RuleBrokenError(f"{name}({data!r}) as {caller}: raised {err!r}") from err
        status = 200 if answer == "ok" else 400
        runner.tally.requests["services"] += 1
        runner.tally.statuses["services"][status] += 1
        if status == 200:
            await hass.async_block_till_done()
        await asyncio.sleep(0)
        runner.check(
            f"{name}({data!r}) as {caller}: {answer}", status, runner.errors_since(mark), before
        )

    async def run(batch: list[Call]) -> None:
        for name, data, caller, want_response in batch:
            await call(name, data, caller, want_response)

    wanted = DEFAULT_CALLS * (LONG_FACTOR if long_run(request.config) else 1)
    every_service = st.sampled_from(sorted(services)).flatmap(calls_of)
    await drive(
        hass,
        st.lists(every_service, min_size=BATCH, max_size=BATCH),
        run,
        fuzz_settings(wanted // BATCH, long=long_run(request.config)),
    )
    print("\n" + runner.tally.write("services-long" if long_run(request.config) else "services"))
    assert runner.tally.total >= wanted
    statuses = runner.tally.statuses["services"]
    # Calls got past the schemas, and were refused too.
    assert statuses[200], statuses
    assert statuses[400], statuses
