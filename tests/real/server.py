#!/usr/bin/env python3
"""Tiny HTTPS server for tests/real/capture.sh (Python 3 stdlib only).

    server.py --cert leaf.pem --key leaf.key --port-file F --report R [--port N]

Binds 127.0.0.1 (port 0 = any free port), writes the chosen port to F once it
listens, and serves, for any Host (www.notion.so / app.notion.com):

  GET /            plant page: sets Local Storage + cookies (also via Set-Cookie)
  GET /?read=1     read page: lists every Local Storage key of the origin, prints
                   {"origin", "keys", "items", "cookies"} as JSON into <pre id=keys>
                   and POSTs the same JSON to /report (synchronous XHR)
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
  document.getElementById('keys').textContent = s;
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
        if "read=1" in query.split("&"):
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
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.report_path = a.report
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
