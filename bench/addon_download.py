"""SHA-256 throughput of the add-on launcher's hashing function (`sha256_file`).

The launcher verifies the downloaded model (about 12 GB for gpt-oss-20b) before it renames it
into place; this measures how long that takes per GiB on this machine. It writes a file of
random data (1 GiB by default) in a temporary folder, hashes it with the launcher's function
(the file was just written, so it is read from the page cache: this is the CPU cost, not the
disk's), checks the digest against `hashlib`, and prints seconds and MB/s.

    scripts/python bench/addon_download.py [--size-mib 1024] [--chunk-mib 4] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

LAUNCHER = Path(__file__).resolve().parents[1] / "addon" / "launcher" / "roomsense_llm_launcher.py"
MIB = 1024 * 1024


def load_launcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location("roomsense_llm_launcher", LAUNCHER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--chunk-mib", type=int, default=4)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    launcher = load_launcher()

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "blob.bin"
        block = os.urandom(16 * MIB)
        reference = hashlib.sha256()
        with path.open("wb") as file:
            left = args.size_mib * MIB
            while left:
                piece = block[: min(left, len(block))]
                file.write(piece)
                reference.update(piece)
                left -= len(piece)
        size = path.stat().st_size

        started = time.perf_counter()
        digest = launcher.sha256_file(path, chunk_size=args.chunk_mib * MIB)
        seconds = time.perf_counter() - started
        assert digest == reference.hexdigest(), "launcher digest differs from hashlib"

    rate = size / seconds / 1e6
    print(f"sha256_file: {size / MIB:.0f} MiB in {seconds:.2f} s = {rate:.0f} MB/s")
    print(f"estimate for a 12.11 GB model: {12.11e9 / (rate * 1e6):.0f} s")


if __name__ == "__main__":
    main()
