"""The demo as a person sees it: Home Assistant's own frontend in Chromium, on `scripts/demo`.

Each test does what the README tells a person to do, through the pages and dialogs a person
uses, and checks what the page then shows and, where something is switched, what the
simulated SwitchBot account received:

1. logging in as the demo user (a wrong password first: the form must refuse it);
2. the RoomSense integration page (Settings > Devices & services) and one of its device pages;
3. switching the living room light from its device page (off and on again);
4. Assist: 「リビングの電気を消して」 to the Japanese assistant (the dialog's screenshot is kept
   as assist_ja.png), and "what's the humidity?" to the English one, picked in its menu;
5. 「玄関の鍵を開けて」: nothing unlocks before the 「はい」 that the reply asks for, then the lock
   is unlocked in Home Assistant and in the simulator;
6. RoomSense's dashboard from the sidebar: the living room's view, then the operations view
   of Home Assistant's own cards, titled in the server's language (its screenshot is kept as
   dashboard_operations.png);
7. every step of RoomSense's options (the cog on its entry) in English: each shows its title
   and its fields' labels from translations/en.json, and no "Translation error";
8. the same in Japanese, after picking 日本語 in the user's profile.

Texts RoomSense shows (option titles and labels) are read from its translation files, so the
tests follow their wording; the replies of Assist are the ones the README documents.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import (
    REPO,
    TRANSLATION_PROBLEM,
    BrowserPage,
    Demo,
    artifacts_dir,
    deep_text,
    log_in,
    wait_for_frontend,
)

pytestmark = pytest.mark.timeout(300)

TRANSLATIONS = REPO / "custom_components" / "roomsense" / "translations"

CEILING_LIGHT = "94A99021C3F4"
CEILING_LIGHT_NAME = "リビングのシーリングライト"
LOCK = "F8C9A1B2E3D4"
LOCK_NAME = "玄関の鍵"
DEMO_USER = "Demo"
# The operations view's title under a Japanese server (translations/ja.json).
OPERATIONS_TITLE = "運用状況"

# Words of Home Assistant's own frontend (2026.10) that the tests click, per UI language.
FRONTEND = {
    "en": {"configure": "Configure", "submit": "Submit", "close": "Close"},
    "ja": {"configure": "設定", "submit": "送信", "close": "閉じる"},
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


def options_translations(language: str) -> dict[str, Any]:
    strings: dict[str, Any] = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )["options"]["step"]
    return strings


def fragments(text: str, **placeholders: str) -> list[str]:
    """The parts of a translated string that must be shown, its placeholders filled in."""
    for name, value in placeholders.items():
        text = text.replace(f"{{{name}}}", value)
    return [part.strip() for part in re.split(r"\{[^}]*\}", text) if part.strip()]


def wait_for_texts(page: Page, locator: Locator, texts: list[str], what: str) -> str:
    """Wait until every text shows inside the element; what it shows then."""
    deadline = time.monotonic() + 20
    while True:
        shown = deep_text(locator)
        missing = [text for text in texts if text not in shown]
        if not missing:
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not shown: {missing}\nThe dialog shows:\n{shown}")
        page.wait_for_timeout(200)


def open_integration_page(ui: BrowserPage, demo: Demo) -> Page:
    page = ui.page
    page.goto(f"{demo.url}/config/integrations/integration/roomsense")
    wait_for_frontend(page)
    return page


def open_device_page(ui: BrowserPage, demo: Demo, name: str) -> Page:
    """From the integration page, click the device's row (not a discovery of the same name)."""
    page = open_integration_page(ui, demo)
    row = page.locator("ha-config-entry-device-row").filter(has=page.get_by_text(name, exact=True))
    row.get_by_text(name, exact=True).click()
    page.wait_for_url("**/config/devices/device/**")
    return page


def controls(page: Page) -> Locator:
    """The device page's "Controls" card."""
    return page.locator("ha-card").filter(has_text="Controls")


def entity_state(page: Page, friendly_name: str, domain: str) -> dict[str, Any]:
    """An entity's state as the frontend holds it, found by the name the user sees."""
    state: dict[str, Any] | None = page.evaluate(
        """([name, domain]) => Object.values(document.querySelector('home-assistant').hass.states)
             .find((s) => s.entity_id.startsWith(domain + '.')
                          && s.attributes.friendly_name === name) || null""",
        [friendly_name, domain],
    )
    assert state is not None, f"no {domain} entity named {friendly_name!r} in the frontend"
    return state


def server_state(page: Page, friendly_name: str, domain: str) -> dict[str, Any]:
    """An entity's state as Home Assistant has it now, asked through the page's connection.

    The open page's own copy can miss a change: Home Assistant's frontend (2026.10) throws in
    its Assist chat's unsubscribe when a fast answer ends a run in the same websocket frame
    (ha-assist-chat.ts "Cannot access 'i' before initialization"), and the events after it
    in that frame, a state change among them, are dropped. A page loaded afterwards is right.
    """
    state: dict[str, Any] | None = page.evaluate(
        """async ([name, domain]) => (await document.querySelector('home-assistant').hass
             .callWS({type: 'get_states'}))
             .find((s) => s.entity_id.startsWith(domain + '.')
                          && s.attributes.friendly_name === name) || null""",
        [friendly_name, domain],
    )
    assert state is not None, f"no {domain} entity named {friendly_name!r} in Home Assistant"
    return state


# -- Assist ---------------------------------------------------------------------------------


def open_assist(ui: BrowserPage, demo: Demo) -> tuple[Locator, Locator]:
    """The overview's chat icon: the Assist dialog and its chat."""
    page = ui.page
    page.goto(demo.url)
    wait_for_frontend(page)
    page.get_by_role("button", name=re.compile(r"^Assist\b")).click()
    dialog = page.locator("ha-voice-command-dialog")
    chat = dialog.locator("ha-assist-chat")
    expect(chat.get_by_role("textbox")).to_be_visible()
    return dialog, chat


def ask(chat: Locator, request: str, reply: str | re.Pattern[str]) -> str:
    """Type a request and send it; wait for the reply below it and return its text."""
    box = chat.get_by_role("textbox")
    box.fill(request)
    box.press("Enter")
    messages = chat.locator(".message")
    # The request shows as the user's message, then the answer comes below it.
    expect(chat.locator(".message.user").last).to_have_text(request)
    expect(messages.last).to_have_class(re.compile(r"\bhass\b"))
    answer = messages.last.locator("ha-markdown-element")
    expect(answer).to_have_text(reply)
    return answer.inner_text()


# -- 1. login -------------------------------------------------------------------------------


def test_log_in_as_the_demo_user(logged_out: BrowserPage, demo: Demo) -> None:
    page = logged_out.page
    log_in(page, demo, password="not-the-password")
    expect(page.get_by_text("Invalid username or password")).to_be_visible()
    assert "/auth/authorize" in page.url

    page.get_by_role("textbox", name="Password").fill("roomsense-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/" not in url)
    wait_for_frontend(page)
    assert page.evaluate("document.querySelector('home-assistant').hass.user.name") == DEMO_USER
    # The sidebar names the user, and the default dashboard greets them.
    expect(page.locator("ha-sidebar").get_by_text(DEMO_USER, exact=True)).to_be_visible()
    expect(page.get_by_text(f"Welcome {DEMO_USER}")).to_be_visible()


# -- 2. pages -------------------------------------------------------------------------------


def test_integration_page_and_a_device_page(ui: BrowserPage, demo: Demo) -> None:
    # Settings > Devices & services > RoomSense, as a person gets there.
    page = ui.page
    page.goto(demo.url)
    wait_for_frontend(page)
    page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
    page.get_by_text("Devices & services", exact=True).first.click()
    page.wait_for_url("**/config/integrations/dashboard")
    page.locator("ha-integration-card").filter(has_text="RoomSense").first.click()
    page.wait_for_url("**/config/integrations/integration/roomsense")
    expect(page.get_by_text("RoomSense", exact=True).first).to_be_visible()
    expect(page.get_by_text("Custom integration")).to_be_visible()
    # The demo's account entry, with the devices of the demo home under it.
    expect(page.locator("ha-config-entry-row").first).to_contain_text("RoomSense")
    devices = page.locator("ha-config-entry-device-row")
    expect(devices.filter(has=page.get_by_text(CEILING_LIGHT_NAME, exact=True))).to_have_count(1)
    expect(devices.filter(has=page.get_by_text(LOCK_NAME, exact=True))).to_have_count(1)
    assert devices.count() >= 18, f"only {devices.count()} devices listed"

    page = open_device_page(ui, demo, CEILING_LIGHT_NAME)
    expect(page.locator("hass-subpage").get_by_text(CEILING_LIGHT_NAME).first).to_be_visible()
    info = page.locator("ha-card").filter(has_text="Device info")
    expect(info).to_contain_text("Ceiling Light")
    # ...and links to the integration that made it.
    # (Not the sidebar's link of the same name: that is RoomSense's dashboard.)
    link = page.locator("ha-config-device-page").get_by_role("link", name=re.compile("RoomSense"))
    expect(link.first).to_have_attribute("href", re.compile("/integration/roomsense"))
    expect(controls(page).get_by_role("switch")).to_have_count(1)
    # Its room: the living room's area, linked from the page.
    area = page.get_by_role("link", name=re.compile(r"(^|\s)リビング$"))
    expect(area).to_have_attribute("href", re.compile(r"^/config/areas/area/"))


# -- 3. a light -----------------------------------------------------------------------------


def test_switch_the_living_room_light_from_its_device_page(ui: BrowserPage, demo: Demo) -> None:
    page = open_device_page(ui, demo, CEILING_LIGHT_NAME)
    switch = controls(page).get_by_role("switch")
    expect(switch).to_have_count(1)
    expect(switch).to_be_enabled()
    for _ in range(2):  # off and on again, or on and off again
        was_on = switch.is_checked()
        assert was_on == (demo.status(CEILING_LIGHT)["power"] == "on")
        before = len(demo.commands(CEILING_LIGHT))
        # The switch's input sits under the drawn toggle: click what a person sees.
        controls(page).locator("ha-switch").click()
        expect(switch).to_be_checked(checked=not was_on)
        sent = demo.wait_for_commands(CEILING_LIGHT, before)
        assert [command["command"] for command in sent] == ["turnOff" if was_on else "turnOn"]
        assert demo.status(CEILING_LIGHT)["power"] == ("off" if was_on else "on")
        # It stays where it was switched: the state Home Assistant reports agrees.
        expect(switch).to_be_checked(checked=not was_on)


# -- 4. Assist ------------------------------------------------------------------------------


def test_assist_answers_in_japanese_and_in_english(ui: BrowserPage, demo: Demo) -> None:
    dialog, chat = open_assist(ui, demo)
    # The preferred assistant is RoomSense's Japanese one.
    picker = dialog.get_by_role("button", name="RoomSense (日本語)")
    expect(picker).to_be_visible()

    ask(chat, "リビングの電気を消して", "リビングのシーリングライトを消します。")
    ui.page.screenshot(path=str(artifacts_dir() / "assist_ja.png"))
    deadline = time.monotonic() + 20
    while demo.status(CEILING_LIGHT)["power"] != "off" and time.monotonic() < deadline:
        ui.page.wait_for_timeout(200)
    assert demo.status(CEILING_LIGHT)["power"] == "off"

    picker.click()
    ui.page.get_by_role("menuitem", name="RoomSense (English)").click()
    expect(dialog.get_by_role("button", name="RoomSense (English)")).to_be_visible()
    reply = ask(chat, "what's the humidity?", re.compile(r"humidity.*\d+\s*%", re.IGNORECASE))
    assert reply.isascii(), reply


# -- 5. a confirmed unlock ------------------------------------------------------------------


def test_unlock_waits_for_yes(ui: BrowserPage, demo: Demo) -> None:
    _, chat = open_assist(ui, demo)
    page = ui.page
    assert entity_state(page, LOCK_NAME, "lock")["state"] == "locked"
    before = len(demo.commands(LOCK))

    ask(chat, "玄関の鍵を開けて", re.compile(r"「はい」"))
    page.wait_for_timeout(1000)  # time for a wrongly sent command to arrive
    assert demo.commands(LOCK)[before:] == []
    assert entity_state(page, LOCK_NAME, "lock")["state"] == "locked"

    ask(chat, "はい", re.compile(r"開けました"))
    sent = demo.wait_for_commands(LOCK, before)
    assert [command["command"] for command in sent] == ["unlock"]
    assert demo.status(LOCK)["lockState"].startswith("unlock")
    # Home Assistant shows it unlocked (RoomSense learns it from the simulator's push).
    deadline = time.monotonic() + 30
    while (state := server_state(page, LOCK_NAME, "lock"))["state"] != "unlocked":
        if time.monotonic() > deadline:
            pushes = [
                {key: delivery.get(key) for key in ("time", "http_status", "error")}
                for delivery in demo.sim("webhooks")["deliveries"]
                if delivery["payload"].get("context", {}).get("deviceMac") == LOCK
            ]
            pytest.fail(
                f"the lock entity is still {state['state']!r} 30 s after the unlock the "
                f"simulator received; its state: {state}; the simulator's pushes for the "
                f"lock: {pushes}"
            )
        page.wait_for_timeout(200)

    # The lock's device page, loaded now, offers to lock it again: it is unlocked.
    page = open_device_page(ui, demo, LOCK_NAME)
    expect(controls(page).get_by_role("button", name="Lock", exact=True)).to_be_visible()


# -- 6. the dashboard -----------------------------------------------------------------------


def test_the_roomsense_dashboard_and_its_operations_view(ui: BrowserPage, demo: Demo) -> None:
    # The dashboard the demo asked RoomSense for, in the sidebar; its titles are in the
    # server's language (Japanese), whatever the browser's.
    page = ui.page
    page.goto(demo.url)
    wait_for_frontend(page)
    page.locator("ha-sidebar").get_by_text("RoomSense", exact=True).click()
    page.wait_for_url("**/roomsense-home/**")
    view = page.locator("hui-view")
    # A view per room: the living room's holds its ceiling light, switchable from there.
    page.get_by_role("tab", name="リビング").click()
    expect(view.get_by_text(CEILING_LIGHT_NAME).first).to_be_visible()

    page.get_by_role("tab", name=OPERATIONS_TITLE).click()
    page.wait_for_url("**/roomsense-home/operations")
    # Home Assistant's own cards over RoomSense's operations sensors, titled in Japanese.
    expect(view.locator("hui-gauge-card")).to_have_count(2)
    expect(view.locator("hui-statistics-graph-card")).to_have_count(3)
    expect(view.locator("hui-history-graph-card")).to_have_count(2)
    for title in ("現在", "1日のコマンド数", "1日の電力量（推定）", "クラウド API 呼び出し"):
        expect(view.get_by_role("heading", name=title, exact=True)).to_be_visible()
    # The cloud calls the demo has made so far, as the sensor and the "now" card show them.
    calls = page.evaluate(
        """() => Object.values(document.querySelector('home-assistant').hass.states)
             .find((s) => s.entity_id.endsWith('_api_calls_today')) || null"""
    )
    assert calls is not None
    assert int(calls["state"]) > 0, calls
    now = view.locator("hui-entities-card").filter(has_text="現在")
    expect(now).to_contain_text(calls["attributes"]["friendly_name"].removeprefix("RoomSense "))
    assert ui.translation_errors == []
    page.wait_for_timeout(1500)  # the charts draw
    page.screenshot(path=str(artifacts_dir() / "dashboard_operations.png"), full_page=True)


# -- 7. and 8. the options ------------------------------------------------------------------


def check_every_options_step(
    ui: BrowserPage, demo: Demo, language: str, absent: list[str] | None = None
) -> None:
    """Open each step of the options menu, as a person does from the entry's cog."""
    steps = options_translations(language)
    words = FRONTEND[language]
    page = open_integration_page(ui, demo)
    menu = steps["init"]["menu_options"]
    dialog = page.locator("dialog-data-entry-flow")
    open_dialogs = page.locator("dialog-data-entry-flow wa-dialog")
    for step_id, label in menu.items():
        entry = page.locator("ha-config-entry-row").first
        entry.get_by_role("button", name=words["configure"], exact=True).click()
        shown = wait_for_texts(
            page,
            dialog,
            [*fragments(steps["init"]["title"]), *menu.values()],
            f"the options menu ({language})",
        )
        assert not [text for text in absent or [] if text in shown], shown
        dialog.get_by_text(label, exact=True).click()
        shown_steps = [step_id]
        if step_id == "permissions":
            shown_steps.append("permissions_user")
        for index, shown_step in enumerate(shown_steps):
            if index:
                dialog.get_by_role("button", name=words["submit"], exact=True).click()
            strings = steps[shown_step]
            expected = fragments(strings["title"], user=DEMO_USER)
            for field_label in strings.get("data", {}).values():
                expected += fragments(field_label)
            shown = wait_for_texts(page, dialog, expected, f"options step {shown_step}")
            assert not TRANSLATION_PROBLEM.search(shown), f"{shown_step}:\n{shown}"
            expect(dialog.get_by_role("button", name=words["submit"], exact=True)).to_be_visible()
        dialog.get_by_role("button", name=words["close"], exact=True).click()
        expect(open_dialogs).to_have_count(0)
    assert ui.translation_errors == []


def test_every_options_step_in_english(ui: BrowserPage, demo: Demo) -> None:
    check_every_options_step(ui, demo, "en")


def test_roomsense_in_japanese_after_picking_it_in_the_profile(ui: BrowserPage, demo: Demo) -> None:
    page = ui.page
    page.goto(f"{demo.url}/profile/localization")
    wait_for_frontend(page)
    saved = page.evaluate(
        "document.querySelector('home-assistant').hass.callWS("
        "{type: 'frontend/get_user_data', key: 'language'})"
    )["value"]
    try:
        row = page.locator("ha-pick-language-row")
        expect(row.get_by_text("Language", exact=True).first).to_be_visible()
        row.locator("ha-picker-field").click()
        row.locator("ha-input-search input").fill("日本語")
        row.locator("ha-combo-box-item").filter(has_text="日本語").first.click()
        # The whole frontend switches: this very row is now in Japanese.
        expect(row.get_by_text("言語", exact=True).first).to_be_visible()
        assert page.evaluate("document.querySelector('home-assistant').hass.language") == "ja"

        japanese = options_translations("ja")["init"]["menu_options"]
        english = options_translations("en")["init"]["menu_options"]
        # RoomSense's own texts are in Japanese (the menu's first step is
        # 「クラウドとポーリング」), and none of the English ones shows.
        assert all(JAPANESE.search(label) for label in japanese.values()), japanese
        check_every_options_step(ui, demo, "ja", absent=list(english.values()))
    finally:
        # The language is kept per user on the server: give the demo user theirs back.
        page.evaluate(
            "(value) => document.querySelector('home-assistant').hass.callWS("
            "{type: 'frontend/set_user_data', key: 'language', value})",
            saved,
        )
