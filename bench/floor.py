#!/usr/bin/python3
"""The independent read floor of `cargo bench --bench scan` (issue 14).

Reads the Notion data of copies of a home's stores with implementations that
share no code with troubleshoot: C++ LevelDB (Debian's python3-plyvel) for
Local Storage and SQLite (Python's sqlite3) for cookies. Run it with Debian's
/usr/bin/python3, which has plyvel; a pyenv python3 on PATH does not.

  /usr/bin/python3 bench/floor.py ROOT

ROOT holds one folder per profile, made by the bench BEFORE this script
starts (C++ LevelDB has no read-only mode: opening a store replays its logs
into a new table and writes a new MANIFEST, so it must open copies):

  ROOT/<n>/leveldb/   a copy of `Local Storage/leveldb` (without LOCK)
  ROOT/<n>/Cookies    a copy of the Cookies database

The clock (time.perf_counter) starts after the interpreter, plyvel and
sqlite3 are loaded and ROOT is listed, and stops when the last row is read:
it covers opening each LevelDB copy (log replay included), iterating the
prefixes of the Notion origins `https://www.notion.so`,
`https://identity.notion.so` and `https://app.notion.com` (checksums
verified), and opening each Cookies copy read-only and immutable and
fetching its Notion rows. Closing the handles and decoding what was read
happen after the clock. Single-threaded.

Prints one JSON object: seconds (wall), cpu_seconds, leveldb_seconds,
leveldb_open_seconds (the part of it in plyvel.DB(): C++ LevelDB's
recovery, which replays each log and writes it out as a table),
sqlite_seconds, ls_entries, workspaces (sorted `user/space/short id` of
every account/workspace pair the real key families name, with the short
id of the store's newest `spaceIdToShortId`), cookies (Notion cookie rows),
peak_rss_kib (the whole interpreter).
"""

import json
import os
import re
import resource
import sqlite3
import sys
import time

import plyvel

PREFIXES = [
    b"_https://www.notion.so\x00",
    b"_https://identity.notion.so\x00",
    b"_https://app.notion.com\x00",
]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Three of the real user/space pair families: (regex, user group, space group).
PAIRS = [
    (re.compile(rf"^LRU:KeyValueStore2:onAppStartPreference:({UUID}):({UUID})$"), 1, 2),
    (re.compile(rf"^LRU:KeyValueStore2:searchFrecency:({UUID}):({UUID}):0$"), 2, 1),
    (re.compile(rf"^BlockFrecency:({UUID}):({UUID}):"), 1, 2),
]
SHORT_IDS = "LRU:KeyValueStore2:spaceIdToShortId"
COOKIE_SQL = (
    "SELECT host_key, name, value FROM cookies WHERE host_key = 'notion.so' "
    "OR host_key LIKE '%.notion.so' OR host_key = 'notion.com' "
    "OR host_key LIKE '%.notion.com'"
)


def decode(b):
    """A Chromium Local Storage string: 0x01 + Latin-1, or 0x00 + UTF-16LE."""
    if b[:1] == b"\x01":
        return b[1:].decode("latin-1")
    if b[:1] == b"\x00":
        return b[1:].decode("utf-16-le", "replace")
    return b.decode("utf-8", "replace")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    root = sys.argv[1]
    folders = [os.path.join(root, n) for n in sorted(os.listdir(root))]
    ldbs = [os.path.join(f, "leveldb") for f in folders if os.path.isdir(os.path.join(f, "leveldb"))]
    dbs = [os.path.join(f, "Cookies") for f in folders if os.path.isfile(os.path.join(f, "Cookies"))]

    stores = []
    rows = []
    handles = []
    t0 = time.perf_counter()
    c0 = time.process_time()
    opening = 0.0
    for d in ldbs:
        o = time.perf_counter()
        db = plyvel.DB(d, create_if_missing=False)
        opening += time.perf_counter() - o
        handles.append(db)
        entries = []
        for p in PREFIXES:
            entries.extend(db.iterator(prefix=p, verify_checksums=True))
        stores.append(entries)
    t1 = time.perf_counter()
    for f in dbs:
        con = sqlite3.connect(f"file:{f}?mode=ro&immutable=1", uri=True)
        handles.append(con)
        rows.extend(con.execute(COOKIE_SQL).fetchall())
    t2 = time.perf_counter()
    c1 = time.process_time()
    for h in handles:
        h.close()

    workspaces = []
    for entries in stores:
        pairs = set()
        short = {}
        for k, v in entries:
            key = decode(k[k.index(b"\x00") + 1:])
            for rx, u, sp in PAIRS:
                m = rx.match(key)
                if m:
                    pairs.add((m.group(u), m.group(sp)))
            if key == SHORT_IDS:
                short = json.loads(decode(v)).get("value", {})
        for u, sp in pairs:
            workspaces.append(f"{u}/{sp}/{short.get(sp, '')}")
    print(json.dumps({
        "seconds": t2 - t0,
        "cpu_seconds": c1 - c0,
        "leveldb_seconds": t1 - t0,
        "leveldb_open_seconds": opening,
        "sqlite_seconds": t2 - t1,
        "leveldb_stores": len(ldbs),
        "cookie_dbs": len(dbs),
        "ls_entries": sum(len(e) for e in stores),
        "workspaces": sorted(workspaces),
        "cookies": len(rows),
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
