#!/usr/bin/env bash
# tests/real/capture.sh — write/read browser profiles with REAL headless browsers.
#
# Usage
#   capture.sh chromium      OUT_HOME          plant a Notion session with Chromium
#   capture.sh chromium-read HOME [--json]     list the Local Storage keys Chromium sees
#   capture.sh firefox       OUT_HOME          same with Firefox ESR
#   capture.sh firefox-read  HOME [--json]     same with Firefox ESR
#
# Layout written (Linux):
#   chromium: OUT_HOME/.config/chromium/{Local State,Default/...}
#   firefox:  OUT_HOME/.mozilla/firefox/{profiles.ini,fx7q2k9d.default-esr/...}
# OUT_HOME may exist but must not already contain that browser's profile.
#
# What is planted on https://www.notion.so (origin served by tests/real/server.py):
#   Local Storage  notion:workspace:$WORKSPACE_ID = {"name":"$WORKSPACE_NAME","user_id":"$USER_ID"}
#                  theme = dark
#                  LRU:KeyValueStore2:sidebar = {"id":"KeyValueStore2:sidebar",...}
#                  ajs_anonymous_id = "3b241101-e2bb-4255-8caf-4136c566a962"
#   Cookies        notion_user_id=$USER_ID          host-only www.notion.so (document.cookie)
#                  notion_users=%5B%22$USER_ID%22%5D Domain=.notion.so   (document.cookie)
#                  token_v2=$TOKEN_V2                Domain=.notion.so, HttpOnly (Set-Cookie)
# Defaults (override via env): see server.py / tests/fixtures/real/README.md.
#
# *-read opens HOME's existing profile IN PLACE (the browser writes to it: copy
# a checked-in fixture first), loads https://www.notion.so/?read=1 and prints
# the origin's Local Storage keys, sorted, one per line (--json: the page's full
# report {"origin","keys","items","cookies","mode"} as one JSON line).
#
# Exit status: 0 ok; 2 usage; 3 the browser logged storage corruption (keys are
#   still printed; Chromium: its stderr or the Local Storage LevelDB's own LOG
#   file, where LevelDB notes records it dropped, say "Corrupt..."; also
#   PRAGMA integrity_check after the run on Cookies / cookies.sqlite and
#   Firefox's ls/data.sqlite); 4 the browser failed / the page never reported; 5 missing tool.
# Env: CAPTURE_TIMEOUT (seconds per browser run, default 60), CHROMIUM (default
#   chromium), FIREFOX (default firefox-esr), CAPTURE_LOG (file: browser stderr
#   is appended there), CAPTURE_VERBOSE=1 (browser stderr to our stderr).
# Needs: openssl, python3, chromium / firefox-esr + certutil (.ci/install-browsers.sh).
# A random free port is used; server and browser are always killed on exit;
# runs are independent (own temp dir, port, CA), so tests may run them in parallel.
# How: Chromium gets --host-resolver-rules MAP www.notion.so/app.notion.com to the
#   port + --ignore-certificate-errors (+ --password-store=basic, so cookies are
#   v10/"peanuts"-encrypted, reproducibly). Firefox gets a throwaway CA trusted in
#   the profile's own cert9.db (certutil) and user.js prefs network.dns.forceResolve
#   =127.0.0.1 + network.socket.forcePort "443=PORT"; *-read rewrites those too.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=${CAPTURE_TIMEOUT:-60}
CHROMIUM=${CHROMIUM:-chromium}
FIREFOX=${FIREFOX:-firefox-esr}
FF_PROFILE_NAME=${FF_PROFILE_NAME:-fx7q2k9d.default-esr}

usage() { sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "capture.sh: $*" >&2; exit "${2:-4}"; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing $1 (run .ci/install-browsers.sh)" 5; }

[ $# -ge 2 ] || usage
MODE=$1; HOME_DIR=$2; JSON=0
[ "${3:-}" = "--json" ] && JSON=1
case "$MODE" in chromium|chromium-read|firefox|firefox-read) ;; *) usage ;; esac
need openssl; need python3

WORK=$(mktemp -d "${TMPDIR:-/tmp}/capture.XXXXXX")
SERVER_PID=; BROWSER_PID=
cleanup() {
  local rc=$?
  # timeout(1) leads its own process group: kill the browser and its children.
  [ -n "$BROWSER_PID" ] && kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- throwaway CA + leaf for www.notion.so / app.notion.com -------------------
make_certs() {
  (
    cd "$WORK"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=capture.sh throwaway CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=www.notion.so" -keyout leaf.key -out leaf.csr
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" "subjectAltName=DNS:www.notion.so,DNS:app.notion.com,DNS:notion.so" > leaf.ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile leaf.ext -out leaf.pem
  ) >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; die "openssl failed"; }
}

start_server() {
  : >"$WORK/report.jsonl"
  python3 "$HERE/server.py" --cert "$WORK/leaf.pem" --key "$WORK/leaf.key" \
    --port-file "$WORK/port" --report "$WORK/report.jsonl" 2>"$WORK/server.log" &
  SERVER_PID=$!
  local i
  for i in $(seq 100); do
    [ -s "$WORK/port" ] && { PORT=$(cat "$WORK/port"); return 0; }
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/server.log" >&2; die "server did not start"
}

# run_browser LOGFILE CMD...: run under timeout, in its own process group, isolated HOME.
run_browser() {
  local log=$1; shift
  mkdir -p "$WORK/home"
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_CACHE_HOME="$WORK/home/.cache" \
    timeout -k 5 "$TIMEOUT" "$@" >"$WORK/stdout" 2>"$log" </dev/null &
  BROWSER_PID=$!
  local rc=0
  wait "$BROWSER_PID" || rc=$?
  kill -KILL -- "-$BROWSER_PID" 2>/dev/null || true   # stray children (crashpad, zygote)
  BROWSER_PID=
  [ -n "${CAPTURE_LOG:-}" ] && cat "$log" >>"$CAPTURE_LOG"
  [ "${CAPTURE_VERBOSE:-0}" = 1 ] && cat "$log" >&2
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "capture.sh: browser timed out after ${TIMEOUT}s" >&2
  return "$rc"
}

# report MODE: the last JSON line of that mode the page POSTed (or found in the DOM).
last_report() {
  python3 - "$1" "$WORK/report.jsonl" "$WORK/stdout" <<'PY'
import json, re, sys, html
mode, rep, dom = sys.argv[1:]
found = None
for line in open(rep, encoding="utf-8", errors="replace"):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("mode") == mode:
        found = o
if found is None:  # Chromium --dump-dom: <pre id="keys">JSON</pre>
    m = re.search(r'<pre id="keys">(.*?)</pre>', open(dom, encoding="utf-8", errors="replace").read(), re.S)
    if m:
        try:
            o = json.loads(html.unescape(m.group(1)))
            if o.get("mode") == mode:
                found = o
        except ValueError:
            pass
if found is None:
    sys.exit(1)
print(json.dumps(found, sort_keys=True))
PY
}

corrupt_check() { grep -iE 'corrupt' "$1" >&2 && return 0 || return 1; }

# sqlite_check LOG DB...: append "Corrupt sqlite: ..." to LOG for any DB failing integrity_check.
sqlite_check() {
  python3 - "$@" <<'PY'
import sqlite3, sys
log = open(sys.argv[1], "a")
for db in sys.argv[2:]:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        r = [row[0] for row in c.execute("PRAGMA integrity_check")]
        c.close()
    except sqlite3.Error as e:
        r = [str(e)]
    if r != ["ok"]:
        log.write("Corrupt sqlite: %s: %s\n" % (db, "; ".join(r)[:500]))
PY
}

emit_read() {  # $1 = report json, $2 = browser log
  local rep=$1 log=$2
  if [ "$JSON" = 1 ]; then printf '%s\n' "$rep"
  else python3 -c 'import json,sys; [print(k) for k in json.loads(sys.argv[1]).get("keys", [])]' "$rep"; fi
  if corrupt_check "$log"; then echo "capture.sh: browser logged storage corruption" >&2; exit 3; fi
  python3 -c 'import json,sys; sys.exit(1 if "error" in json.loads(sys.argv[1]) else 0)' "$rep" \
    || die "page error: $rep"
}

# ---- Chromium -----------------------------------------------------------------
chromium_run() {  # $1 = user-data-dir, $2 = url path
  need "$CHROMIUM"
  run_browser "$WORK/browser.log" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --no-default-browser-check --disable-background-networking \
    --disable-component-update --disable-sync --password-store=basic --enable-logging=stderr \
    --user-data-dir="$1" \
    --host-resolver-rules="MAP www.notion.so 127.0.0.1:$PORT, MAP app.notion.com 127.0.0.1:$PORT" \
    --ignore-certificate-errors --virtual-time-budget=3000 --dump-dom "https://www.notion.so$2"
}

do_chromium() {
  local udd="$HOME_DIR/.config/chromium"
  [ -e "$udd/Default" ] && die "$udd/Default already exists" 2
  mkdir -p "$udd"
  make_certs; start_server
  chromium_run "$udd" "/" || { cat "$WORK/browser.log" >&2; die "chromium failed"; }
  local rep
  rep=$(last_report plant) || { cat "$WORK/browser.log" >&2; die "plant page did not report"; }
  echo "capture.sh: chromium planted: $rep" >&2
  [ -d "$udd/Default/Local Storage/leveldb" ] || die "no Local Storage leveldb written"
  [ -f "$udd/Default/Cookies" ] || die "no Cookies db written"
}

do_chromium_read() {
  local udd="$HOME_DIR/.config/chromium"
  [ -d "$udd/Default" ] || die "no Chromium profile at $udd/Default" 2
  make_certs; start_server
  local rc=0
  chromium_run "$udd" "/?read=1" || rc=$?
  # LevelDB recovers from a bad log by silently dropping records; it only says
  # so in its own LOG file (rotated to LOG.old on every open, so LOG is this run).
  local ldb="$udd/Default/Local Storage/leveldb/LOG"
  [ -f "$ldb" ] && sed 's/^/leveldb LOG: /' "$ldb" >>"$WORK/browser.log"
  [ -f "$udd/Default/Cookies" ] && sqlite_check "$WORK/browser.log" "$udd/Default/Cookies"
  local rep
  rep=$(last_report read) || { corrupt_check "$WORK/browser.log" && exit 3
    cat "$WORK/browser.log" >&2; die "chromium read failed (rc=$rc)"; }
  emit_read "$rep" "$WORK/browser.log"
}

# ---- Firefox ESR --------------------------------------------------------------
ff_prepare() {  # $1 = profile dir: trust this run's CA, route notion hosts to our port
  local p=$1
  need "$FIREFOX"; need certutil
  [ -f "$p/cert9.db" ] || certutil -N -d "sql:$p" --empty-password >/dev/null
  # drop CAs from earlier runs, then trust this run's throwaway CA
  while certutil -D -n capture-ca -d "sql:$p" >/dev/null 2>&1; do :; done
  certutil -A -n capture-ca -t "CT,C,C" -i "$WORK/ca.pem" -d "sql:$p"
  cat >"$p/user.js" <<JS
// written by tests/real/capture.sh (test-only routing; safe to delete)
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
}

firefox_run() {  # $1 = profile dir, $2 = url path
  run_browser "$WORK/browser.log" "$FIREFOX" --headless --no-remote --profile "$1" \
    --screenshot "$WORK/shot.png" "https://www.notion.so$2"
}

ff_profile_dir() {  # the Default=1 (or first) profile of HOME's profiles.ini
  python3 - "$HOME_DIR/.mozilla/firefox" <<'PY'
import configparser, os, sys
root = sys.argv[1]
cp = configparser.RawConfigParser(); cp.optionxform = str
if not cp.read(os.path.join(root, "profiles.ini")):
    sys.exit(1)
profs = [s for s in cp.sections() if s.startswith("Profile")]
profs.sort(key=lambda s: cp.get(s, "Default", fallback="0") != "1")
if not profs:
    sys.exit(1)
s = profs[0]
path = cp.get(s, "Path")
print(os.path.join(root, path) if cp.get(s, "IsRelative", fallback="1") == "1" else path)
PY
}

do_firefox() {
  local root="$HOME_DIR/.mozilla/firefox" p
  p="$root/$FF_PROFILE_NAME"
  [ -e "$root/profiles.ini" ] && die "$root/profiles.ini already exists" 2
  mkdir -p "$p"
  cat >"$root/profiles.ini" <<INI
[Profile0]
Name=default-esr
IsRelative=1
Path=$FF_PROFILE_NAME
Default=1

[General]
StartWithLastProfile=1
Version=2
INI
  make_certs; start_server; ff_prepare "$p"
  firefox_run "$p" "/" || { cat "$WORK/browser.log" >&2; die "firefox failed"; }
  local rep
  rep=$(last_report plant) || { cat "$WORK/browser.log" >&2; die "plant page did not report"; }
  echo "capture.sh: firefox planted: $rep" >&2
}

do_firefox_read() {
  local p
  p=$(ff_profile_dir) || die "no Firefox profile under $HOME_DIR/.mozilla/firefox" 2
  [ -d "$p" ] || die "profile dir $p missing" 2
  make_certs; start_server; ff_prepare "$p"
  local rc=0
  firefox_run "$p" "/?read=1" || rc=$?
  # Firefox says nothing on stderr about a damaged store: check the sqlite files.
  local dbs=("$p/cookies.sqlite") f
  for f in "$p"/storage/default/https+++*notion*/ls/data.sqlite; do [ -f "$f" ] && dbs+=("$f"); done
  [ -f "$p/cookies.sqlite" ] && sqlite_check "$WORK/browser.log" "${dbs[@]}"
  local rep
  rep=$(last_report read) || { corrupt_check "$WORK/browser.log" && exit 3
    cat "$WORK/browser.log" >&2; die "firefox read failed (rc=$rc)"; }
  emit_read "$rep" "$WORK/browser.log"
}

case "$MODE" in
  chromium) do_chromium ;;
  chromium-read) do_chromium_read ;;
  firefox) do_firefox ;;
  firefox-read) do_firefox_read ;;
esac
