#!/usr/bin/env bash
# tests/real/accounts.sh — one real headless browser run that signs a profile
# in the way current Notion builds do: Local Storage envelopes and key names,
# and the notion_user_id / notion_users / token_v2 cookies.
#
# Usage
#   accounts.sh chromium USER_DATA_DIR PLAN_JSON [PROFILE_DIRECTORY]
#   accounts.sh firefox  PROFILE_DIR   PLAN_JSON
#
# PLAN_JSON is served by tests/real/server.py's /?accounts=1 page:
#   {"local_storage": [[KEY, VALUE], ...], "cookies": ["n=v; attrs", ...],
#    "set_cookies": ["n=v; attrs", ...]}
# (cookies are set from the page with document.cookie; set_cookies come as
# Set-Cookie headers, for HttpOnly secrets). Prints the page's report as one
# JSON line: {"mode":"accounts","origin","keys":[sorted],"cookies":[names]}.
#
# Chromium: --password-store=basic, so it encrypts every cookie value itself
# as v10 with its public Linux key; --profile-directory picks (and creates,
# adding it to Local State) a profile such as "Profile 1". Local Storage is
# committed with --enable-aggressive-domstorage-flushing and a settle wait,
# and Chromium's helper processes are let finish before anything is killed
# (see ls_ops.sh). Firefox ESR: a throwaway CA trusted in the profile's
# cert9.db (certutil), user.js routing every host to our port; cookies land
# in cookies.sqlite in clear, Local Storage in storage/default/…/ls/data.sqlite.
#
# Exit status: 0 ok; 2 usage; 3 the browser logged storage corruption; 4 the
#   browser failed or the page did not report; 5 missing tool.
# Env: CAPTURE_TIMEOUT (seconds, default 90), CHROMIUM (default chromium),
#   FIREFOX (default firefox-esr), ACCOUNTS_SETTLE_MS (default 2000),
#   CAPTURE_VERBOSE=1 (browser stderr to our stderr).
# Server and browser are killed on exit; runs are independent (own temp dir,
# port and CA), so tests may run several at once on different profiles.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=${CAPTURE_TIMEOUT:-90}
SETTLE_MS=${ACCOUNTS_SETTLE_MS:-2000}
CHROMIUM=${CHROMIUM:-chromium}
FIREFOX=${FIREFOX:-firefox-esr}

die() { echo "accounts.sh: $*" >&2; exit "${2:-4}"; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing $1 (run .ci/install-browsers.sh)" 5; }
usage() { sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 3 ] || usage
BROWSER=$1; DIR=$2; PLAN=$3; PROFILE_DIRECTORY=${4:-}
case "$BROWSER" in chromium|firefox) ;; *) usage ;; esac
[ -f "$PLAN" ] || die "no plan file $PLAN" 2
need openssl; need python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/accounts.XXXXXX")
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

# A throwaway CA and a leaf for www.notion.so / app.notion.com signed by it
# (Firefox rejects a self-signed leaf; Chromium ignores certificate errors).
(
  cd "$WORK"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=accounts.sh throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem
  openssl req -newkey rsa:2048 -nodes -subj "/CN=www.notion.so" -keyout leaf.key -out leaf.csr
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:www.notion.so,DNS:app.notion.com,DNS:notion.so" > leaf.ext
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile leaf.ext -out leaf.pem
) >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; die "openssl failed"; }

: >"$WORK/report.jsonl"
python3 "$HERE/server.py" --cert "$WORK/leaf.pem" --key "$WORK/leaf.key" \
  --port-file "$WORK/port" --report "$WORK/report.jsonl" --accounts "$PLAN" \
  --settle-ms "$SETTLE_MS" 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=
for _ in $(seq 100); do
  [ -s "$WORK/port" ] && { PORT=$(cat "$WORK/port"); break; }
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/server.log" >&2; die "server did not start"; }

# run_browser CMD...: under timeout, in its own process group, isolated HOME;
# the group's other processes are let finish on their own first.
run_browser() {
  mkdir -p "$WORK/home"
  local rc=0
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
    timeout -k 5 "$TIMEOUT" "$@" >"$WORK/stdout" 2>"$WORK/browser.log" </dev/null &
  BROWSER_PID=$!
  wait "$BROWSER_PID" || rc=$?
  for _ in $(seq 300); do
    kill -0 -- "-$BROWSER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true
  BROWSER_PID=
  [ "${CAPTURE_VERBOSE:-0}" = 1 ] && cat "$WORK/browser.log" >&2
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && echo "accounts.sh: browser timed out after ${TIMEOUT}s" >&2
  return 0
}

URL="https://www.notion.so/?accounts=1"
if [ "$BROWSER" = chromium ]; then
  need "$CHROMIUM"
  mkdir -p "$DIR"
  PROFILE_FLAG=()
  [ -n "$PROFILE_DIRECTORY" ] && PROFILE_FLAG=(--profile-directory="$PROFILE_DIRECTORY")
  run_browser "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --no-default-browser-check --disable-background-networking \
    --disable-component-update --disable-sync --password-store=basic --enable-logging=stderr \
    --enable-aggressive-domstorage-flushing --user-data-dir="$DIR" "${PROFILE_FLAG[@]}" \
    --host-resolver-rules="MAP www.notion.so 127.0.0.1:$PORT, MAP app.notion.com 127.0.0.1:$PORT" \
    --ignore-certificate-errors --virtual-time-budget=3000 --dump-dom "$URL"
  LDB_LOG="$DIR/${PROFILE_DIRECTORY:-Default}/Local Storage/leveldb/LOG"
  [ -f "$LDB_LOG" ] && sed 's/^/leveldb LOG: /' "$LDB_LOG" >>"$WORK/browser.log"
else
  need "$FIREFOX"; need certutil
  mkdir -p "$DIR"
  [ -f "$DIR/cert9.db" ] || certutil -N -d "sql:$DIR" --empty-password >/dev/null
  while certutil -D -n accounts-ca -d "sql:$DIR" >/dev/null 2>&1; do :; done
  certutil -A -n accounts-ca -t "CT,C,C" -i "$WORK/ca.pem" -d "sql:$DIR"
  cat >"$DIR/user.js" <<JS
// written by tests/real/accounts.sh (test-only routing; safe to delete)
user_pref("network.dns.forceResolve", "127.0.0.1");
user_pref("network.socket.forcePort", "443=$PORT");
user_pref("network.proxy.type", 0);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.trr.mode", 5);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("security.OCSP.enabled", 0);
user_pref("browser.sessionstore.resume_from_crash", false);
JS
  run_browser "$FIREFOX" --headless --no-remote --profile "$DIR" --screenshot "$WORK/shot.png" "$URL"
fi

python3 - "$WORK/report.jsonl" "$WORK/stdout" >"$WORK/report.json" <<'PY' || { tail -50 "$WORK/browser.log" >&2; die "page did not report"; }
import html, json, re, sys
found = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("mode") == "accounts":
        found = o
if found is None:  # Chromium --dump-dom: <pre id="keys">JSON</pre>
    m = re.search(r'<pre id="keys">(.*?)</pre>', open(sys.argv[2], encoding="utf-8", errors="replace").read(), re.S)
    if m:
        try:
            o = json.loads(html.unescape(m.group(1)))
            if o.get("mode") == "accounts":
                found = o
        except ValueError:
            pass
if found is None:
    sys.exit(1)
print(json.dumps(found, sort_keys=True))
PY
cat "$WORK/report.json"
if grep -iE 'corrupt' "$WORK/browser.log" >&2; then
  echo "accounts.sh: browser logged storage corruption" >&2; exit 3
fi
python3 -c 'import json,sys; sys.exit(1 if "error" in json.load(open(sys.argv[1])) else 0)' \
  "$WORK/report.json" || die "page error: $(head -c 2000 "$WORK/report.json")"
