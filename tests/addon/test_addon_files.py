"""Static checks of the RoomSense LLM app (Home Assistant add-on) files.

The Supervisor silently drops unknown config.yaml keys, logs and skips an app whose config it
cannot read, and the add-on linter (frenck/action-addon-linter) rejects keys set to their
default value and `watchdog`. None of that shows up in a build, so the rules are checked here
(transcribed from the Supervisor's validate/options modules and the linter, see
/work/shared/reference/addon-notes.md sections 0 and 1).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import shlex
import struct
import zlib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
CONFIG = ADDON / "config.yaml"
DOCKERFILE = ADDON / "Dockerfile"
LAUNCHER_DIR = ADDON / "launcher"
LANGUAGES = ("en", "ja")

# supervisor/apps/const.py RE_SLUG
RE_SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
# supervisor/apps/options.py RE_SCHEMA_ELEMENT
RE_SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"|bool"
    r"|email"
    r"|url"
    r"|port"
    r"|device(?:\((?P<filter>subsystem=[a-z]+)\))?"
    r"|str(?:\((?P<s_min>\d+)?,(?P<s_max>\d+)?\))?"
    r"|password(?:\((?P<p_min>\d+)?,(?P<p_max>\d+)?\))?"
    r"|int(?:\((?P<i_min>-?\d+)?,(?P<i_max>-?\d+)?\))?"
    r"|float(?:\((?P<f_min>-?\d*\.?\d+)?,(?P<f_max>-?\d*\.?\d+)?\))?"
    r"|match\((?P<match>.*)\)"
    r"|list\((?P<list>.+)\)"
    r")\??$"
)
RE_DOWNLOAD = re.compile(r"\.gguf|huggingface|hf\.co|\bwget\b|\bcurl\b")
RE_PORT_KEY = re.compile(r"^\d{1,5}/(?:tcp|udp)$")
SUPPORTED_ARCH = {"aarch64", "amd64"}  # Supervisor ARCH_ALL; armhf/armv7/i386 are deprecated
REQUIRED_KEYS = {"name": str, "version": str, "slug": str, "description": str, "arch": list}

# Documented defaults (developer docs, Supervisor _SCHEMA_APP_CONFIG). The linter errors on any
# key set to one of these values.
DEFAULTS: dict[str, Any] = {
    "startup": "application",
    "boot": "auto",
    "init": True,
    "ingress": False,
    "ingress_port": 8099,
    "ingress_entry": "/",
    "ingress_stream": False,
    "panel_icon": "mdi:puzzle",
    "panel_admin": True,
    "hassio_api": False,
    "hassio_role": "default",
    "homeassistant_api": False,
    "auth_api": False,
    "docker_api": False,
    "host_network": False,
    "host_pid": False,
    "host_ipc": False,
    "host_dbus": False,
    "full_access": False,
    "apparmor": True,
    "video": False,
    "audio": False,
    "usb": False,
    "uart": False,
    "gpio": False,
    "udev": False,
    "devicetree": False,
    "kernel_modules": False,
    "realtime": False,
    "stdin": False,
    "legacy": False,
    "journald": False,
    "tmpfs": False,
    "backup": "hot",
    "timeout": 10,
    "stage": "stable",
}
FORBIDDEN_KEYS = {
    "watchdog": "obsolete, use the Dockerfile HEALTHCHECK",
    "codenotary": "deprecated",
    "advanced": "deprecated",
    "build_from": "build.yaml/BUILD_FROM are deprecated",
}
# Keys the Supervisor's config schema knows; anything else is silently removed.
KNOWN_KEYS = {
    *REQUIRED_KEYS,
    *DEFAULTS,
    "url",
    "ports",
    "ports_description",
    "options",
    "schema",
    "map",
    "webui",
    "image",
    "homeassistant",
    "devices",
    "environment",
    "backup_exclude",
    "backup_pre",
    "backup_post",
    "discovery",
    "services",
    "privileged",
    "breaking_versions",
    "ulimits",
    "machine",
    "panel_title",
    "translations",
}


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return load_yaml(CONFIG)


# ---------------------------------------------------------------------------------------------
# config.yaml validator


def value_fits_schema(value: Any, element: str) -> bool:
    """Whether an option value is valid for one schema element (supervisor/apps/options.py)."""
    found = RE_SCHEMA_ELEMENT.match(element)
    if not found:
        return False
    typ = element.removesuffix("?")
    groups = found.groupdict()
    if typ.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        low, high = groups["i_min"], groups["i_max"]
        return (low is None or value >= int(low)) and (high is None or value <= int(high))
    if typ.startswith("float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if typ == "bool":
        return isinstance(value, bool)
    if typ == "port":
        return isinstance(value, int) and 1 <= value <= 65535
    if typ == "url":
        parsed = urlparse(str(value))
        return parsed.scheme in {"http", "https"} and bool(parsed.netloc)
    if typ.startswith("match"):
        return re.match(groups["match"], str(value)) is not None
    if typ.startswith("list"):
        return str(value) in groups["list"].split("|")
    if typ.startswith(("str", "password")):
        low = groups["s_min"] or groups["p_min"]
        high = groups["s_max"] or groups["p_max"]
        return (
            isinstance(value, str)
            and (low is None or len(value) >= int(low))
            and (high is None or len(value) <= int(high))
        )
    return True


def config_problems(cfg: dict[str, Any]) -> list[str]:
    """Every rule from the Supervisor and the add-on linter this app's config breaks."""
    problems: list[str] = []
    for key, typ in REQUIRED_KEYS.items():
        if not isinstance(cfg.get(key), typ) or not cfg.get(key):
            problems.append(f"required key {key!r} missing or not a {typ.__name__}")
    if not RE_SLUG.match(str(cfg.get("slug", ""))):
        problems.append("slug does not match RE_SLUG")
    if not set(cfg.get("arch") or []) <= SUPPORTED_ARCH:
        problems.append(f"unsupported arch {sorted(set(cfg['arch']) - SUPPORTED_ARCH)}")
    for key in cfg:
        if key not in KNOWN_KEYS and key not in FORBIDDEN_KEYS:
            problems.append(f"unknown key {key!r} (the Supervisor drops it)")
    for key, why in FORBIDDEN_KEYS.items():
        if key in cfg:
            problems.append(f"{key!r} must not be set: {why}")
    for key, default in DEFAULTS.items():
        if key in cfg and cfg[key] == default and type(cfg[key]) is type(default):
            problems.append(f"{key!r} is set to its default value {default!r}")
    if "url" in cfg and urlparse(cfg["url"]).scheme != "https":
        problems.append("url is not an https URL")

    options, schema = cfg.get("options") or {}, cfg.get("schema") or {}
    for key, element in schema.items():
        if not isinstance(element, str) or not RE_SCHEMA_ELEMENT.match(element):
            problems.append(f"schema {key!r}: {element!r} is not a Supervisor schema type")
        elif not element.endswith("?") and key not in options:
            problems.append(f"schema {key!r} is required but has no value in options")
    for key, value in options.items():
        if key not in schema:
            problems.append(f"option {key!r} has no schema entry")
        elif not value_fits_schema(value, schema[key]):
            problems.append(f"option {key!r}: default {value!r} does not fit {schema[key]!r}")

    ports = cfg.get("ports") or {}
    for key, host_port in ports.items():
        if not RE_PORT_KEY.match(str(key)):
            problems.append(f"port key {key!r} is not 'NUMBER/tcp|udp'")
        if host_port is not None:
            problems.append(f"port {key} is published on the host by default ({host_port})")
    if set(cfg.get("ports_description") or {}) != set(ports):
        problems.append("ports_description does not describe exactly the ports")
    if "roomsense" not in (cfg.get("discovery") or []):
        problems.append("discovery does not list 'roomsense'")
    return problems


def test_config_passes_the_supervisor_and_linter_rules(config: dict[str, Any]) -> None:
    assert config_problems(config) == []


def test_config_identity(config: dict[str, Any]) -> None:
    assert config["name"] == "RoomSense LLM (gpt-oss-20b)"
    assert config["slug"] == "roomsense_llm"
    assert config["version"] == "0.1.0"
    assert set(config["arch"]) == SUPPORTED_ARCH
    assert config["discovery"] == ["roomsense"]
    assert config["options"]["model"] == "gpt-oss-20b-mxfp4.gguf"
    assert "image" not in config, "built locally from addon/Dockerfile"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"boot": "auto"}, "'boot' is set to its default value"),
        ({"init": True}, "'init' is set to its default value"),
        ({"hassio_api": False}, "'hassio_api' is set to its default value"),
        ({"watchdog": "http://[HOST]:[PORT:8080]/health"}, "'watchdog' must not be set"),
        ({"arch": ["amd64", "armv7"]}, "unsupported arch"),
        ({"ports": {"8080/tcp": 8080}}, "published on the host"),
        ({"discovery": []}, "discovery does not list"),
        ({"slug": None}, "required key 'slug'"),
        ({"tpyo": 1}, "unknown key 'tpyo'"),
    ],
)
def test_validator_catches_a_broken_config(
    config: dict[str, Any], change: dict[str, Any], expected: str
) -> None:
    broken = copy.deepcopy(config)
    broken.update(change)
    assert any(expected in problem for problem in config_problems(broken))


def drop_option(cfg: dict[str, Any]) -> None:
    del cfg["options"]["context_size"]


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (drop_option, "required but has no value"),
        (lambda cfg: cfg["options"].update(gpu_layers=-1), "does not fit"),
        (lambda cfg: cfg["options"].update(model="../etc/passwd"), "does not fit"),
        (lambda cfg: cfg["options"].update(stray=1), "no schema entry"),
        (lambda cfg: cfg["schema"].update(parallel="integer"), "not a Supervisor schema type"),
    ],
    ids=["missing", "out-of-range", "bad-match", "no-schema", "bad-type"],
)
def test_validator_catches_options_that_do_not_fit_the_schema(
    config: dict[str, Any], breaks: Any, expected: str
) -> None:
    broken = copy.deepcopy(config)
    breaks(broken)
    assert any(expected in problem for problem in config_problems(broken))


def test_optional_schema_values(config: dict[str, Any]) -> None:
    schema = config["schema"]
    for key in ("model_url", "model_sha256", "threads"):
        assert schema[key].endswith("?"), key
        assert key not in config["options"], f"optional {key} must not get a default"
    assert value_fits_schema("a" * 64, schema["model_sha256"])
    assert not value_fits_schema("a" * 63, schema["model_sha256"])
    assert not value_fits_schema("g" * 64, schema["model_sha256"])
    assert value_fits_schema("https://example.org/m.gguf", schema["model_url"])
    assert not value_fits_schema("not a url", schema["model_url"])


def test_backups_leave_out_the_model_and_partial_downloads(config: dict[str, Any]) -> None:
    # The Supervisor tests each file's path with PurePath.match(pattern) (supervisor/apps/app.py).
    patterns = config["backup_exclude"]

    def excluded(path: str) -> bool:
        return any(PurePosixPath(path).match(pattern) for pattern in patterns)

    for path in (
        "/data/models/gpt-oss-20b-mxfp4.gguf",
        "/data/gpt-oss-20b-mxfp4.gguf",
        "/data/models/gpt-oss-20b-mxfp4.gguf.part",
        "/data/models/other-model.gguf.partial",
    ):
        assert excluded(path), path
    assert not excluded("/data/options.json")
    assert not excluded("/data/roomsense_llm.json")


# ---------------------------------------------------------------------------------------------
# translations, repository.yaml, images


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_cover_every_option_and_port(config: dict[str, Any], language: str) -> None:
    translation = load_yaml(ADDON / "translations" / f"{language}.yaml")
    configuration = translation["configuration"]
    assert set(configuration) == set(config["schema"])
    for key, entry in configuration.items():
        assert isinstance(entry.get("name"), str), f"{language}: {key} has no name"
        assert entry["name"].strip()
        assert isinstance(entry.get("description"), str), f"{language}: {key} has no description"
        assert entry["description"].strip()
    assert set(translation["network"]) == set(config["ports"])


def test_repository_yaml() -> None:
    repository = load_yaml(ROOT / "repository.yaml")
    assert isinstance(repository["name"], str)
    assert repository["name"].strip()
    assert repository["url"] == "https://github.com/roomsense/roomsense"
    assert set(repository) <= {"name", "url", "maintainer"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG after checking signature, chunk CRCs, pixel data and IEND."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    offset, chunks, idat = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        offset += 12 + length
    assert chunks[0] == b"IHDR"
    assert chunks[-1] == b"IEND"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)
    return width, height


def test_icon_and_logo_are_valid_pngs() -> None:
    width, height = png_size((ADDON / "icon.png").read_bytes())
    assert width == height, "icon.png must be square"
    assert 64 <= width <= 512
    width, height = png_size((ADDON / "logo.png").read_bytes())
    assert width > height, "logo.png is landscape (about 250x100)"
    for name in ("icon.png", "logo.png"):
        assert (ADDON / name).stat().st_size < 20_000, f"{name} should stay tiny"


def test_png_check_rejects_a_corrupt_file() -> None:
    data = bytearray((ADDON / "icon.png").read_bytes())
    data[20] ^= 0xFF  # inside IHDR: the CRC no longer matches
    with pytest.raises(AssertionError):
        png_size(bytes(data))
    with pytest.raises(AssertionError):
        png_size(b"GIF89a" + bytes(data[6:]))


# ---------------------------------------------------------------------------------------------
# Dockerfile


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, backslash continuations joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # comment lines inside a continued instruction are skipped
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            keyword, _, arguments = full.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "Dockerfile ends inside a continued line"
    return instructions


def duration_seconds(value: str) -> float:
    """A Docker duration such as 60m, 1h30m or 90s."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", value)
    assert parts, f"not a duration: {value}"
    assert "".join(n + u for n, u in parts) == value, f"not a duration: {value}"
    return sum(float(number) * units[unit] for number, unit in parts)


def exec_form(arguments: str) -> list[str]:
    if arguments.startswith("["):
        return json.loads(arguments)
    return shlex.split(arguments)


def dockerfile_problems(text: str) -> list[str]:
    """Rules for the app's Dockerfile."""
    instructions = parse_dockerfile(text)
    problems: list[str] = []
    froms = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    if len(froms) != 1:
        problems.append(f"expected exactly one FROM, found {len(froms)}")
    for image in froms:
        reference = image.split()[0]
        name, _, tag = reference.partition("@")[0].rpartition(":")
        if "$" in reference:
            problems.append(f"FROM uses a build argument: {reference}")
        elif "@sha256:" not in reference and (not name or "/" in tag or tag == "latest"):
            problems.append(f"FROM is not pinned to a tag or digest: {reference}")
    for keyword, arguments in instructions:
        if keyword == "ARG" and arguments.split("=")[0].strip() == "BUILD_FROM":
            problems.append("ARG BUILD_FROM is no longer passed by the Supervisor")
        if keyword == "ADD" and re.search(r"https?://", arguments):
            problems.append("ADD downloads at build time")
        if keyword == "RUN" and RE_DOWNLOAD.search(arguments):
            problems.append(f"RUN downloads at build time: {arguments[:60]}")

    checks = [arguments for keyword, arguments in instructions if keyword == "HEALTHCHECK"]
    if len(checks) != 1:
        problems.append(f"expected one HEALTHCHECK, found {len(checks)}")
    for check in checks:
        options = dict(re.findall(r"--([a-z-]+)=(\S+)", check))
        if "/health" not in check.partition("CMD")[2]:
            problems.append("HEALTHCHECK does not query /health")
        if duration_seconds(options.get("start-period", "0s")) < 30 * 60:
            problems.append("HEALTHCHECK start period is shorter than 30 minutes")

    entrypoints = [exec_form(a) for k, a in instructions if k in {"ENTRYPOINT", "CMD"}]
    if not any(LAUNCHER_IN_IMAGE in command for command in entrypoints):
        problems.append("neither ENTRYPOINT nor CMD runs the launcher")
    return problems


LAUNCHER_IN_IMAGE = "/opt/roomsense/launcher/roomsense_llm_launcher.py"


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return DOCKERFILE.read_text(encoding="utf-8")


def test_dockerfile_rules(dockerfile: str) -> None:
    assert dockerfile_problems(dockerfile) == []


def test_dockerfile_uses_the_llama_cpp_server_image_and_python(dockerfile: str) -> None:
    instructions = parse_dockerfile(dockerfile)
    (image,) = [a for k, a in instructions if k == "FROM"]
    assert image.startswith("ghcr.io/ggml-org/llama.cpp:server-b")
    runs = " ".join(a for k, a in instructions if k == "RUN")
    assert "python3" in runs, "the llama.cpp server image has no Python"
    exposed = [a for k, a in instructions if k == "EXPOSE"]
    assert exposed == ["8080"]
    (healthcheck,) = [a for k, a in instructions if k == "HEALTHCHECK"]
    assert ":8080/health" in healthcheck


def test_dockerfile_port_matches_config(config: dict[str, Any], dockerfile: str) -> None:
    exposed = {f"{a}/tcp" for k, a in parse_dockerfile(dockerfile) if k == "EXPOSE"}
    assert exposed == set(config["ports"])


@pytest.mark.parametrize(
    ("pattern", "replacement", "expected"),
    [
        (r":server-b\d+", ":latest", "not pinned"),
        (r"FROM (\S+):\S+", r"FROM \1", "not pinned"),
        (r"--start-period=60m", "--start-period=10m", "start period"),
        (r"/health", "/metrics", "does not query /health"),
        (r"roomsense_llm_launcher\.py", "other.py", "runs the launcher"),
        (r"^FROM ", "ARG BUILD_FROM\nFROM ", "BUILD_FROM"),
        (r"^COPY ", "RUN curl -L -o /m.gguf https://hf.co/x.gguf\nCOPY ", "RUN downloads"),
        (r"^COPY ", "FROM scratch\nCOPY ", "exactly one FROM"),
    ],
)
def test_dockerfile_check_catches_a_broken_copy(
    dockerfile: str, pattern: str, replacement: str, expected: str
) -> None:
    broken = re.sub(pattern, replacement, dockerfile, flags=re.MULTILINE)
    assert broken != dockerfile
    assert any(expected in problem for problem in dockerfile_problems(broken))


def test_parser_joins_continued_lines() -> None:
    text = 'FROM a:1\n# c\nRUN one \\\n    # inner comment\n    two\nCMD ["x"]\n'
    assert parse_dockerfile(text) == [("FROM", "a:1"), ("RUN", "one two"), ("CMD", '["x"]')]
    assert duration_seconds("1h30m") == 5400


def test_dockerfile_copies_the_launcher(dockerfile: str) -> None:
    if not LAUNCHER_DIR.is_dir():
        pytest.skip("addon/launcher/ is not written yet (another part of issue 14)")
    copies = [a.split() for k, a in parse_dockerfile(dockerfile) if k == "COPY"]
    sources = {(ADDON / parts[0]).resolve(): parts[-1] for parts in copies}
    assert LAUNCHER_DIR.resolve() in sources, "the Dockerfile does not COPY addon/launcher/"
    destination = sources[LAUNCHER_DIR.resolve()]
    name = LAUNCHER_IN_IMAGE.removeprefix(destination.rstrip("/") + "/")
    assert (LAUNCHER_DIR / name).is_file(), f"{LAUNCHER_IN_IMAGE} is not addon/launcher/{name}"


# ---------------------------------------------------------------------------------------------
# files the Supervisor would mistake for an app

SKIPPED_DIRS = {"__pycache__", "demo_config", "node_modules"}


def gitignore_patterns() -> list[str]:
    path = ROOT / ".gitignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith(("#", "!"))]


def repository_files() -> list[PurePosixPath]:
    """Files a clone of the repository would hold: no dot-dirs, caches or git-ignored files."""
    ignored = gitignore_patterns()

    def is_ignored(relative: PurePosixPath) -> bool:
        for pattern in ignored:
            if "/" in pattern.strip("/"):
                if relative.full_match(pattern.lstrip("/")):
                    return True
            elif any(fnmatch.fnmatch(part, pattern) for part in relative.parts):
                return True
        return False

    found: list[PurePosixPath] = []
    for directory, subdirectories, files in ROOT.walk():
        subdirectories[:] = [
            name for name in subdirectories if not name.startswith(".") and name not in SKIPPED_DIRS
        ]
        for name in files:
            relative = PurePosixPath((directory / name).relative_to(ROOT).as_posix())
            if not is_ignored(relative):
                found.append(relative)
    return found


def test_no_other_file_is_named_config() -> None:
    names = {"config.yaml", "config.yml", "config.json"}
    found = {str(path) for path in repository_files() if path.name in names}
    assert found == {"addon/config.yaml"}


def test_supervisor_glob_finds_only_the_app() -> None:
    # supervisor/store/data.py: path.glob("**/config.*"), no dot-dir or rootfs part, suffix in
    # (.json, .yaml, .yml). Such a file is parsed as an app; a broken one is logged and skipped.
    found = {
        str(path)
        for path in repository_files()
        if fnmatch.fnmatch(path.name, "config.*")
        and path.suffix in {".json", ".yaml", ".yml"}
        and "rootfs" not in path.parts
    }
    # Anything else would be logged as an unreadable app on every store refresh.
    assert found == {"addon/config.yaml"}
