#!/usr/bin/env python3
"""Tiny HTTPS server for tests/real/capture.sh (Python 3 stdlib only).

    server.py --cert leaf.pem --key leaf.key --port-file F --report R [--port N] [--ops FILE]
              [--settle-ms MS] [--accounts FILE]

Binds 127.0.0.1 (port 0 = any free port), writes the chosen port to F once it
listens, and serves, for any Host (www.notion.so / app.notion.com):

  GET /            plant page: sets Local Storage + cookies (also via Set-Cookie)
  GET /?read=1     read page: lists every Local Storage key of the origin, prints
                   {"origin", "keys", "items", "cookies"} as JSON into <pre id=keys>
                   and POSTs the same JSON to /report (synchronous XHR)
  GET /?ops=1      ops page (needs --ops FILE, a JSON list read on every request):
                   reads every Local Storage key and value ("before"), applies
                   the ops in order, waits --settle-ms if they wrote (so
                   Chromium's commit timer fires), reads again; POSTs {"before", "keys",
                   "items", "done", "ms", "mode": "ops"} to /report (not copied
                   into the DOM). Ops:
                     ["set", KEY, VALUE]   localStorage.setItem
                     ["remove", KEY]       localStorage.removeItem
                     ["remove_prefix", P]  removeItem of every key starting with P
                     ["fill", PREFIX, COUNT, LEN, TAG, KIND]
                                           COUNT keys PREFIX + 6-digit index, each
                                           value LEN characters: TAG:index: then
                                           KIND "random" (default): pseudo-random
                                           letters seeded by both, or "text": a
                                           repeated alphabet (compressible)
                     ["sleep", MS]         synchronous XHR to /sleep?ms=MS (real
                                           time between writes)
  GET /?accounts=1 accounts page (needs --accounts FILE, a JSON object read on
                   every request), what a current Notion build leaves signed in:
                   {"local_storage": [[KEY, VALUE], ...],    localStorage.setItem
                    "cookies": ["name=value; attrs", ...],   document.cookie
                    "set_cookies": ["name=value; attrs", ...]} Set-Cookie headers
                   (HttpOnly secrets such as token_v2); waits --settle-ms after
                   writing, then reports {"keys", "cookies", "mode": "accounts"}
                   (cookie names only) into <pre id=keys> and to /report.
  GET /sleep?ms=N  answers "ok" after N milliseconds (at most 60000)
  POST /report     appends the body (one JSON line) to R

The planted values come from the environment (defaults match
tests/fixtures/real/README.md): WORKSPACE_ID, WORKSPACE_NAME, USER_ID, TOKEN_V2.
"""
import argparse
import http.server
import json
import os
import ssl
import sys
import time

WORKSPACE_ID = os.environ.get("WORKSPACE_ID", "7c9e6679-7425-40de-944b-e07fc1f90ae7")
WORKSPACE_NAME = os.environ.get("WORKSPACE_NAME", "Acme Corp")
USER_ID = os.environ.get("USER_ID", "0f8fad5b-d9cb-469f-a165-70867728950e")
TOKEN_V2 = os.environ.get("TOKEN_V2", "v02:user_token_or_cookies:REALFIXTURESECRET9c41e7b05d2a")


def local_storage():
    """Ordered list of (key, string value) the plant page writes."""
    return [
        (f"notion:workspace:{WORKSPACE_ID}",
         json.dumps({"name": WORKSPACE_NAME, "user_id": USER_ID}, separators=(",", ":"))),
        ("theme", "dark"),
        ("LRU:KeyValueStore2:sidebar",
         json.dumps({"id": "KeyValueStore2:sidebar", "value": {"expanded": True, "width": 240},
                     "timestamp": 1700000000000, "important": True}, separators=(",", ":"))),
        ("ajs_anonymous_id", json.dumps("3b241101-e2bb-4255-8caf-4136c566a962")),
    ]


PLANT_JS = """
var items = %(items)s;
for (var i = 0; i < items.length; i++) localStorage.setItem(items[i][0], items[i][1]);
var age = '; Max-Age=31536000; Path=/; Secure; SameSite=Lax';
document.cookie = 'notion_user_id=%(uid)s' + age;                       // host-only
document.cookie = 'notion_users=%%5B%%22%(uid)s%%22%%5D' + age + '; Domain=.notion.so';
report({planted: Object.keys(localStorage).sort(), cookies: cookieNames()});
"""

READ_JS = """
var keys = [], itemsOut = {};
for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
keys.sort();
keys.forEach(function (k) { itemsOut[k] = localStorage.getItem(k); });
report({keys: keys, items: itemsOut, cookies: cookieNames()});
"""

OPS_JS = """
function readAll() {
  var keys = [], out = {};
  for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
  keys.sort();
  keys.forEach(function (k) { out[k] = localStorage.getItem(k); });
  return out;
}
function pad(i) { var s = String(i); while (s.length < 6) s = '0' + s; return s; }
// "random": pseudo-random letters (LevelDB's snappy cannot shrink its tables);
// "text": a repeated alphabet (snappy-compressed table blocks). Same args, same value.
var ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function filler(tag, i, len, kind) {
  var s = tag + ':' + i + ':', x = 2166136261;
  if (kind === 'text') {
    while (s.length < len) s += 'abcdefghijklmnopqrstuvwxyz0123456789';
    return s.slice(0, len);
  }
  if (kind !== undefined && kind !== 'random') throw new Error('unknown fill kind ' + kind);
  for (var j = 0; j < s.length; j++) x = Math.imul(x ^ s.charCodeAt(j), 16777619) >>> 0;
  var out = [s];
  for (var n = s.length; n < len; n++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(ALPHA.charAt(x >>> 26));
  }
  return out.join('').slice(0, len);
}
var SETTLE_MS = %(settle_ms)d;
var t0 = performance.now(), ops = %(ops)s, done = 0, before = readAll(), t1 = performance.now();
ops.forEach(function (op) {
  if (op[0] === 'set') localStorage.setItem(op[1], op[2]);
  else if (op[0] === 'remove') localStorage.removeItem(op[1]);
  else if (op[0] === 'remove_prefix') {
    Object.keys(before).concat(Object.keys(localStorage)).forEach(function (k) {
      if (k.indexOf(op[1]) === 0) localStorage.removeItem(k);
    });
  }
  else if (op[0] === 'fill') {
    for (var i = 0; i < op[2]; i++) localStorage.setItem(op[1] + pad(i), filler(op[4], i, op[3], op[5]));
  } else if (op[0] === 'sleep') {
    var x = new XMLHttpRequest(); x.open('GET', '/sleep?ms=' + op[1], false); x.send();
  } else throw new Error('unknown op ' + JSON.stringify(op));
  done++;
});
// Chromium commits Local Storage on a timer (1 s with ls_ops.sh's
// --enable-aggressive-domstorage-flushing) and its --dump-dom exit does not
// reliably flush what is still pending: give a run that wrote the time to commit.
var wrote = ops.some(function (op) { return op[0] !== 'sleep'; });
if (wrote && SETTLE_MS > 0) {
  var x = new XMLHttpRequest(); x.open('GET', '/sleep?ms=' + SETTLE_MS, false); x.send();
}
var t2 = performance.now(), items = readAll();
report({before: before, keys: Object.keys(items).sort(), items: items, done: done,
        ms: {read_before: t1 - t0, ops: t2 - t1, read_after: performance.now() - t2}});
"""

ACCOUNTS_JS = """
var plan = %(plan)s, SETTLE_MS = %(settle_ms)d;
(plan.local_storage || []).forEach(function (kv) { localStorage.setItem(kv[0], kv[1]); });
(plan.cookies || []).forEach(function (c) { document.cookie = c; });
// Let Chromium's Local Storage commit timer fire before --dump-dom exits.
if (SETTLE_MS > 0) {
  var x = new XMLHttpRequest(); x.open('GET', '/sleep?ms=' + SETTLE_MS, false); x.send();
}
var keys = [];
for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
report({keys: keys.sort(), cookies: cookieNames()});
"""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>notion fixture</title></head>
<body><pre id="keys"></pre>
<script>
function cookieNames() {
  return document.cookie.split('; ').filter(Boolean).map(function (c) { return c.split('=')[0]; }).sort();
}
function report(o) {
  o.origin = location.origin; o.mode = '%(mode)s';
  var s = JSON.stringify(o);
  // ops reports can be 10 MB: only the POST carries them (the DOM copy made
  // --dump-dom several seconds slower)
  document.getElementById('keys').textContent = o.mode === 'ops' ? 'reported by POST' : s;
  try { var x = new XMLHttpRequest(); x.open('POST', '/report', false); x.send(s); } catch (e) {}
}
try {
%(body)s
} catch (e) { report({error: String(e)}); }
</script></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("server: " + (fmt % args) + "\n")

    def _send(self, code, body, ctype="text/html; charset=utf-8", cookies=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for c in cookies:
            self.send_header("Set-Cookie", c)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/favicon.ico":
            return self._send(404, "", "text/plain")
        params = query.split("&")
        if path == "/sleep":
            ms = next((int(p[3:]) for p in params if p.startswith("ms=") and p[3:].isdigit()), 0)
            time.sleep(min(ms, 60000) / 1000)
            return self._send(200, "ok", "text/plain")
        if "ops=1" in params:
            if not self.server.ops_path:
                return self._send(500, "server.py: no --ops file", "text/plain")
            with open(self.server.ops_path, encoding="utf-8") as f:
                ops = json.load(f)
            # "</" inside a value must not close the <script> element
            ops_js = json.dumps(ops).replace("</", "<\\/")
            return self._send(200, PAGE % {"mode": "ops", "body": OPS_JS % {"ops": ops_js, "settle_ms": self.server.settle_ms}})
        if "accounts=1" in params:
            if not self.server.accounts_path:
                return self._send(500, "server.py: no --accounts file", "text/plain")
            with open(self.server.accounts_path, encoding="utf-8") as f:
                plan = json.load(f)
            plan_js = json.dumps(plan).replace("</", "<\\/")
            body = ACCOUNTS_JS % {"plan": plan_js, "settle_ms": self.server.settle_ms}
            return self._send(200, PAGE % {"mode": "accounts", "body": body},
                              cookies=plan.get("set_cookies", []))
        if "read=1" in params:
            return self._send(200, PAGE % {"mode": "read", "body": READ_JS})
        body = PLANT_JS % {"items": json.dumps(local_storage()), "uid": USER_ID}
        age = "Max-Age=31536000; Path=/; Secure; SameSite=Lax"
        cookies = [
            # the secret: HttpOnly, shared with subdomains like the real one
            f"token_v2={TOKEN_V2}; Domain=.notion.so; {age}; HttpOnly",
        ]
        return self._send(200, PAGE % {"mode": "plant", "body": body}, cookies=cookies)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        if self.path.startswith("/report"):
            with open(self.server.report_path, "a") as f:
                f.write(body.replace("\n", " ") + "\n")
        return self._send(200, "ok", "text/plain")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--ops", help="JSON list of ops for the /?ops=1 page")
    ap.add_argument("--settle-ms", type=int, default=2000,
                    help="ops page: wait this long after ops that wrote (default 2000)")
    ap.add_argument("--accounts", help="JSON plan (Local Storage, cookies) for the /?accounts=1 page")
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.report_path = a.report
    srv.ops_path = a.ops
    srv.settle_ms = a.settle_ms
    srv.accounts_path = a.accounts
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.set_alpn_protocols(["http/1.1"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
