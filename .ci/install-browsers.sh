#!/usr/bin/env bash
# Install the real browsers used by tests/real (Debian packages), only when missing.
# Idempotent, quiet, non-interactive. Intended for a fresh Debian machine as root
# (CI calls it from .ci/run); uses sudo when not root and sudo is available.
#
#   .ci/install-browsers.sh            # chromium + firefox-esr + certutil + openssl
#   .ci/install-browsers.sh chromium   # only what the Chromium tests need
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

want=(chromium firefox-esr libnss3-tools openssl)
if [ "${1:-}" = chromium ]; then want=(chromium openssl); fi

# package -> command that proves it is installed
cmd_for() {
  case "$1" in
    chromium) echo chromium ;;
    firefox-esr) echo firefox-esr ;;
    libnss3-tools) echo certutil ;;
    openssl) echo openssl ;;
    *) echo "$1" ;;
  esac
}

missing=()
for p in "${want[@]}"; do
  command -v "$(cmd_for "$p")" >/dev/null 2>&1 || missing+=("$p")
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
