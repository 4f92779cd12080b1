# Shared by scripts/setup, scripts/python, scripts/test and scripts/demo: where the project's
# Python environments live and how commands run in them. Sourced, never run.
#
# Home Assistant 2026.3 and newer need Python >= 3.14.2. When the machine has one (PATH, pyenv,
# uv or $ROOMSENSE_PYTHON) the environments are plain venvs built with it. Otherwise, on a
# Debian-based machine as root, scripts/setup provisions Debian sid's python3.14 in a root file
# system (debootstrap) and every command runs inside it with chroot. Each command gets its own
# private mount namespace (unshare), so whatever it mounts disappears when it ends, even when it
# is killed: nothing is ever left mounted on the host.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The Home Assistant cores the project runs on. The tested core is the newest one that
# pytest-homeassistant-custom-component supports; the oldest is the declared minimum
# (hacs.json, README); the smoke core is the newest release, which has no test plugin yet.
HA_TESTED="2026.10.4"
PLUGIN_TESTED="0.13.375"
HA_OLDEST="2026.10.0"
PLUGIN_OLDEST="0.13.371"
HA_SMOKE="2026.11.0"

# Home Assistant integrations that the demo (and the smoke test's plain core) set up without
# pip (--skip-pip): scripts/setup installs their manifests' requirements, and their
# dependencies', at the pins of the installed core. Without them the core's default
# integrations fail (Assist's pipeline, camera...) and the frontend never finishes loading.
CORE_INTEGRATIONS_RUN="assist_pipeline assist_satellite camera conversation ffmpeg infrared"
CORE_INTEGRATIONS_RUN+=" radio_frequency tts"
# RoomSense's own dependency for SwitchBot devices over Bluetooth (with bluetooth and usb),
# and hassio, whose client usb imports on 2026.11 and newer (an after-dependency only).
CORE_INTEGRATIONS_RUN+=" bluetooth_adapters hassio"

# Where the provisioned root file system lives. It is shared by every checkout on the machine
# (the checkout is mounted into it at its own path), so a second clone skips provisioning.
ROOTFS=${ROOMSENSE_ROOTFS:-/var/cache/roomsense/sid-python3.14}
ROOTFS_PACKAGES="python3.14 python3.14-venv python3.14-dev build-essential ca-certificates git"
ROOTFS_PACKAGES+=" libffi-dev libssl-dev pkg-config libjpeg-dev zlib1g-dev"
ROOTFS_MIRROR=${ROOMSENSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Set inside the root file system (to its path on the host): scripts started there, by a test
# or the demo, run their commands directly and never provision or enter it again.
IN_ROOTFS=${ROOMSENSE_IN_ROOTFS:-}
if [ -n "$IN_ROOTFS" ]; then
  ROOTFS=$IN_ROOTFS
fi

# Which environment a command runs in: ROOMSENSE_VENV, else .venv (the tested core).
venv_dir() {
  echo "$REPO/${ROOMSENSE_VENV:-.venv}"
}

# True when $1 runs and is CPython >= 3.14.2.
is_python314() {
  "$1" -c 'import sys; sys.exit(not (sys.implementation.name == "cpython" and sys.version_info >= (3, 14, 2)))' \
    >/dev/null 2>&1
}

# Prints the first working Python >= 3.14.2 on this machine: $ROOMSENSE_PYTHON, python3.14 and
# python3 on PATH (a pyenv shim there may not run, so each candidate is tried), pyenv's versions
# folder, then uv's Pythons.
find_host_python() {
  [ -z "$IN_ROOTFS" ] || return 1
  local candidate pyenv_root="${PYENV_ROOT:-}"
  if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root 2>/dev/null || true)
  fi
  local candidates=("${ROOMSENSE_PYTHON:-}"
    "$(command -v python3.14 2>/dev/null || true)" "$(command -v python3 2>/dev/null || true)")
  for candidate in "${pyenv_root:-$HOME/.pyenv}"/versions/3.1[4-9]*/bin/python3; do
    candidates+=("$candidate")
  done
  if command -v uv >/dev/null 2>&1; then
    candidates+=("$(uv python find '>=3.14.2' 2>/dev/null || true)")
  fi
  for candidate in "${candidates[@]}"; do
    if [ -n "$candidate" ] && is_python314 "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

rootfs_ready() {
  [ -n "$IN_ROOTFS" ] && return 0
  [ -f "$ROOTFS/.roomsense-ready" ] && [ "$(cat "$ROOTFS/.roomsense-ready")" = "$ROOTFS_PACKAGES" ]
}

# Runs "$@" inside root file system $1 (default $ROOTFS), in the checkout's folder, with a clean
# environment: the host's pip settings stay out, its CA bundle (pip goes through a TLS proxy
# whose CA only the host knows) and name resolution come in. Variables the project reads
# (CI, ROOMSENSE_*, PYTEST_*) pass through.
#
# `in_rootfs --exec ...` replaces the calling shell, so signals reach the command itself.
in_rootfs() {
  local rootfs=$ROOTFS replace=""
  if [ "${1:-}" = "--exec" ]; then
    replace=exec
    shift
  fi
  if [ "${1:-}" = "--rootfs" ]; then
    rootfs=$2
    shift 2
  fi
  if [ -n "$IN_ROOTFS" ]; then
    cd "$REPO" || return 1
    if [ -n "$replace" ]; then exec "$@"; fi
    (exec "$@")
    return
  fi
  local -a keep=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    LANG=C.UTF-8 TERM="${TERM:-dumb}" PIP_CERT=/etc/ssl/host-ca.crt
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180
    SSL_CERT_FILE=/etc/ssl/host-ca.crt DEBIAN_FRONTEND=noninteractive
    ROOMSENSE_IN_ROOTFS="$rootfs")
  local name
  while IFS= read -r name; do
    keep+=("$name=${!name}")
  done < <(compgen -e | grep -E '^(CI|ROOMSENSE_[A-Z0-9_]+|PYTEST_[A-Z0-9_]+|COLUMNS|TZ)$' | grep -v '^ROOMSENSE_IN_ROOTFS$' || true)
  mkdir -p "$rootfs$REPO"
  # The host's CA bundle, resolver and hosts file, refreshed on every entry (cheap, and the
  # host's may change). Missing ones are skipped: the root may be half-made during provisioning.
  local ca=/etc/ssl/certs/ca-certificates.crt
  if [ -f "$ca" ] && [ -d "$rootfs/etc" ]; then mkdir -p "$rootfs/etc/ssl" && cp "$ca" "$rootfs/etc/ssl/host-ca.crt"; fi
  if [ -f /etc/resolv.conf ]; then cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"; fi
  if [ -f /etc/hosts ]; then cp -L /etc/hosts "$rootfs/etc/hosts"; fi
  $replace unshare --mount --propagation private -- /bin/bash -c '
    set -e
    rootfs=$1 repo=$2
    shift 2
    mount -t proc proc "$rootfs/proc"
    mount -t sysfs sysfs "$rootfs/sys"
    mount --rbind /dev "$rootfs/dev"
    mount --bind "$repo" "$rootfs$repo"
    exec chroot "$rootfs" /usr/bin/env -i "$@"
  ' in-rootfs "$rootfs" "$REPO" "${keep[@]}" /bin/bash -c 'cd "$0" && exec "$@"' "$REPO" "$@"
}

# Runs "$@" in the project environment: inside the root file system when the venv was built
# there, directly otherwise. `in_env --exec ...` replaces the calling shell.
in_env() {
  local venv replace=""
  if [ "${1:-}" = "--exec" ]; then
    replace=--exec
    shift
  fi
  venv=$(venv_dir)
  if [ -f "$venv/.roomsense-rootfs" ]; then
    in_rootfs $replace --rootfs "$(cat "$venv/.roomsense-rootfs")" "$@"
  elif [ -n "$replace" ]; then
    cd "$REPO" && exec "$@"
  else
    (cd "$REPO" && exec "$@")
  fi
}
