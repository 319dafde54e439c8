#!/usr/bin/env bash
# Install what the tests drive for real (Debian packages), only when missing:
# the browsers of tests/real, and C++ LevelDB (python3-plyvel) as the reference
# reader and writer of tests/it/leveldb.rs and the benchmark's floor.
# Idempotent, quiet, non-interactive. Intended for a fresh Debian machine as root
# (CI calls it from .ci/run); uses sudo when not root and sudo is available.
#
#   .ci/install-browsers.sh            # chromium + firefox-esr + certutil + openssl
#   .ci/install-browsers.sh chromium   # only what the Chromium tests need
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

want=(chromium firefox-esr libnss3-tools openssl python3-plyvel)
if [ "${1:-}" = chromium ]; then want=(chromium openssl); fi

# package -> command that proves it is installed
cmd_for() {
  case "$1" in
    chromium) echo chromium ;;
    firefox-esr) echo firefox-esr ;;
    libnss3-tools) echo certutil ;;
    openssl) echo openssl ;;
    python3-plyvel) echo plyvel ;;
    *) echo "$1" ;;
  esac
}

# A package is there when its command is, or (plyvel) Debian's python imports it.
present() {
  if [ "$1" = python3-plyvel ]; then /usr/bin/python3 -c 'import plyvel' >/dev/null 2>&1; return; fi
  command -v "$(cmd_for "$1")" >/dev/null 2>&1
}
missing=()
for p in "${want[@]}"; do
  present "$p" || missing+=("$p")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)

[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -E); else
    echo "install-browsers: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi

# Update the package index only when it is empty or older than a day.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
quiet() { "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "install-browsers: failed: $*" >&2; exit 1; }; }
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
  quiet "${SUDO[@]}" apt-get update -qq
fi
install() { "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; }
if ! install; then  # stale package index (404s)? refresh once and retry
  quiet "${SUDO[@]}" apt-get update -qq
  quiet "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-browsers: installed ${missing[*]}" >&2
