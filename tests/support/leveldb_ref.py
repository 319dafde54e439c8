#!/usr/bin/python3
"""C++ LevelDB (Debian's python3-plyvel) as the reference for tests/it/leveldb.rs.

    leveldb_ref.py build KIND DIR   write a Chromium-layout Local Storage store of
                                    KIND into DIR (must not exist); print JSON
                                    {"history": [[key_hex, value_hex], ...]}: every
                                    pair ever put, so a reader can be checked for
                                    never inventing data
    leveldb_ref.py dump DIR         copy DIR (C++ LevelDB writes on open), open the
                                    copy with paranoid checks, print JSON
                                    {"entries": [[key_hex, value_hex], ...]} sorted
    leveldb_ref.py dump-lenient DIR the same without paranoid checks: what C++
                                    LevelDB recovers from a damaged store
    leveldb_ref.py lock-try DIR     try the fcntl lock C++ LevelDB takes on DIR/LOCK;
                                    print "free" or "locked"; then try to open DIR
                                    with plyvel and print "opened" or "refused"

Run with Debian's /usr/bin/python3 (plyvel is a Debian package, not on PyPI's
python here). Deterministic: the same KIND always writes the same pairs.
"""
import fcntl
import json
import os
import random
import shutil
import sys
import tempfile

import plyvel

WWW = "https://www.notion.so"
APP = "https://app.notion.com"
OTHER = "https://example.com"


def ls_key(origin, key):
    # Chromium: "_" origin "\0" then 0x01 + Latin-1, or 0x00 + UTF-16LE.
    try:
        enc = b"\x01" + key.encode("latin-1")
    except UnicodeEncodeError:
        enc = b"\x00" + key.encode("utf-16-le")
    return b"_" + origin.encode() + b"\x00" + enc


def ls_value(value):
    try:
        return b"\x01" + value.encode("latin-1")
    except UnicodeEncodeError:
        return b"\x00" + value.encode("utf-16-le")


def workspace(ws, name, user):
    return ls_key(WWW, "notion:workspace:" + ws), ls_value(
        json.dumps({"name": name, "user_id": user}, separators=(",", ":"), ensure_ascii=False))


class Store:
    """A store written session by session, remembering every pair put."""

    def __init__(self, path, **opts):
        self.path = path
        self.opts = opts
        self.history = set()
        self.db = None

    def open(self, **extra):
        o = dict(self.opts)
        o.update(extra)
        self.db = plyvel.DB(self.path, create_if_missing=True, **o)
        return self

    def close(self):
        self.db.close()
        self.db = None

    def put(self, k, v, wb=None):
        self.history.add((k, v))
        (wb or self.db).put(k, v)

    def batch(self):
        return self.db.write_batch(sync=False)


def filler(rng, n):
    return "".join(chr(97 + rng.randrange(26)) for _ in range(n))


def base(s):
    s.put(b"VERSION", b"1")
    s.put(b"META:" + WWW.encode(), b"\x08\x01\x10\x02")


def build(kind, path):
    rng = random.Random(kind)
    # Chromium keeps Local Storage data blocks uncompressed; default LevelDB
    # compresses with snappy. Both are covered.
    comp = None if kind in ("levels", "one-batch-1mb") else "snappy"
    s = Store(path, compression=comp, write_buffer_size=64 << 20)
    if kind == "one-batch-1mb":
        # One page load: 3 workspaces and 2,000 values of 500 characters,
        # one write batch, one ~1 MB log record across 33 blocks.
        s.open()
        with s.batch() as wb:
            base_wb = [(b"VERSION", b"1")]
            for k, v in base_wb:
                s.put(k, v, wb)
            for i, (ws, name) in enumerate([("ws-1", "Acme Corp"), ("ws-2", "Beta"), ("ws-3", "Équipe 東京")]):
                k, v = workspace(ws, name, "user-%d" % (i % 2))
                s.put(k, v, wb)
            for i in range(2000):
                s.put(ls_key(WWW, "filler-%05d" % i), ls_value(filler(rng, 500)), wb)
        s.close()
    elif kind == "small-batches":
        # Hundreds of small batches with overwrites and deletions, all in the log.
        s.open()
        base(s)
        keys = [ls_key(o, "k%03d" % i) for o in (WWW, APP, OTHER) for i in range(60)]
        for n in range(600):
            with s.batch() as wb:
                for _ in range(rng.randrange(1, 4)):
                    k = rng.choice(keys)
                    if rng.random() < 0.2:
                        wb.delete(k)
                    else:
                        s.put(k, ls_value("v%d-%s" % (n, filler(rng, rng.randrange(1, 300)))), wb)
        s.close()
    elif kind == "log-4mb":
        # Over 4 MB still in one log (a large write buffer keeps it there).
        s.open()
        base(s)
        for n in range(90):
            with s.batch() as wb:
                for i in range(100):
                    origin = (WWW, APP, OTHER)[i % 3]
                    s.put(ls_key(origin, "b%02d-%03d" % (n % 45, i)), ls_value(filler(rng, 500)), wb)
        s.close()
    elif kind == "manifest-8k":
        # A small write buffer: hundreds of flushes and compactions in one
        # session, so the MANIFEST's version edits pass 8 KiB.
        s = Store(path, compression="snappy", write_buffer_size=64 << 10)
        s.open()
        base(s)
        for n in range(6000):
            origin = (WWW, APP, OTHER)[n % 3]
            s.put(ls_key(origin, "m%04d" % (n % 2500)), ls_value(filler(rng, 2000)))
        s.close()
        size = max(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path) if f.startswith("MANIFEST-"))
        assert size > 8192, "manifest only %d bytes" % size
    elif kind == "levels":
        # Several sessions with a small write buffer: tables on more than one
        # level (compacted, and level-0 from reopening), and the newest
        # writes still in the log.
        s = Store(path, compression=None, write_buffer_size=128 << 10)
        for session in range(5):
            s.open()
            if session == 0:
                base(s)
            for i in range(1500):
                origin = (WWW, APP, OTHER)[i % 3]
                k = ls_key(origin, "lv%04d" % ((i * 7 + session * 13) % 1200))
                if session > 1 and i % 11 == 0:
                    s.db.delete(k)
                else:
                    s.put(k, ls_value("s%d-%s" % (session, filler(rng, 400))))
            if session == 1:
                s.db.compact_range()
            if session == 4:
                s.put(ls_key(WWW, "last-in-log"), ls_value("newest"))
                levels = [int(s.db.get_property(b"leveldb.num-files-at-level%d" % n)) for n in range(7)]
                assert sum(1 for n in levels if n) >= 2, levels
            s.close()
    elif kind == "overwrites-deletes":
        # Keys in a compacted table, then overwritten, deleted and re-added
        # in later tables and in the log: only sequence numbers decide.
        s.open()
        base(s)
        for ws in ("a", "b", "c", "d", "e"):
            k, v = workspace("ws-" + ws, "Name " + ws, "user-1")
            s.put(k, v)
        s.db.compact_range()
        s.close()
        s.open()
        s.db.delete(workspace("ws-d", "", "")[0])
        k, v = workspace("ws-e", "Renamed once", "user-1")
        s.put(k, v)
        s.close()  # reopening turns this log into a level-0 table
        s.open()
        k, v = workspace("ws-a", "Renamed in log", "user-2")
        s.put(k, v)
        s.db.delete(workspace("ws-b", "", "")[0])
        k, v = workspace("ws-d", "Back again", "user-1")
        s.put(k, v)
        k, v = workspace("ws-e", "Renamed twice", "user-1")
        s.put(k, v)
        s.db.delete(workspace("ws-never", "", "")[0])
        s.close()
    else:
        sys.exit("unknown kind " + kind)
    return s.history


def dump(path, paranoid=True):
    tmp = tempfile.mkdtemp(prefix="leveldb-ref-")
    try:
        copy = os.path.join(tmp, "db")
        shutil.copytree(path, copy, ignore=shutil.ignore_patterns("LOCK"))
        db = plyvel.DB(copy, paranoid_checks=paranoid)
        out = [[k.hex(), v.hex()] for k, v in db.iterator()]
        db.close()
        return out
    finally:
        shutil.rmtree(tmp)


def lock_try(path):
    with open(os.path.join(path, "LOCK"), "r+b") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.lockf(f, fcntl.LOCK_UN)
            print("free")
        except OSError:
            print("locked")
    try:
        plyvel.DB(path).close()
        print("opened")
    except plyvel.IOError:
        print("refused")


def main():
    if len(sys.argv) != 3 and not (len(sys.argv) == 4 and sys.argv[1] == "build"):
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "build":
        history = build(sys.argv[2], sys.argv[3])
        print(json.dumps({"history": sorted([k.hex(), v.hex()] for k, v in history)}))
    elif cmd == "dump":
        print(json.dumps({"entries": dump(sys.argv[2])}))
    elif cmd == "dump-lenient":
        print(json.dumps({"entries": dump(sys.argv[2], paranoid=False)}))
    elif cmd == "lock-try":
        lock_try(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
