#!/usr/bin/env bash
# tests/real/fixtures.sh — regenerate / verify tests/fixtures/real/*-home.
#
#   tests/real/fixtures.sh regen [chromium|firefox]   capture with the real browser,
#                                                     strip to what the tool needs,
#                                                     replace tests/fixtures/real/<b>-home
#   tests/real/fixtures.sh check [chromium|firefox]   copy each checked-in home to a temp
#                                                     dir, reopen it with the real browser
#                                                     (capture.sh <b>-read) and assert it
#                                                     sees exactly the planted keys
# Default: both browsers. Needs .ci/install-browsers.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX=$(cd "$HERE/../fixtures/real" 2>/dev/null && pwd || { mkdir -p "$HERE/../fixtures/real"; cd "$HERE/../fixtures/real" && pwd; })
CAP="$HERE/capture.sh"
WS_ID=${WORKSPACE_ID:-7c9e6679-7425-40de-944b-e07fc1f90ae7}
EXPECTED="LRU:KeyValueStore2:sidebar
ajs_anonymous_id
notion:workspace:$WS_ID
theme"

cmd=${1:-}; shift || true
browsers=("${@:-chromium}"); [ $# -eq 0 ] && browsers=(chromium firefox)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fixtures.XXXXXX"); trap 'rm -rf "$TMP"' EXIT

# copy SRC_ROOT DST_ROOT relpath...
keep() { local s=$1 d=$2; shift 2; local f
  for f in "$@"; do mkdir -p "$d/$(dirname "$f")"; cp -p "$s/$f" "$d/$f"; done; }

# SQLite files Firefox grows in chunks: drop the all-zero tail past the page count.
trim_sqlite() {
  python3 - "$@" <<'PY'
import sys
for p in sys.argv[1:]:
    b = open(p, "rb").read()
    ps = int.from_bytes(b[16:18], "big"); ps = 65536 if ps == 1 else ps
    n = int.from_bytes(b[28:32], "big")
    if n and len(b) > ps * n and not any(b[ps * n:]):
        open(p, "wb").write(b[:ps * n])
PY
}

regen_chromium() {
  local h="$TMP/chromium" out="$FIX/chromium-home" u=.config/chromium
  "$CAP" chromium "$h"
  rm -rf "$out"; mkdir -p "$out"
  local ldb="$u/Default/Local Storage/leveldb" files=() f
  for f in "$h/$ldb"/*; do
    case "$(basename "$f")" in LOCK|LOG.old) ;; *) files+=("$ldb/$(basename "$f")") ;; esac
  done
  keep "$h" "$out" "$u/Local State" "$u/Default/Preferences" "$u/Default/Cookies" \
    "$u/Default/Cookies-journal" "${files[@]}"
}

regen_firefox() {
  local h="$TMP/firefox" out="$FIX/firefox-home" r=.mozilla/firefox
  "$CAP" firefox "$h"
  local prof; prof=$(sed -n 's/^Path=//p' "$h/$r/profiles.ini" | head -n1)
  local o="$r/$prof/storage/default/https+++www.notion.so"
  rm -rf "$out"; mkdir -p "$out"
  keep "$h" "$out" "$r/profiles.ini" "$r/$prof/cookies.sqlite" "$r/$prof/storage.sqlite" \
    "$o/.metadata-v2" "$o/ls/data.sqlite" "$o/ls/usage"
  trim_sqlite "$out/$r/$prof/cookies.sqlite" "$out/$r/$prof/storage.sqlite" "$out/$o/ls/data.sqlite"
}

check_one() {
  local b=$1 src="$FIX/$1-home" h="$TMP/check-$1"
  [ -d "$src" ] || { echo "fixtures.sh: missing $src" >&2; return 1; }
  rm -rf "$h"; cp -a "$src" "$h"
  # 1. the raw store holds the planted entry (before any browser touches it)
  case "$b" in
    chromium) cat "$src/.config/chromium/Default/Local Storage/leveldb/"*.log \
                | grep -aqF "notion:workspace:$WS_ID" \
                || { echo "fixtures.sh: workspace key not in the LevelDB .log" >&2; return 1; } ;;
    firefox) python3 - "$src" "notion:workspace:$WS_ID" <<'PY' || return 1
import glob, sqlite3, sys
dbs = glob.glob(sys.argv[1] + "/.mozilla/firefox/*/storage/default/https+++www.notion.so/ls/data.sqlite")
keys = [k for db in dbs for (k,) in sqlite3.connect("file:%s?mode=ro" % db, uri=True).execute("select key from data")]
sys.exit(0 if sys.argv[2] in keys else "fixtures.sh: workspace key not in data.sqlite: %r" % keys)
PY
    ;;
  esac
  # 2. the real browser reopens a copy and sees exactly the planted keys
  local got rc=0
  got=$("$CAP" "$b-read" "$h") || rc=$?
  if [ "$rc" != 0 ] || [ "$got" != "$EXPECTED" ]; then
    printf 'fixtures.sh: %s-read on %s: rc=%s, keys:\n%s\nexpected:\n%s\n' "$b" "$src" "$rc" "$got" "$EXPECTED" >&2
    return 1
  fi
  echo "fixtures.sh: $b fixture OK ($(echo "$got" | wc -l) keys seen by real $b)" >&2
}

case "$cmd" in
  regen) for b in "${browsers[@]}"; do "regen_$b"; done
         du -sh "$FIX" >&2 ;;
  check) for b in "${browsers[@]}"; do check_one "$b"; done ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
