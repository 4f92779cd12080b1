"""Home Assistant stopped and started again inside one test, on one shared "disk".

The disk is what survives a stop: the `Store` files (the test plugin's `hass_storage` dict,
where every `Store` writes) and the files RoomSense writes itself under the config folder
(the command log). A clean stop runs Home Assistant's final writes; a hard stop is a kill:
the disk is what had been written at that moment, and a `Store`'s delayed write still
waiting (`async_delay_save`) is lost, as on a power cut.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_test_home_assistant,
    flush_store,
)


@dataclass
class DiskImage:
    """The disk at one moment."""

    stores: dict[str, Any]
    files: dict[Path, bytes]


@dataclass
class Disk:
    """What one Home Assistant leaves to the next: its `Store` files and its own files."""

    stores: dict[str, Any]
    config_dir: Path
    # What each hard stop lost: the Store keys whose last change was not written.
    unwritten: list[set[str]] = field(default_factory=list)

    def image(self) -> DiskImage:
        """Everything written so far (the command log is fsynced as it is written)."""
        storage = self.config_dir / ".storage"
        files = {path: path.read_bytes() for path in storage.rglob("*") if path.is_file()}
        return DiskImage(copy.deepcopy(self.stores), files)

    def restore(self, image: DiskImage) -> None:
        """Put the disk back as it was in `image`: nothing written after it survives."""
        self.stores.clear()
        self.stores.update(copy.deepcopy(image.stores))
        storage = self.config_dir / ".storage"
        for path in [path for path in storage.rglob("*") if path.is_file()]:
            if path not in image.files:
                path.unlink()
        for path, content in image.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


@asynccontextmanager
async def home_assistant(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """A running Home Assistant on `config_dir`, with custom integrations.

    On exit it is stopped (unless it was), and then ends as its process would: its timers
    and tasks still waiting are cancelled (a stopped Home Assistant keeps its entries
    loaded; their timers never fire once the process is gone). Errors in its callbacks fail
    the test, as with the `hass` fixture.
    """
    errors: list[BaseException] = []
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    slow_callback = loop.slow_callback_duration
    timers_before = set(get_scheduled_timer_handles(loop))
    tasks_before = asyncio.all_tasks(loop)

    def record_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        errors.append(context.get("exception") or Exception(context["message"]))
        loop.default_exception_handler(context)

    async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
        loop.set_exception_handler(record_error)
        # Time travel makes every callback look slow to asyncio's debug mode.
        loop.slow_callback_duration = 1e9
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        assert await async_setup_component(hass, "homeassistant", {})
        # A webhook URL on loopback where nothing listens (the discard port).
        await hass.config.async_update(internal_url="http://127.0.0.1:9")
        try:
            yield hass
        finally:
            if hass.is_running:
                await hass.async_stop(force=True)
            for handle in set(get_scheduled_timer_handles(loop)) - timers_before:
                handle.cancel()
            if tasks := asyncio.all_tasks(loop) - tasks_before:
                for task in tasks:
                    task.cancel()
                await asyncio.wait(tasks)
            loop.set_exception_handler(previous_handler)
            loop.slow_callback_duration = slow_callback
    if errors:
        raise errors[0]


async def stop(hass: HomeAssistant, disk: Disk, *, hard: bool) -> None:
    """Stop Home Assistant: cleanly (final writes run), or hard (a kill: they never happen).

    A hard stop keeps the disk as it is at this moment; whatever the stopping instance
    writes afterwards is thrown away. What was still waiting to be written is recorded in
    `disk.unwritten`.
    """
    if not hard:
        await hass.async_stop()
        return
    kill = disk.image()
    await hass.async_stop(force=True)
    disk.unwritten.append(
        {key for key, value in disk.stores.items() if kill.stores.get(key) != value}
    )
    disk.restore(kill)


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let `seconds` pass, in steps of at most a minute, running every timer due on the way.

    Steps, so that a timer armed by another one's callback (a retry, the next job's
    deadline) also runs when it falls within the time that passes.
    """
    left = seconds
    while left > 0:
        step = min(left, 60.0)
        freezer.tick(timedelta(seconds=step))
        await write_due_stores(hass, step)
        async_fire_time_changed(hass, dt_util.utcnow())
        await hass.async_block_till_done()
        left -= step


async def write_due_stores(hass: HomeAssistant, seconds: float) -> None:
    """Run the `Store` delayed writes due within `seconds`, as time passing would.

    A delayed write waits on the loop's own clock, which time travel does not move, so a
    drill that moves the clock by a minute would otherwise find its stores unwritten, or
    written, depending on how busy the machine is. The writes that the callbacks run after
    this arm are left waiting: they are due later.
    """
    now = hass.loop.time()
    for handle in get_scheduled_timer_handles(hass.loop):
        # The loop calls the delayed write back on the Store itself.
        store = getattr(handle._callback, "__self__", None)
        if not isinstance(store, Store) or handle.cancelled():
            continue
        due = max(handle.when(), store._next_write_time)
        if due - now <= seconds:
            await flush_store(store)


async def while_timers_run[T](hass: HomeAssistant, call: Coroutine[Any, Any, T]) -> T:
    """Await a call whose own short timers (a client's back-off) must run in frozen time.

    Each turn runs the loop's timers due within a second, without moving the clock. It
    gives up after a minute of real time, not a number of loop turns: on a busy machine the
    executor's file reads take many turns.
    """
    task = hass.async_create_task(call)
    for _ in range(6000):  # at least a minute of real time (10 ms a turn)
        if task.done():
            return task.result()
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
        await asyncio.sleep(0)
        # A real pause in a worker thread (the frozen clock does not move it).
        await hass.async_add_executor_job(time.sleep, 0.01)
    task.cancel()
    raise AssertionError("the call did not end within a minute")
