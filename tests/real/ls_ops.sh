#!/usr/bin/env bash
# tests/real/ls_ops.sh — one real headless Chromium run that changes Local Storage.
#
# Usage
#   ls_ops.sh USER_DATA_DIR OPS_JSON_FILE
#
# Starts tests/real/server.py (random port, throwaway self-signed certificate),
# runs Chromium once on USER_DATA_DIR (created when missing; an existing
# profile is reopened IN PLACE, so pass a copy of anything you want to keep)
# and loads https://www.notion.so/?ops=1. That page reads every Local Storage
# key and value of the origin ("before": what Chromium loaded from disk),
# applies the ops of OPS_JSON_FILE in order (see server.py: set, remove, fill,
# sleep), reads everything again and reports. Prints the page's report as one
# JSON line on stdout:
#   {"mode":"ops","origin","before":{k:v},"keys":[sorted],"items":{k:v},"done":N,"cookies"}
#
# Exit status: 0 ok; 2 usage; 3 Chromium's Local Storage LevelDB logged
#   corruption in its own LOG file (the report is still printed); 4 the browser
#   failed, the page reported an error, or it did not report; 5 missing tool.
# Env: CAPTURE_TIMEOUT (seconds, default 90), CHROMIUM (default chromium),
#   CAPTURE_VERBOSE=1 (browser stderr to our stderr), LS_OPS_SETTLE_MS (default
#   2000), LS_OPS_FLUSH (aggressive (default) or default).
#
# Getting every write to disk (measured with Chromium 148): Chromium commits
# Local Storage from a timer (5 s after a change, then rate-limited to about
# one commit a minute) and flushes the rest when it quits, but the --dump-dom
# exit loses or tears that last flush now and then (the .log ends after 30
# bytes, or mid-record). So Chromium runs with
# --enable-aggressive-domstorage-flushing (commit 1 s after a change, no rate
# limit; LS_OPS_FLUSH=default drops it), the page waits LS_OPS_SETTLE_MS after
# ops that wrote, and this script lets Chromium's other processes (its storage
# service among them) end on their own after the main process exits before it
# kills what is left.
# Server and browser are killed on exit; runs are independent (own temp dir
# and port), so tests may run several at once on different profiles.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=${CAPTURE_TIMEOUT:-90}
SETTLE_MS=${LS_OPS_SETTLE_MS:-2000}
LS_OPS_FLUSH=${LS_OPS_FLUSH:-aggressive}
CHROMIUM=${CHROMIUM:-chromium}

die() { echo "ls_ops.sh: $*" >&2; exit "${2:-4}"; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing $1 (run .ci/install-browsers.sh)" 5; }

[ $# -eq 2 ] || { sed -n '2,37p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
UDD=$1; OPS=$2
[ -f "$OPS" ] || die "no ops file $OPS" 2
need openssl; need python3; need "$CHROMIUM"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ls_ops.XXXXXX")
SERVER_PID=; BROWSER_PID=
cleanup() {
  local rc=$?
  [ -n "$BROWSER_PID" ] && kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Chromium runs with --ignore-certificate-errors: a self-signed leaf is enough.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=www.notion.so" -addext "subjectAltName=DNS:www.notion.so,DNS:app.notion.com" \
  -keyout "$WORK/leaf.key" -out "$WORK/leaf.pem" >"$WORK/openssl.log" 2>&1 \
  || { cat "$WORK/openssl.log" >&2; die "openssl failed"; }

: >"$WORK/report.jsonl"
python3 "$HERE/server.py" --cert "$WORK/leaf.pem" --key "$WORK/leaf.key" \
  --port-file "$WORK/port" --report "$WORK/report.jsonl" --ops "$OPS" \
  --settle-ms "$SETTLE_MS" 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=
for _ in $(seq 100); do
  [ -s "$WORK/port" ] && { PORT=$(cat "$WORK/port"); break; }
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/server.log" >&2; die "server did not start"; }

mkdir -p "$UDD" "$WORK/home"
FLUSH_FLAG=--enable-aggressive-domstorage-flushing
[ "$LS_OPS_FLUSH" = default ] && FLUSH_FLAG=
rc=0
HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
  timeout -k 5 "$TIMEOUT" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --no-default-browser-check --disable-background-networking \
  --disable-component-update --disable-sync --password-store=basic --enable-logging=stderr \
  $FLUSH_FLAG --user-data-dir="$UDD" \
  --host-resolver-rules="MAP www.notion.so 127.0.0.1:$PORT, MAP app.notion.com 127.0.0.1:$PORT" \
  --ignore-certificate-errors --virtual-time-budget=3000 --dump-dom "https://www.notion.so/?ops=1" \
  >"$WORK/stdout" 2>"$WORK/browser.log" </dev/null &
BROWSER_PID=$!
wait "$BROWSER_PID" || rc=$?
# Chromium's main process can exit while its storage service (a utility
# process of the same group) still writes the last Local Storage commit:
# killing it then leaves a torn .log. Give the group time to finish alone.
for _ in $(seq 300); do
  kill -0 -- "-$BROWSER_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 -- "-$BROWSER_PID" 2>/dev/null; then
  echo "ls_ops.sh: browser processes still running 30s after exit; killing them" >&2
  ps -o pid,args -g "$BROWSER_PID" >&2 || true
fi
kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true
BROWSER_PID=
[ "${CAPTURE_VERBOSE:-0}" = 1 ] && cat "$WORK/browser.log" >&2
{ [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && echo "ls_ops.sh: browser timed out after ${TIMEOUT}s" >&2

# LevelDB notes dropped records only in its own LOG (rotated on every open).
LDB_LOG="$UDD/Default/Local Storage/leveldb/LOG"
[ -f "$LDB_LOG" ] && sed 's/^/leveldb LOG: /' "$LDB_LOG" >>"$WORK/browser.log"

python3 - "$WORK/report.jsonl" >"$WORK/report.json" <<'PY' || { tail -50 "$WORK/browser.log" >&2; die "page did not report (browser rc=$rc)"; }
import json, sys
found = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("mode") == "ops":
        found = o
if found is None:
    sys.exit(1)
print(json.dumps(found, sort_keys=True))
PY
cat "$WORK/report.json"
if grep -iE 'corrupt' "$WORK/browser.log" >&2; then
  echo "ls_ops.sh: browser logged storage corruption" >&2; exit 3
fi
python3 -c 'import json,sys; sys.exit(1 if "error" in json.load(open(sys.argv[1])) else 0)' \
  "$WORK/report.json" || die "page error: $(head -c 2000 "$WORK/report.json")"
