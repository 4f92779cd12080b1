"""What the gpt-oss prompt costs: its size and how much of it a prompt cache reuses.

Runs the real RoomSense conversation agent in a real Home Assistant core against the
simulator's demo home, with the gpt-oss adapter pointed at a stand-in model server that
records every `/completion` prompt and answers with scripted harmony completions (a tool
call, then the final answer). Two two-turn conversations, Japanese and English.

Prints, for each conversation:

- the o200k token count (gpt-oss's tokenizer, from openai-harmony's own encoding) of the
  first turn's first prompt, split into the harmony system message, the developer message
  (instructions, device list, tools) and the rest (context, user); target <= 1,500;
- whether the instructions and tools are byte-identical across every request;
- tokens re-evaluated by the second turn's first request: its tokens after the longest
  prefix it shares with the previous request's prompt and completion (what llama-server's
  cache holds); target <= 150;
- with `--llama-server` (a real llama-server binary and the `gguf` package): the same
  requests replayed, in order, to that server started with the add-on launcher's flags on
  a generated tiny model with gpt-oss's own o200k tokenizer (tests/addon/tiny_gguf.py),
  its completions forced to the scripted text by a grammar, and the server's own
  `timings` per request: tokens taken from its cache and tokens evaluated.

    scripts/python bench/prompt_economy.py [--llama-server PATH] [--show-prompt]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import (
    SECRET,
    TOKEN,
    free_port,
    home_assistant_with_roomsense,
    quiet_logging,
)
from homeassistant.components import conversation
from homeassistant.core import Context

from custom_components.roomsense.language_models import harmony
from custom_components.roomsense.language_models.const import (
    CONF_LLM_BASE_URL,
    CONF_LLM_MODEL,
    CONF_LLM_PROVIDER,
    PROVIDER_GPT_OSS,
)
from roomsense_simulator import Simulator
from tests.llm.reference_encoding import harmony_encoding

FIRST_TURN_TARGET = 1500
REEVALUATED_TARGET = 150


def tool_call(reasoning: str, name: str, arguments: dict[str, Any]) -> str:
    """A completion (the text after `<|start|>assistant`) that calls one tool."""
    return (
        f"<|channel|>analysis<|message|>{reasoning}<|end|>"
        f"<|start|>assistant to=functions.{name}<|channel|>commentary <|constrain|>json"
        f"<|message|>{json.dumps(arguments, separators=(',', ':'))}<|call|>"
    )


def final(reasoning: str, text: str) -> str:
    """A completion that answers the user."""
    return (
        f"<|channel|>analysis<|message|>{reasoning}<|end|>"
        f"<|start|>assistant<|channel|>final<|message|>{text}<|return|>"
    )


@dataclass
class Conversation:
    """Two user turns and what the model answers to each of the four requests."""

    language: str
    turns: tuple[str, str]
    completions: list[str]


CONVERSATIONS = (
    Conversation(
        "ja",
        ("リビングの電気をつけて", "寝室は今何度？"),
        [
            tool_call(
                "Living room ceiling light is 94A99021C3F4.",
                "send_command",
                {"device_id": "94A99021C3F4", "command": "turnOn"},
            ),
            final("It worked.", "リビングのシーリングライトをつけました。"),
            tool_call(
                "Bedroom thermometer D04E7A2B9C15.",
                "get_status",
                {"device_id": "D04E7A2B9C15"},
            ),
            final("Report it.", "寝室は今の温度を確認しました。"),
        ],
    ),
    Conversation(
        "en",
        ("Turn on the living room light", "And close the bedroom blind"),
        [
            tool_call(
                "Living room ceiling light is 94A99021C3F4.",
                "send_command",
                {"device_id": "94A99021C3F4", "command": "turnOn"},
            ),
            final("Done.", "The living room ceiling light is on."),
            tool_call(
                "Bedroom blind C8B2E4A19F73, closeDown.",
                "send_command",
                {"device_id": "C8B2E4A19F73", "command": "closeDown"},
            ),
            final("Done.", "The bedroom blind is closing."),
        ],
    ),
)


@dataclass
class StandIn:
    """A `/completion` server that records prompts and answers from a script."""

    script: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)

    async def completion(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.prompts.append(body["prompt"])
        text = self.script.pop(0)
        self.answers.append(text)
        # llama-server leaves the stop string out of the text it returns.
        for stop in harmony.STOP_TOKENS:
            text = text.removesuffix(stop)
        chunk = {"content": text, "stop": True, "stop_type": "word"}
        if not body.get("stream"):
            return web.json_response(chunk)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write_eof()
        return response


def tokens(text: str) -> list[int]:
    return harmony_encoding().encode(text, allowed_special="all")


def common_prefix(a: list[int], b: list[int]) -> int:
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared


def stable_part(prompt: str) -> str:
    """The harmony system and developer messages: what must not change between requests."""
    end_of_developer = prompt.index(harmony.END, prompt.index("<|start|>developer"))
    system_start = prompt.index("<|start|>system")
    return prompt[system_start : end_of_developer + len(harmony.END)].split("Current date: ", 1)[0]


async def run_conversation(conv: Conversation) -> StandIn:
    stand_in = StandIn(script=list(conv.completions))
    app = web.Application()
    app.router.add_post("/completion", stand_in.completion)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    options = {
        CONF_LLM_PROVIDER: PROVIDER_GPT_OSS,
        CONF_LLM_BASE_URL: f"http://127.0.0.1:{port}",
        CONF_LLM_MODEL: "gpt-oss-20b",
    }
    try:
        async with (
            Simulator(TOKEN, SECRET, home="demo") as sim,
            home_assistant_with_roomsense(sim, options=options) as (hass, _entry),
        ):
            agent = next(
                state.entity_id
                for state in hass.states.async_all("conversation")
                if state.entity_id != "conversation.home_assistant"
            )
            conversation_id = None
            for text in conv.turns:
                result = await conversation.async_converse(
                    hass, text, conversation_id, Context(), language=conv.language, agent_id=agent
                )
                conversation_id = result.conversation_id
                speech = result.response.speech.get("plain", {}).get("speech")
                print(f"  [{conv.language}] {text!r} -> {speech!r}")
    finally:
        await runner.cleanup()
    return stand_in


def report(conv: Conversation, stand_in: StandIn, show_prompt: bool) -> dict[str, Any]:
    prompts = stand_in.prompts
    first = prompts[0]
    if show_prompt:
        print(first)
    developer_end = first.index(harmony.END, first.index("<|start|>developer")) + len(harmony.END)
    system_end = first.index(harmony.END) + len(harmony.END)
    parts = {
        "system": len(tokens(first[:system_end])),
        "developer": len(tokens(first[system_end:developer_end])),
        "context+user": len(tokens(first[developer_end:])),
    }
    total = len(tokens(first))
    stable = {stable_part(prompt) for prompt in prompts}
    # Turn 2's first request is the third; the cache holds the second prompt and its answer.
    held = tokens(prompts[1] + stand_in.answers[1])
    third = tokens(prompts[2])
    reevaluated = len(third) - common_prefix(held, third)
    print(
        f"  [{conv.language}] first turn: {total} tokens "
        f"(system {parts['system']}, developer {parts['developer']}, "
        f"context+user {parts['context+user']}); target <= {FIRST_TURN_TARGET}: "
        f"{'met' if total <= FIRST_TURN_TARGET else 'NOT met'}"
    )
    print(
        f"  [{conv.language}] instructions and tools byte-identical in all "
        f"{len(prompts)} requests: {'yes' if len(stable) == 1 else 'NO'}"
    )
    print(
        f"  [{conv.language}] second turn: {len(third)} tokens, {reevaluated} re-evaluated "
        f"({100 * (1 - reevaluated / len(third)):.1f} % from cache); target <= "
        f"{REEVALUATED_TARGET}: {'met' if reevaluated <= REEVALUATED_TARGET else 'NOT met'}"
    )
    return {"total": total, "reevaluated": reevaluated, "stable": len(stable) == 1}


# ------------------------------------------------------------------ a real llama-server


def grammar_for(completion: str) -> str:
    """A GBNF grammar that only accepts `completion` (its final stop token left out)."""
    for stop in harmony.STOP_TOKENS:
        completion = completion.removesuffix(stop)
    parts: list[str] = []
    for piece in re.split(r"(<\|[a-z_]+\|>)", completion):
        if piece.startswith("<|") and piece.endswith("|>"):
            parts.append(piece)
        elif piece:
            parts.append(json.dumps(piece, ensure_ascii=False))
    return "root ::= " + " ".join(parts)


def replay_on_llama_server(binary: str, stand_ins: list[tuple[Conversation, StandIn]]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "addon"))
    from launcher_module import load_launcher  # type: ignore[import-not-found]
    from tiny_gguf import write_tiny_model  # type: ignore[import-not-found]

    launcher = load_launcher()
    with tempfile.TemporaryDirectory(prefix="roomsense-prompt-") as folder:
        model = write_tiny_model(Path(folder) / "tiny.gguf", tokenizer="o200k")
        port = free_port()
        options = launcher.parse_options({"port": port})
        command = launcher.build_server_command(binary, model, options)
        command[command.index("--host") + 1] = "127.0.0.1"
        log = Path(folder) / "server.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"llama-server did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.1)
            print(
                f"llama-server {binary}, tiny model with the o200k tokenizer, "
                f"flags {launcher_flags(command)}"
            )
            for conv, stand_in in stand_ins:
                counted = []
                for prompt, answer in zip(stand_in.prompts, stand_in.answers, strict=True):
                    body = {
                        "prompt": prompt,
                        "grammar": grammar_for(answer),
                        "n_predict": 4 * len(answer.encode()),
                        "cache_prompt": True,
                        "temperature": 0,
                    }
                    request = urllib.request.Request(
                        base + "/completion",
                        data=json.dumps(body).encode(),
                        headers={"Content-Type": "application/json"},
                    )
                    with urllib.request.urlopen(request, timeout=120) as answer_io:
                        timings = json.load(answer_io)["timings"]
                    counted.append((timings.get("cache_n", 0), timings["prompt_n"]))
                print(
                    f"  [{conv.language}] per request (from cache, evaluated): {counted}; "
                    f"first turn {sum(counted[0])} tokens, second turn re-evaluated "
                    f"{counted[2][1]} of {sum(counted[2])}; target <= {REEVALUATED_TARGET}: "
                    f"{'met' if counted[2][1] <= REEVALUATED_TARGET else 'NOT met'}"
                )
        finally:
            process.terminate()
            process.wait(timeout=10)


def launcher_flags(command: list[str]) -> str:
    return " ".join(part for part in command[1:] if part.startswith("-"))


async def main(args: argparse.Namespace) -> None:
    quiet_logging()
    os.environ.setdefault("TZ", "UTC")
    results = []
    for conv in CONVERSATIONS:
        stand_in = await run_conversation(conv)
        results.append((conv, stand_in))
    print("prompt economy, demo home (o200k tokens, openai-harmony's gpt-oss encoding)")
    for conv, stand_in in results:
        report(conv, stand_in, args.show_prompt)
    if args.llama_server:
        replay_on_llama_server(args.llama_server, results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--llama-server", help="a llama-server binary to replay the prompts on")
    parser.add_argument("--show-prompt", action="store_true", help="print the first prompt")
    asyncio.run(main(parser.parse_args()))
