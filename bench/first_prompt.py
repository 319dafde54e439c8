#!/usr/bin/env python3
"""Time to first prompt of `troubleshoot` on a pseudo-terminal (issue 8).

Spawns `BIN --root ROOT --layout linux` on a fresh pty (os.forkpty) and
measures from just before the fork to the moment the text
"What do you want to do in Notion?" has been written to the terminal.
Baseline on the same pty: `BIN --version`, until its output appears (the
floor: process start, dynamic loading, argument parsing, one write).
Reports the median of --runs runs of each, and the ratio.

Usage:
  python3 bench/first_prompt.py --bin target/release/troubleshoot --root HOME [--runs 20]
  cargo bench --bench scan      # runs this on the bench's realistic home

Standard library only.
"""

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

PROMPT = "What do you want to do in Notion?"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def spawn_until(argv, needle, timeout=10.0):
    """Seconds from fork to `needle` on the pty; (seconds, output)."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    env.pop("NO_COLOR", None)
    t0 = time.perf_counter()
    pid, fd = os.forkpty()
    if pid == 0:  # child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    buf = b""
    found = None
    deadline = t0 + timeout
    try:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the pty
                break
            if not chunk:
                break
            buf += chunk
            if needle.encode() in ANSI.sub(b"", buf).replace(b"\r", b""):
                found = time.perf_counter() - t0
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return found, buf


def measure(argv, needle, runs):
    times = []
    for _ in range(runs):
        t, out = spawn_until(argv, needle)
        if t is None:
            tail = ANSI.sub(b"", out).decode("utf-8", "replace")[-400:]
            raise SystemExit(f"{' '.join(argv)}: {needle!r} never appeared; output: {tail!r}")
        times.append(t)
    return statistics.median(times), times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/troubleshoot")
    ap.add_argument("--root", required=True, help="home folder to scan (--root)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--markdown-rows", action="store_true",
                    help="print two rows of the BENCHMARKS.md table")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary}: not an executable (cargo build --release)")

    # Warm up the page cache once for each.
    spawn_until([binary, "--version"], "troubleshoot")
    spawn_until([binary, "--root", a.root, "--layout", "linux"], PROMPT)

    base, _ = measure([binary, "--version"], "troubleshoot", a.runs)
    first, all_first = measure([binary, "--root", a.root, "--layout", "linux"], PROMPT, a.runs)
    ratio = first / base if base > 0 else float("nan")
    if a.markdown_rows:
        met = "yes" if first < 0.100 else "no"
        print(f"| time to first prompt (pty, median of {a.runs}) | {first * 1000:.1f} ms | < 100 ms | {met} |")
        print(f"| `--version` on the same pty (process start floor) | {base * 1000:.1f} ms | - | ratio {ratio:.1f}x |")
    else:
        print(f"first prompt: median {first * 1000:.1f} ms (min {min(all_first) * 1000:.1f}, max {max(all_first) * 1000:.1f}) over {a.runs} runs")
        print(f"--version:    median {base * 1000:.1f} ms")
        print(f"ratio:        {ratio:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
