"""Run the throughput suite: `python -m benchmarks [--quick] [--only NAME[,NAME]]`.

Prints a Markdown table on stdout (progress goes to stderr) and writes
<output-dir>/<date>-<host>.json (a list of records) and <date>-<host>.html (the plots).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import socket
import sys

from benchmarks.measure import Progress, cpu_shares, cpu_ticks
from benchmarks.report import About, markdown, write_html
from benchmarks.services import services
from benchmarks.suite import WORKLOADS, Settings, Suite, plan_cases, progress_units

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def workload_names(value: str) -> set[str]:
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = names - set(WORKLOADS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown workload(s) {', '.join(sorted(unknown))}; choose from {', '.join(WORKLOADS)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the throughput suite: a Markdown table on stdout, progress on stderr, "
        "and <date>-<host>.json and .html in the output directory.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and smaller sizes (about a minute)"
    )
    parser.add_argument(
        "--only",
        type=workload_names,
        action="append",
        metavar="NAME[,NAME]",
        help=f"run only these workloads ({', '.join(WORKLOADS)}); may be repeated",
    )
    parser.add_argument(
        "--reps", type=int, help="timed repetitions per figure (default 5, quick 2)"
    )
    parser.add_argument("--output-dir", default=RESULTS, help=f"where to write (default {RESULTS})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    only = set().union(*args.only) if args.only else set(WORKLOADS)
    settings = Settings.make(args.quick, args.reps)
    cases = plan_cases(settings, only)
    needs = set().union(*(case.needs for case in cases))
    now = datetime.datetime.now()
    host = socket.gethostname()
    about = About(
        now.strftime("%Y-%m-%d %H:%M"),
        host,
        os.cpu_count() or 1,
        platform.python_version(),
        args.quick,
        settings.reps,
        settings.warmup,
    )
    progress = Progress(progress_units(cases, settings))
    ticks = cpu_ticks()
    with services("dask" in needs, "s3" in needs, "postgres" in needs) as found:
        suite = Suite(settings, found, progress)
        for case in cases:
            suite.run(case)
    progress.close()
    if ticks is not None and (after := cpu_ticks()) is not None:
        suite.notes.append(_cpu_note(cpu_shares(ticks, after)))

    os.makedirs(args.output_dir, exist_ok=True)
    stem = os.path.join(args.output_dir, f"{now:%Y-%m-%d}-{host}")
    with open(f"{stem}.json", "w") as f:
        json.dump([dataclasses.asdict(r) for r in suite.records], f, indent=1)
    write_html(f"{stem}.html", suite.records, suite.timeline, suite.notes, about)
    print(markdown(suite.records, suite.notes, about))
    print(f"wrote {stem}.json and {stem}.html", file=sys.stderr)


def _cpu_note(shares: dict[str, float]) -> str:
    """Where the machine's CPU time went while the suite ran: a busy kernel (slow file creation)
    or a host taking CPU from its virtual machine (steal) slows the same code down."""
    kernel = sum(shares.get(kind, 0) for kind in ("system", "irq", "softirq"))
    idle = shares.get("idle", 0) + shares.get("iowait", 0)
    return (
        f"While the suite ran, this machine's CPU time went {shares.get('user', 0):.0%} to user "
        f"code, {kernel:.0%} to the kernel, {shares.get('steal', 0):.1%} to other guests of its "
        f"host (steal), and {idle:.0%} idle."
    )


if __name__ == "__main__":
    main()
