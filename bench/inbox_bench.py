#!/usr/bin/env python3
"""Reader inbox benchmark: letters accepted per second, and that none is lost; and good
letters accepted while slow clients hold connections.

    python3 bench/inbox_bench.py --letters 2000 --concurrency 32 --servers embedded gunicorn
    python3 bench/inbox_bench.py --slow 0 500 2000 4000 --servers embedded nginx waitress

For each server a small site is built, the receiver is started as its own process on a
free loopback port (`fireside inbox serve`, or gunicorn with `generator.inbox:app`), and
N letters are posted from C client threads over real HTTP, each on its own connection,
as browsers without JavaScript send them. Then every file in new/ is read back: the
figure only counts if exactly N whole letters arrived. Rate limits are off; everything
else (validation, fsync of file and folder) is as in production. The client shares the
machine with the server, so the figures are a floor. Benchmarks are scripts, never
timed tests.

With --slow N...: for each N, N slow clients (tests/slow_helpers.py: each sends a whole
request head, then its body a byte every 5 s, and connects again at once when dropped)
come from 127.0.0.2 and up, at most 10 per address, while good letters are sent one after
another from 127.0.0.1 for --seconds, each given 10 s. Reported: how many slow connections
were open, how many good letters were sent and accepted, their median and slowest time,
and, once the slow clients stop, how long until a letter is accepted again (recovery).
Servers: embedded (`fireside inbox serve`), gunicorn (1 worker x 8 threads, alone, as the
README ran it before), waitress (8 threads, its defaults otherwise), waitress-poll (the same
with --connection-limit=5000 --asyncore-use-poll --channel-timeout=30), nginx
(docs/inbox-nginx.conf in front of gunicorn, 1 worker x 8 threads: the production setup).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from generator.build.incremental import build_site  # noqa: E402
from generator.build.options import BuildOptions  # noqa: E402
from generator.inbox.store import InboxStore  # noqa: E402
from tests.slow_helpers import SlowClients, allow_open_files, nginx_in_front  # noqa: E402

SITE_YAML = """\
title: Bench
base_url: https://bench.example/
author:
  name: Bench Writer
  email: bench@bench.example
"""

POST = "---\ntitle: An Inch Wide\ndate: 2026-01-01\n---\n\nI'd love to hear yours.\n"
MESSAGE = (
    "Dear writer,\n\nyour essay about building relationships rather than networks stayed with me. "
    "I run a small shop and I have been answering every customer letter by hand since I read it.\n\n"
    "Thank you.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post_letter(port: int, body: bytes, path: str = "/", timeout: float = 60) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        reply = conn.getresponse()
        reply.read()
        return reply.status
    except OSError:
        return 0
    finally:
        conn.close()


def start(kind: str, root: Path, workers: int, threads: int, open_files: int = 0,
          **extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRESIDE_")}
    env.update({
        "PYTHONPATH": str(PROJECT),
        "FIRESIDE_INBOX_DIR": str(root / "inbox"),
        "FIRESIDE_MANIFEST": str(root / "public" / "fireside-manifest.json"),
        "FIRESIDE_INBOX_PER_ADDRESS": "0",
        "FIRESIDE_INBOX_PER_NETWORK": "0",
        **extra,
    })
    if kind.startswith("waitress"):
        command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={threads}",
                   "--max-request-body-size=524288", "generator.inbox:app"]
        if kind == "waitress-poll":  # past its default 100 connections, and past select()'s 1,024 files
            command[3:3] = ["--connection-limit=5000", "--asyncore-use-poll", "--channel-timeout=30"]
    elif kind == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                   "--threads", str(threads), "--backlog", "1024", "generator.inbox:app"]
    else:
        command = [sys.executable, "-m", "generator", "inbox", "serve", "--port", str(port)]
    def limit_files() -> None:  # in the server's process, before it starts: as `ulimit -n` would
        if open_files:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    process = subprocess.Popen(command, env=env, cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=limit_files)
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{kind} did not start")
        time.sleep(0.05)


def run(kind: str, letters: int, concurrency: int, workers: int, threads: int) -> tuple[float, int, int]:
    root = Path(tempfile.mkdtemp(prefix="fireside-inbox-bench-"))
    try:
        (root / "content/posts").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        (root / "content/posts/inch-wide.md").write_text(POST, encoding="utf-8")
        build_site(root / "site.yaml", BuildOptions(output_dir=root / "public"))
        process, port = start(kind, root, workers, threads)
        try:
            bodies = [
                urlencode({"post": "inch-wide", "name": f"Reader {i}", "email": f"reader{i}@example.com",
                           "message": f"{MESSAGE}({i})", "consent": "private"}).encode()
                for i in range(letters)
            ]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                statuses = list(pool.map(lambda body: post_letter(port, body), bodies))
            seconds = time.perf_counter() - started
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        accepted = statuses.count(303)
        stored = InboxStore(root / "inbox").thoughts(("new",))
        whole = sum(1 for s in stored if s.thought.message.startswith(MESSAGE))
        return accepted / seconds, accepted, whole
    finally:
        shutil.rmtree(root, ignore_errors=True)


def letter_body(i: int) -> bytes:
    return urlencode({"post": "inch-wide", "name": f"Reader {i}", "email": f"reader{i}@example.com",
                      "message": f"{MESSAGE}({i})", "consent": "private"}).encode()


def slow_run(kind: str, slow: int, seconds: float, open_files: int) -> dict[str, float]:
    """Good letters sent one after another for `seconds` while `slow` slow clients hold on."""
    root = Path(tempfile.mkdtemp(prefix="fireside-inbox-slow-"))
    try:
        (root / "content/posts").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        (root / "content/posts/inch-wide.md").write_text(POST, encoding="utf-8")
        build_site(root / "site.yaml", BuildOptions(output_dir=root / "public"))
        server = "gunicorn" if kind == "nginx" else kind
        behind = {"FIRESIDE_TRUST_PROXY": "1"} if kind == "nginx" else {}
        process, port = start(server, root, 1, 8, open_files, **behind)
        try:
            with contextlib.ExitStack() as stack:
                path = "/"
                if kind == "nginx":
                    port = stack.enter_context(nginx_in_front(port, root / "nginx"))
                    path = "/inbox/"
                sources = tuple(f"127.0.{1 + i // 250}.{2 + i % 250}" for i in range(max(1, slow // 10)))
                slow_ones = SlowClients(port, slow, every=5.0, sources=sources, path=path)
                clients = stack.enter_context(slow_ones) if slow else None
                times, statuses, held, timeouts = [], [], [], 0
                ends = time.monotonic() + seconds
                while time.monotonic() < ends and timeouts < 3:
                    started = time.perf_counter()
                    status = post_letter(port, letter_body(len(statuses)), path, timeout=10)
                    times.append(time.perf_counter() - started)
                    statuses.append(status)
                    timeouts = timeouts + 1 if status == 0 else 0
                    held.append(clients.open_now if clients else 0)
                if clients is not None:
                    clients.stop()
                stopped = time.perf_counter()
                recovery = float("nan")
                while time.perf_counter() - stopped < 120:
                    if post_letter(port, letter_body(10**6), path, timeout=2) == 303:
                        recovery = time.perf_counter() - stopped
                        break
                    time.sleep(0.1)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        return {
            "held": statistics.median(held), "sent": len(statuses), "accepted": statuses.count(303),
            "median": statistics.median(times), "slowest": max(times), "recovery": recovery,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=2000, help="letters per run (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads (default 32)")
    parser.add_argument("--runs", type=int, default=3, help="runs per server; the median is shown")
    parser.add_argument("--servers", nargs="+", default=["embedded", "gunicorn"],
                        choices=["embedded", "gunicorn", "waitress", "waitress-poll", "nginx"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (default 8)")
    parser.add_argument("--slow", type=int, nargs="+", metavar="N",
                        help="instead: good letters while N slow clients hold connections")
    parser.add_argument("--seconds", type=float, default=20, help="with --slow: how long letters are sent")
    parser.add_argument("--open-files", type=int, default=0,
                        help="the server's open-file limit, soft and hard (e.g. 1024, a common default)")
    args = parser.parse_args()
    if args.slow:
        allow_open_files(2 * max(args.slow) + 1024)
        print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"{time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.1f}; good letters sent one "
              f"after another for {args.seconds:.0f} s; server's open files: "
              f"{args.open_files or resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")
        print(f"{'server':<10} {'slow':>6} {'held':>6} {'sent':>5} {'accepted':>9} {'median s':>9} "
              f"{'slowest s':>10} {'recovery s':>11}")
        for kind in args.servers:
            for slow in args.slow:
                r = slow_run(kind, slow, args.seconds, args.open_files)
                print(f"{kind:<10} {slow:>6} {r['held']:>6.0f} {r['sent']:>5} {r['accepted']:>9} "
                      f"{r['median']:>9.3f} {r['slowest']:>10.2f} {r['recovery']:>11.2f}", flush=True)
        return
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.letters} letters from {args.concurrency} client threads, median of {args.runs} runs")
    failed = False
    for kind in args.servers:
        rates, lost = [], 0
        for _ in range(args.runs):
            rate, accepted, whole = run(kind, args.letters, args.concurrency, args.workers, args.threads)
            rates.append(rate)
            lost += args.letters - whole
            failed |= accepted != args.letters or whole != args.letters
        label = kind if kind == "embedded" else f"gunicorn ({args.workers} workers x {args.threads} threads)"
        print(f"{label:<36} {statistics.median(rates):8.0f} letters/s   lost: {lost}")
    if failed:
        raise SystemExit("some letters were refused or lost")


if __name__ == "__main__":
    main()
