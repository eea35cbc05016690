#!/usr/bin/env python3
"""Reader inbox benchmark: letters accepted per second, and that none is lost.

    python3 bench/inbox_bench.py --letters 2000 --concurrency 32 --servers embedded gunicorn

For each server a small site is built, the receiver is started as its own process on a
free loopback port (`fireside inbox serve`, or gunicorn with `generator.inbox:app`), and
N letters are posted from C client threads over real HTTP, each on its own connection,
as browsers without JavaScript send them. Then every file in new/ is read back: the
figure only counts if exactly N whole letters arrived. Rate limits are off; everything
else (validation, fsync of file and folder) is as in production. The client shares the
machine with the server, so the figures are a floor. Benchmarks are scripts, never
timed tests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
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


def post_letter(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        reply = conn.getresponse()
        reply.read()
        return reply.status
    except OSError:
        return 0
    finally:
        conn.close()


def start(kind: str, root: Path, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRESIDE_")}
    env.update({
        "PYTHONPATH": str(PROJECT),
        "FIRESIDE_INBOX_DIR": str(root / "inbox"),
        "FIRESIDE_MANIFEST": str(root / "public" / "fireside-manifest.json"),
        "FIRESIDE_INBOX_PER_ADDRESS": "0",
        "FIRESIDE_INBOX_PER_NETWORK": "0",
    })
    if kind == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                   "--threads", str(threads), "--backlog", "1024", "generator.inbox:app"]
    else:
        command = [sys.executable, "-m", "generator", "inbox", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=2000, help="letters per run (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="client threads (default 32)")
    parser.add_argument("--runs", type=int, default=3, help="runs per server; the median is shown")
    parser.add_argument("--servers", nargs="+", default=["embedded", "gunicorn"],
                        choices=["embedded", "gunicorn"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (default 8)")
    args = parser.parse_args()
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
