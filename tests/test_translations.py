"""Every translation text works where it is shown: in the frontend and in the core.

The frontend (home-assistant-frontend, `src/common/translations/localize.ts`) renders each
text as an ICU MessageFormat message with formatjs (`new IntlMessageFormat(text, language)`,
tags parsed, no `ignoreTag`):

* `{name}` is an argument; a value missing for it shows "Translation Error: MISSING_VALUE".
* A literal `{` or `}` must be quoted: an apostrophe directly before `{ } < >` starts a quoted
  span that the next lone apostrophe ends (`'{"a": 1}'` shows `{"a": 1}`); `''` is one
  apostrophe. Anything else that starts with `{` is "Translation error: MALFORMED_ARGUMENT".
* `<` directly before a letter or `/` starts an XML-like tag.

The core (Home Assistant 2026.10, `homeassistant/helpers/translation.py`) also reads them:

* `_TranslationCache._validate_placeholders` parses every Japanese text, and the English one
  under the same key, with `string.Formatter().parse`; a text it cannot parse, or whose
  replacement fields differ from English, is logged as an error at every start and dropped
  (the English text is shown instead).
* `async_get_exception_message` fills exception messages with `str.format(**placeholders)`
  (a KeyError is swallowed and the raw text shown; any other error escapes), and
  `Entity._substitute_name_placeholders` does the same with entity names. The frontend shows
  exception messages through formatjs too, so those texts must render the same both ways.

This file checks all of that for every text of both languages, and checks the code against
the texts: each translation key the code uses exists, and each placeholder a text uses is one
the code passes with it.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import translation

from custom_components.roomsense.actions.registry import REFUSALS

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "custom_components" / "roomsense"
TRANSLATIONS = PACKAGE / "translations"
LANGUAGES = ("en", "ja")
DOMAIN = "roomsense"


def flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load(language: str) -> dict[str, str]:
    return flatten(json.loads((TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")))


# --- a strict ICU MessageFormat parser for the subset the texts may use -------------------------


class IcuError(ValueError):
    """The text is not a message of the subset below."""


@dataclass(frozen=True)
class Argument:
    name: str


@dataclass(frozen=True)
class Message:
    parts: tuple[str | Argument, ...]

    @property
    def arguments(self) -> set[str]:
        return {part.name for part in self.parts if isinstance(part, Argument)}

    def render(self, values: Mapping[str, str]) -> str:
        """The text formatjs shows for these values (a missing one is MISSING_VALUE)."""
        rendered = []
        for part in self.parts:
            if isinstance(part, Argument):
                if part.name not in values:
                    raise IcuError(f"MISSING_VALUE: no value for {{{part.name}}}")
                rendered.append(values[part.name])
            else:
                rendered.append(part)
        return "".join(rendered)


# formatjs starts a quoted span at an apostrophe before one of these (and `#` in a plural).
_QUOTABLE = "{}<>"
# A placeholder the core can fill with str.format(**placeholders) too.
_ARGUMENT = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_icu(text: str) -> Message:
    """Parse `text` as formatjs does, but strictly.

    Stricter than formatjs where it would accept something that is a mistake here:
    only simple `{name}` arguments with a Python identifier as name (the core fills the same
    texts with str.format; no plural/select/number, no spaces), no lone `}` (formatjs shows it,
    str.format raises), no quoted span left open to the end of the text (formatjs quietly
    quotes the rest), and no `<` before a letter or `/` (a tag, which formatjs fails to
    format without a value for it).
    """
    parts: list[str | Argument] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        following = text[i + 1] if i + 1 < len(text) else ""
        if char == "'":
            if following == "'":
                literal.append("'")
                i += 2
                continue
            if following and following in _QUOTABLE:
                start = i
                literal.append(following)
                i += 2
                while True:
                    if i >= len(text):
                        raise IcuError(
                            f"quoted span from offset {start} is never closed with an apostrophe"
                        )
                    if text[i] == "'":
                        if text[i + 1 : i + 2] == "'":
                            literal.append("'")
                            i += 2
                            continue
                        i += 1
                        break
                    literal.append(text[i])
                    i += 1
                continue
            literal.append(char)
            i += 1
            continue
        if char == "{":
            match = _ARGUMENT.match(text, i)
            if match is None:
                raise IcuError(f"unbalanced or nested '{{' at offset {i}: quote it as '{{'")
            name = match.group(1)
            if not _NAME.fullmatch(name):
                raise IcuError(
                    f"MALFORMED_ARGUMENT {match.group(0)!r} at offset {i}: an argument is "
                    "{name}; quote literal braces ICU-style ('{...}')"
                )
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Argument(name))
            i = match.end()
            continue
        if char == "}":
            raise IcuError(f"unbalanced '}}' at offset {i}: quote it as '}}'")
        if char == "<" and (following == "/" or (following.isascii() and following.isalpha())):
            raise IcuError(f"'<{following}' at offset {i} starts a tag: quote it as '<'")
        literal.append(char)
        i += 1
    if literal:
        parts.append("".join(literal))
    return Message(tuple(parts))


def arguments(text: str) -> set[str] | None:
    """The placeholders of a text, or None when it is no message (reported on its own)."""
    try:
        return parse_icu(text).arguments
    except IcuError:
        return None


def formatter_fields(text: str) -> set[str]:
    """The replacement fields the core's placeholder validation sees (may raise ValueError)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("plain", "plain"),
        ("the app's options", "the app's options"),
        ("it''s", "it's"),
        ("Add {name} ({address})", "Add N (A)"),
        ("""for example '{"a": ["b"]}'.""", """for example {"a": ["b"]}."""),
        ("'{'name'}' is {name}", "{name} is N"),
        ("""'{"it''s": 1}'""", """{"it's": 1}"""),
        ("a < b > c, <32 digits>", "a < b > c, <32 digits>"),
        ("""'{"<user id>": 1}'""", """{"<user id>": 1}"""),
        ("x '#' y", "x '#' y"),
        ("'}' and '<'b>", "} and <b>"),
        ("a '' b '{' c", "a ' b { c"),
    ],
)
def test_the_parser_renders_as_formatjs(text: str, rendered: str) -> None:
    assert parse_icu(text).render({"name": "N", "address": "A"}) == rendered


def test_a_missing_value_is_an_error() -> None:
    with pytest.raises(IcuError, match="MISSING_VALUE"):
        parse_icu("Add {name}").render({})


@pytest.mark.parametrize(
    "text",
    [
        """for example {"a": 1}""",  # the MALFORMED_ARGUMENT the options form showed
        "{ name }",
        "{count, plural, one {# x} other {# xs}}",
        "{name",
        "a } b",
        "{a{b}}",
        "'{never closed",
        "<user id>",
        "</b>",
    ],
)
def test_the_parser_rejects(text: str) -> None:
    with pytest.raises(IcuError):
        parse_icu(text)


# --- the texts themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_a_message(language: str) -> None:
    problems = []
    for key, text in load(language).items():
        try:
            parse_icu(text)
        except IcuError as err:
            problems.append(f"{language} {key}: {err}")
    assert not problems, "\n".join(problems)


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    english, japanese = load("en"), load("ja")
    assert set(english) == set(japanese), set(english) ^ set(japanese)
    problems = []
    for key, text in english.items():
        if not japanese[key].strip():
            problems.append(f"{key}: empty in Japanese")
            continue
        en_arguments, ja_arguments = arguments(text), arguments(japanese[key])
        if None not in (en_arguments, ja_arguments) and en_arguments != ja_arguments:
            problems.append(f"{key}: placeholders {en_arguments} != {ja_arguments}")
        # What the core's start-up validation compares (quoted braces count there too).
        try:
            en_fields, ja_fields = formatter_fields(text), formatter_fields(japanese[key])
        except ValueError as err:
            problems.append(f"{key}: the core cannot parse it: {err}")
            continue
        if en_fields != ja_fields:
            problems.append(f"{key}: the core sees fields {en_fields} != {ja_fields}")
    assert not problems, "\n".join(problems)


def _formatted_by_the_core(key: str) -> bool:
    """Texts the core fills with str.format (and the frontend with formatjs)."""
    return (key.startswith("exceptions.") and key.endswith(".message")) or (
        key.startswith("entity.") and key.endswith(".name")
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_the_core_formats_render_the_same_in_both(language: str) -> None:
    problems = []
    for key, text in load(language).items():
        if not _formatted_by_the_core(key) or arguments(text) is None:
            continue
        message = parse_icu(text)
        values = {name: f"<{name}>" for name in message.arguments}
        try:
            by_core = text.format(**values)
        except (KeyError, IndexError, ValueError) as err:
            problems.append(f"{language} {key}: str.format fails: {err!r}")
            continue
        if by_core != message.render(values):
            problems.append(f"{language} {key}: {by_core!r} != {message.render(values)!r}")
    assert not problems, "\n".join(problems)


# Categories the frontend renders without any values: an argument there is MISSING_VALUE.
_WITHOUT_VALUES = re.compile(
    r"^(services\.|selector\.|title$|entity\.[^.]+\.[^.]+\.(state|state_attributes)\.)"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_shown_without_values_have_no_placeholders(language: str) -> None:
    problems = [
        f"{language} {key}: {sorted(arguments(text) or ())}"
        for key, text in load(language).items()
        if _WITHOUT_VALUES.match(key) and arguments(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("language", "key", "rendered"),
    [
        (
            "en",
            "bluetooth_keys",
            "Keys for driving encrypted devices over Bluetooth, for example "
            '{"F8C9A1B2E3D4": {"key_id": "a1", "encryption_key": "<32 hexadecimal digits>"}} '
            "(the device id is its Bluetooth address without colons). Without a key such a "
            "device is still read over Bluetooth but driven through the cloud.",
        ),
        (
            "ja",
            "bluetooth_keys",
            "暗号化されたデバイスを Bluetooth で操作するためのキー。例: "
            '{"F8C9A1B2E3D4": {"key_id": "a1", "encryption_key": "<16進数32桁>"}}'
            "（デバイス ID はコロンを除いた Bluetooth アドレス）。"
            "キーがなくても状態は Bluetooth で読み取りますが、操作はクラウド経由になります。",
        ),
    ],
)
def test_the_option_examples_render_readably(language: str, key: str, rendered: str) -> None:
    """The JSON example of the Bluetooth keys option shows as JSON (its step passes these)."""
    text = load(language)[f"options.step.bluetooth.data_description.{key}"]
    assert parse_icu(text).render({"problem": ""}) == rendered


async def test_the_core_loads_every_text_without_complaint(
    hass: HomeAssistant, enable_custom_integrations: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Home Assistant's own loader: no error at start, and no Japanese text dropped."""
    caplog.set_level(logging.DEBUG)
    categories = sorted({key.split(".", 1)[0] for key in load("en")})
    for language in LANGUAGES:
        expected = load(language)
        for category in categories:
            loaded = await translation.async_get_translations(hass, language, category, [DOMAIN])
            prefix = f"component.{DOMAIN}.{category}."
            ours = {
                key: text
                for key, text in expected.items()
                if key.startswith(f"{category}.") or key == category
            }
            for key, text in ours.items():
                assert loaded.get(f"component.{DOMAIN}.{key}") == text, (language, key)
            assert len([key for key in loaded if key.startswith(prefix)]) == len(ours)
    complaints = [
        f"{record.name} {record.levelname}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.WARNING
        # The loader's notice for every custom integration, not about its texts.
        and "which has not been tested by Home Assistant" not in record.getMessage()
    ]
    assert not complaints, "\n".join(complaints)


# --- the code against the texts -----------------------------------------------------------------

# Where the code computes a key or placeholders in a way this scan cannot follow, the site
# ("path::function") is listed here with why it is right; a listed site the scan can follow,
# or that is gone, fails the test, so the list stays true. The scan follows literals, local
# assignments (the last one before the call for placeholders), module constants, and the
# returns of module functions and of methods of the same class; none needs listing today.
DYNAMIC_SITES: dict[str, str] = {
    # The refusal passes on the key and placeholders its creators give; those sites
    # (refusal_of, the handlers) name them literally and are checked.
    "custom_components/roomsense/actions/registry.py::__init__": "ActionRefusedError",
    # Its keys and placeholders are the rows of REFUSALS, which _uses reads.
    "custom_components/roomsense/actions/registry.py::refusal_of": "REFUSALS",
}

# The repairs flows and the issue whose fix_flow texts each shows (repairs.async_create_fix_flow).
REPAIR_FLOW_ISSUES = {"ReplaceWebhookFlow": "webhook_in_use"}

# Home Assistant's defaults for the abort helpers of a config flow.
_ABORT_HELPERS = {
    "async_abort": ("reason", None),
    "_abort_if_unique_id_configured": ("error", "already_configured"),
    "_abort_if_unique_id_mismatch": ("reason", "unique_id_mismatch"),
}


@dataclass
class Use:
    """Translation texts the code shows with some placeholders."""

    where: str
    section: str  # "exceptions", "config", "options", "issues", "entity", "selector"
    kind: str  # "exception", "form", "menu", "abort", "error", "flow_title", "issue", ...
    keys: set[str]  # regular expressions, each for one translation key (a step id, a reason)
    placeholders: frozenset[str] | None  # None: not known to this scan
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def site(self) -> str:
        """The file and function, which stay put while lines move."""
        return f"{self.where.rsplit(':', 1)[0]}::{self.extra.get('function', '<module>')}"


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class Module:
    """One source file, with just enough name resolution for translation keys."""

    def __init__(self, path: Path, constants: Mapping[str, str]) -> None:
        self.path = path
        self.relative = path.relative_to(ROOT).as_posix()
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.constants = constants
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {
            node.name: node
            for node in self.tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    def where(self, node: ast.AST) -> str:
        return f"{self.relative}:{getattr(node, 'lineno', 0)}"

    def enclosing(self, node: ast.AST, kind: type | tuple[type, ...]) -> Any:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kind):
            current = self.parents.get(current)
        return current

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        found: ast.FunctionDef | ast.AsyncFunctionDef | None = self.enclosing(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)
        )
        return found

    def class_of(self, node: ast.AST) -> ast.ClassDef | None:
        found: ast.ClassDef | None = self.enclosing(node, ast.ClassDef)
        return found

    def callee(
        self, call: ast.Call, context: ast.AST
    ) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function of this module, or method of the enclosing class, that is called."""
        func = call.func
        if isinstance(func, ast.Name):
            return self.functions.get(func.id)
        klass = self.class_of(context)
        if (
            klass is None
            or not isinstance(func, ast.Attribute)
            or not isinstance(func.value, ast.Name)
            or func.value.id not in {"self", "cls"}
        ):
            return None
        return next(
            (
                node
                for node in klass.body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name == func.attr
            ),
            None,
        )

    @staticmethod
    def own_nodes(function: ast.AST) -> Iterator[ast.AST]:
        """The nodes of `function` itself, not of a function or class nested in it."""
        pending = list(ast.iter_child_nodes(function))
        while pending:
            node = pending.pop()
            yield node
            if not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                pending.extend(ast.iter_child_nodes(node))

    @staticmethod
    def returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
        return [
            node.value
            for node in Module.own_nodes(function)
            if isinstance(node, ast.Return) and node.value is not None
        ]

    @staticmethod
    def assignments(function: ast.AST, name: str) -> list[tuple[int, ast.expr]]:
        """(line, value) of each assignment to the local `name`, in source order."""
        found: list[tuple[int, ast.expr]] = []
        for node in Module.own_nodes(function):
            if isinstance(node, ast.Assign):
                targets: list[ast.expr] = node.targets
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
                targets = [node.target]
            else:
                continue
            if node.value is not None and any(
                isinstance(target, ast.Name) and target.id == name for target in targets
            ):
                found.append((node.lineno, node.value))
        return sorted(found, key=lambda item: item[0])

    @staticmethod
    def item_stores(function: ast.AST, name: str) -> list[tuple[int, ast.expr, ast.expr]]:
        """(line, key, value) of each `name[key] = value` in the function."""
        return [
            (node.lineno, target.slice, node.value)
            for node in Module.own_nodes(function)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == name
        ]

    # Possible string values (as regular expressions); None when not known.
    def strings(self, node: ast.expr, context: ast.AST, depth: int = 0) -> set[str] | None:
        if depth > 8:
            return None
        if isinstance(node, ast.Constant):
            if node.value is None:
                return set()
            return {re.escape(node.value)} if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            pattern = ""
            for value in node.values:
                if isinstance(value, ast.Constant):
                    pattern += re.escape(str(value.value))
                else:
                    pattern += ".+"
            return {pattern}
        if isinstance(node, ast.IfExp | ast.BoolOp):
            branches = [node.body, node.orelse] if isinstance(node, ast.IfExp) else node.values
            found: set[str] = set()
            for branch in branches:
                values = self.strings(branch, context, depth + 1)
                if values is None:
                    return None
                found |= values
            return found
        if isinstance(node, ast.Await):
            return self.strings(node.value, context, depth + 1)
        if isinstance(node, ast.Name):
            function = self.function_of(context)
            if function is not None and (assigned := self.assignments(function, node.id)):
                found = set()
                for _, value in assigned:
                    values = self.strings(value, value, depth + 1)
                    if values is None:
                        return None
                    found |= values
                return found
            if node.id in self.constants:
                return {re.escape(self.constants[node.id])}
            return None
        if isinstance(node, ast.Attribute) and node.attr in self.constants:
            return {re.escape(self.constants[node.attr])}
        if isinstance(node, ast.Call) and (function := self.callee(node, context)):
            found = set()
            for value in self.returns(function):
                values = self.strings(value, value, depth + 1)
                if values is None:
                    return None
                found |= values
            return found
        return None

    # The keys a dict surely has at `context`; None when not known.
    def keys(self, node: ast.expr, context: ast.AST, depth: int = 0) -> frozenset[str] | None:
        if depth > 8:
            return None
        if isinstance(node, ast.Constant) and node.value is None:
            return frozenset()
        if isinstance(node, ast.Dict):
            found: set[str] = set()
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    spread = self.keys(value, context, depth + 1)
                    if spread is None:
                        return None
                    found |= spread
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    found.add(key.value)
                else:
                    return None
            return frozenset(found)
        if isinstance(node, ast.Call) and _name_of(node.func) == "dict" and not node.args:
            if any(keyword.arg is None for keyword in node.keywords):
                return None
            return frozenset(str(keyword.arg) for keyword in node.keywords)
        if isinstance(node, ast.Name):
            function = self.function_of(context)
            line = getattr(context, "lineno", 0)
            if function is None:
                return None
            before = [item for item in self.assignments(function, node.id) if item[0] < line]
            if not before:
                return None
            assigned_at, value = before[-1]
            found_keys = self.keys(value, value, depth + 1)
            if found_keys is None:
                return None
            added = set()
            for stored_at, key, _ in self.item_stores(function, node.id):
                if assigned_at < stored_at < line:
                    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                        return None
                    added.add(key.value)
            return found_keys | added
        if isinstance(node, ast.Call) and (function := self.callee(node, context)):
            results = [self.keys(value, value, depth + 1) for value in self.returns(function)]
            if not results or any(result is None for result in results):
                return None
            return frozenset.intersection(*[result for result in results if result is not None])
        return None

    # The possible values of a dict of form errors; None when not known.
    def error_values(self, node: ast.expr, context: ast.AST, depth: int = 0) -> set[str] | None:
        if depth > 8:
            return None
        if isinstance(node, ast.Dict):
            found: set[str] = set()
            for value in node.values:
                values = self.strings(value, context)
                if values is None:
                    return None
                found |= values
            return found
        if isinstance(node, ast.Await):
            return self.error_values(node.value, context, depth + 1)
        if isinstance(node, ast.Name) and (function := self.function_of(context)):
            found = set()
            for _, value in self.assignments(function, node.id):
                values = self.error_values(value, value, depth + 1)
                if values is None:
                    return None
                found |= values
            for _, _, value in self.item_stores(function, node.id):
                values = self.strings(value, value)
                if values is None:
                    return None
                found |= values
            return found
        if isinstance(node, ast.Call) and (function := self.callee(node, context)):
            found = set()
            for value in self.returns(function):
                values = self.error_values(value, value, depth + 1)
                if values is None:
                    return None
                found |= values
            return found
        return None


def _modules() -> list[Module]:
    paths = sorted(PACKAGE.rglob("*.py"))
    values: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr | None = None
            value: ast.expr | None = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                values.setdefault(target.id, set()).add(value.value)
    # A module-level name with one value across the package (DOMAIN, ISSUE_..., CONF_...).
    constants = {name: next(iter(found)) for name, found in values.items() if len(found) == 1}
    return [Module(path, constants) for path in paths]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _flow_section(module: Module, call: ast.Call) -> str | None:
    klass = module.class_of(call)
    if klass is None:
        return None
    bases = {_name_of(base) for base in klass.bases}
    if "OptionsFlow" in bases or "OptionsFlowWithReload" in bases:
        return "options"
    if "ConfigFlow" in bases:
        return "config"
    if bases & {"RepairsFlow", "ConfirmRepairFlow"}:
        issue = REPAIR_FLOW_ISSUES.get(klass.name)
        return f"issues.{issue}.fix_flow" if issue else f"issues.<unmapped {klass.name}>"
    return None


def _entity_placeholders(module: Module, node: ast.AST) -> frozenset[str] | None:
    """What the entity class of `node` passes as _attr_translation_placeholders."""
    klass = module.class_of(node)
    if klass is None:
        return frozenset()
    assigned = []
    for item in ast.walk(klass):
        if isinstance(item, ast.Assign | ast.AnnAssign) and item.value is not None:
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            if any(_name_of(target) == "_attr_translation_placeholders" for target in targets):
                assigned.append(module.keys(item.value, item))
    if not assigned:
        return frozenset()
    if any(keys is None for keys in assigned):
        return None
    return frozenset.intersection(*[keys for keys in assigned if keys is not None])


def _uses() -> tuple[list[Use], list[str]]:
    """Every place the code shows a translation text, and the sites it cannot follow."""
    uses: list[Use] = []
    unknown: list[str] = []

    current = {"function": "<module>"}

    def record(use: Use) -> None:
        use.extra.setdefault("function", current["function"])
        if not use.keys or use.placeholders is None:
            unknown.append(use.site)
        uses.append(use)

    for module in _modules():
        for node in ast.walk(module.tree):
            function = module.function_of(node)
            current["function"] = function.name if function else "<module>"
            # _attr_translation_key = "...": an entity's name and states.
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(_name_of(target) == "_attr_translation_key" for target in targets):
                    record(
                        Use(
                            module.where(node),
                            "entity",
                            "entity",
                            module.strings(node.value, node) or set(),
                            _entity_placeholders(module, node),
                        )
                    )
            # self.context["title_placeholders"] = {...}: the flow's title in the frontend.
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and _name_of(target.value) == "context"
                        and isinstance(target.slice, ast.Constant)
                        and target.slice.value == "title_placeholders"
                    ):
                        record(
                            Use(
                                module.where(node),
                                "config",
                                "flow_title",
                                {re.escape("flow_title")},
                                module.keys(node.value, node),
                            )
                        )
            if not isinstance(node, ast.Call):
                continue
            name = _name_of(node.func)
            key = _keyword(node, "translation_key")
            placeholders = _keyword(node, "translation_placeholders")
            where = module.where(node)
            if key is not None and _keyword(node, "translation_domain") is not None:
                record(
                    Use(
                        where,
                        "exceptions",
                        "exception",
                        module.strings(key, node) or set(),
                        module.keys(placeholders, node) if placeholders else frozenset(),
                    )
                )
            elif key is not None and name in {"async_create_issue", "create_issue"}:
                record(
                    Use(
                        where,
                        "issues",
                        "issue",
                        module.strings(key, node) or set(),
                        module.keys(placeholders, node) if placeholders else frozenset(),
                    )
                )
            elif key is not None and name is not None and name.endswith("SelectorConfig"):
                # Select options are shown without values.
                record(
                    Use(
                        where,
                        "selector",
                        "selector",
                        module.strings(key, node) or set(),
                        frozenset(),
                    )
                )
            elif key is not None:
                record(
                    Use(
                        where,
                        "entity",
                        "entity",
                        module.strings(key, node) or set(),
                        module.keys(placeholders, node) if placeholders else frozenset(),
                    )
                )
            section = _flow_section(module, node) if name else None
            if section is None:
                continue
            description = _keyword(node, "description_placeholders")
            shown = module.keys(description, node) if description else frozenset()
            if name in {"async_show_form", "async_show_menu"}:
                step = _keyword(node, "step_id")
                kind = "form" if name == "async_show_form" else "menu"
                options = _keyword(node, "menu_options")
                record(
                    Use(
                        where,
                        section,
                        kind,
                        (module.strings(step, node) or set()) if step else set(),
                        shown,
                        {
                            "menu_options": [
                                element.value
                                for element in getattr(options, "elts", [])
                                if isinstance(element, ast.Constant)
                            ]
                        },
                    )
                )
                if (errors := _keyword(node, "errors")) is not None:
                    record(
                        Use(
                            where,
                            section,
                            "error",
                            module.error_values(errors, node) or set(),
                            shown,
                        )
                    )
            elif name in _ABORT_HELPERS:
                argument, default = _ABORT_HELPERS[name]
                reason = _keyword(node, argument)
                reasons = (
                    module.strings(reason, node)
                    if reason is not None
                    else ({re.escape(default)} if default else None)
                )
                record(Use(where, section, "abort", reasons or set(), shown))
            elif name == "async_update_reload_and_abort":
                reason = _keyword(node, "reason")
                reasons = (
                    module.strings(reason, node)
                    if reason is not None
                    else {"reauth_successful", "reconfigure_successful"}
                )
                record(Use(where, section, "abort", reasons or set(), shown))
    # The registry's refusals: a table the scan reads as the data it is.
    uses.extend(
        Use(
            "custom_components/roomsense/actions/registry.py:REFUSALS",
            "exceptions",
            "exception",
            {re.escape(rule.translation_key)},
            frozenset({rule.placeholder}),
        )
        for rule in REFUSALS
    )
    return uses, unknown


def _texts_of(use: Use, english: Mapping[str, str]) -> dict[str, str]:
    """The texts (flattened key: text) that this use shows, for each of its keys."""
    shown: dict[str, str] = {}
    for pattern in use.keys:
        if use.kind == "exception":
            prefix = rf"exceptions\.{pattern}\.message$"
        elif use.kind == "issue":
            prefix = rf"issues\.{pattern}\.[^.]+$"
        elif use.kind == "entity":
            prefix = rf"entity\.[^.]+\.{pattern}\.name$"
        elif use.kind == "selector":
            prefix = rf"selector\.{pattern}\."
        elif use.kind in {"form", "menu"}:
            prefix = rf"{re.escape(use.section)}\.step\.{pattern}\."
        elif use.kind == "error":
            prefix = rf"{re.escape(use.section)}\.error\.{pattern}$"
        elif use.kind == "abort":
            prefix = rf"{re.escape(use.section)}\.abort\.{pattern}$"
        else:  # flow_title
            prefix = rf"{re.escape(use.section)}\.{pattern}$"
        shown |= {key: text for key, text in english.items() if re.match(prefix, key)}
    return shown


def _key_exists(use: Use, pattern: str, english: Mapping[str, str]) -> bool:
    single = Use(use.where, use.section, use.kind, {pattern}, use.placeholders)
    if use.kind == "entity":
        # An entity key may only translate states (a name-less entity).
        return any(re.match(rf"entity\.[^.]+\.{pattern}\.", key) for key in english)
    return bool(_texts_of(single, english))


def test_every_key_the_code_uses_exists() -> None:
    english = load("en")
    uses, _ = _uses()
    missing = [
        f"{use.where}: {use.kind} {pattern!r} has no text in {use.section}"
        for use in uses
        for pattern in use.keys
        if not _key_exists(use, pattern, english)
    ]
    for use in uses:
        if use.kind == "menu":
            missing += [
                f"{use.where}: menu option {option!r} has no text"
                for pattern in use.keys
                for option in use.extra["menu_options"]
                if not any(
                    re.match(rf"{re.escape(use.section)}\.step\.{pattern}\.menu_options\.", key)
                    and key.endswith(f".{option}")
                    for key in english
                )
            ]
    assert not missing, "\n".join(missing)


def test_the_scan_follows_every_site() -> None:
    _, unknown = _uses()
    not_listed = sorted(set(unknown) - set(DYNAMIC_SITES))
    stale = sorted(set(DYNAMIC_SITES) - set(unknown))
    assert not not_listed, f"sites the scan cannot follow; list them in DYNAMIC_SITES: {not_listed}"
    assert not stale, f"DYNAMIC_SITES lists sites the scan follows or that are gone: {stale}"


def test_each_text_uses_only_placeholders_the_code_passes() -> None:
    english, japanese = load("en"), load("ja")
    uses, _ = _uses()
    # Issue placeholders reach its repairs flow too (the frontend merges them in).
    by_issue: dict[str, list[frozenset[str]]] = {}
    for use in uses:
        if use.kind == "issue" and use.placeholders is not None:
            for pattern in use.keys:
                by_issue.setdefault(pattern, []).append(use.placeholders)
    problems = []
    covered: set[str] = set()
    for use in uses:
        if use.placeholders is None:
            continue
        passed = set(use.placeholders)
        if use.section.startswith("issues.") and ".fix_flow" in use.section:
            issue = use.section.split(".")[1]
            sets = by_issue.get(re.escape(issue), [])
            passed |= set(frozenset.intersection(*sets)) if sets else set()
        for key in _texts_of(use, english):
            covered.add(key)
            for language, texts in (("en", english), ("ja", japanese)):
                used = arguments(texts.get(key, ""))
                if used is None:
                    continue
                if use.kind == "menu" and key.endswith(".title") and used:
                    problems.append(
                        f"{use.where}: {language} {key} is a menu title, which the frontend "
                        f"renders without values, yet uses {sorted(used)}"
                    )
                elif not used <= passed:
                    problems.append(
                        f"{use.where}: {language} {key} uses {sorted(used - passed)}, "
                        f"the code passes {sorted(passed)}"
                    )
    # A text with placeholders that no code site shows is never checked: it has to be seen.
    unseen = [
        f"{key} uses {sorted(arguments(text) or ())} but no code that shows it was found"
        for key, text in english.items()
        if arguments(text) and key not in covered
    ]
    assert not problems + unseen, "\n".join(problems + unseen)


def test_menu_titles_have_no_placeholders() -> None:
    """The frontend's renderMenuHeader localizes a menu's title without any values."""
    english, japanese = load("en"), load("ja")
    uses, _ = _uses()
    menus = [use for use in uses if use.kind == "menu"]
    assert menus, "the config flow has a menu (encrypted_choose_method)"
    problems = [
        f"{language} {key}: {sorted(arguments(texts.get(key, '')) or ())}"
        for use in menus
        for key in _texts_of(use, english)
        if key.endswith(".title")
        for language, texts in (("en", english), ("ja", japanese))
        if arguments(texts.get(key, ""))
    ]
    assert not problems, "\n".join(problems)
