"""The report: a Markdown table for the terminal and README, and an HTML page with the same figures
as bokeh plots plus the per-step timeline of one Dask run."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from bokeh.embed import file_html
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, Div, HoverTool, Whisker
from bokeh.palettes import Category10
from bokeh.plotting import figure
from bokeh.resources import INLINE

from benchmarks.measure import MB, Record
from benchmarks.suite import TimelineBar

COLUMNS = (
    "workload",
    "executor",
    "storage",
    "instance",
    "n",
    "median",
    "min-max",
    "per step/event",
    "baseline (median)",
    "x baseline",
    "driver peak",
)


@dataclass(frozen=True)
class About:
    """Where and how the figures were measured."""

    date: str
    host: str
    cpus: int
    python: str
    quick: bool
    reps: int
    warmup: int

    def describe(self) -> str:
        mode = "--quick" if self.quick else "full"
        return (
            f"{self.date} on {self.host} ({self.cpus} CPUs, Python {self.python}), {mode} run: "
            f"median of {self.reps} repetitions after {self.warmup} warm-up"
        )


def _unit(seconds: float) -> tuple[float, str, int]:
    """(multiplier, unit, decimals) that show `seconds` readably."""
    if seconds < 1e-6:
        return 1e9, "ns", 0
    if seconds < 1e-3:
        return 1e6, "us", 1 if seconds < 1e-5 else 0
    if seconds < 1:
        return 1e3, "ms", 1
    return 1, "s", 2


def duration(seconds: float) -> str:
    scale, unit, decimals = _unit(seconds)
    return f"{seconds * scale:.{decimals}f} {unit}"


def _size(r: Record) -> str:
    return f"{r.n // MB} MB" if r.workload == "data" else f"{r.n:,}"


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def _spread(r: Record) -> str:
    """min-max in the unit of the median."""
    if r.reps == 1:
        return "-"
    scale, unit, decimals = _unit(r.median_s)
    return f"{r.min_s * scale:.{decimals}f}-{r.max_s * scale:.{decimals}f} {unit}"


def title(r: Record) -> str:
    """The workload, with what was timed when it is not a whole run."""
    return r.workload if r.phase == "run" else f"{r.workload} ({r.phase})"


def row(r: Record) -> list[str]:
    """The table cells of one record."""
    baseline = "-"
    if r.baseline is not None and r.baseline_median_s is not None:
        baseline = f"{r.baseline} ({duration(r.baseline_median_s)})"
    return [
        title(r),
        r.executor or "-",
        r.storage or "-",
        r.instance or "-",
        _size(r),
        duration(r.median_s),
        _spread(r),
        "-" if r.per_step_ms is None else duration(r.per_step_ms / 1e3),
        baseline,
        _ratio(r.ratio),
        "-" if r.peak_mb is None else f"{r.peak_mb:.1f} MB",
    ]


def markdown(records: Sequence[Record], notes: Sequence[str], about: About) -> str:
    """The results as a Markdown table, with where they were measured and any notes."""
    lines = [
        f"Throughput, {about.describe()}.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join("---" if i < 4 else "---:" for i in range(len(COLUMNS))) + " |",
    ]
    lines += ["| " + " | ".join(row(r)) + " |" for r in records]
    lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines).rstrip() + "\n"


# -- HTML -----------------------------------------------------------------------------------------


def _label(r: Record) -> str:
    return " · ".join(part for part in (r.executor, r.storage, r.instance) if part)


def _hover_source(records: Sequence[Record]) -> ColumnDataSource:
    return ColumnDataSource(
        {
            "label": [_label(r) for r in records],
            "median": [r.median_s for r in records],
            "low": [r.min_s for r in records],
            "high": [r.max_s for r in records],
            "baseline": [r.baseline_median_s or float("nan") for r in records],
            "baseline_name": [r.baseline or "" for r in records],
            "ratio": [_ratio(r.ratio) for r in records],
            "peak": [r.peak_mb or 0.0 for r in records],
        }
    )


def _time_figure(name: str, records: Sequence[Record]) -> figure:
    """Median per configuration as a bar, min-max as a whisker, the baseline as a diamond."""
    source = _hover_source(records)
    labels = list(dict.fromkeys(source.data["label"]))
    plot = figure(
        title=f"{name} (bar: median, whisker: min-max, diamond: baseline median)",
        y_range=labels[::-1],
        x_axis_label="seconds",
        height=60 + 40 * len(labels),
        width=900,
        tools="",
    )
    plot.hbar(y="label", left=0, right="median", height=0.6, source=source, color=Category10[3][0])
    plot.add_layout(
        Whisker(source=source, base="label", lower="low", upper="high", dimension="width")
    )
    plot.scatter(x="baseline", y="label", source=source, marker="diamond", size=12, color="black")
    plot.add_tools(
        HoverTool(
            tooltips=[
                ("median", "@median{0.000} s"),
                ("min-max", "@low{0.000}-@high{0.000} s"),
                ("baseline", "@baseline_name: @baseline{0.000} s"),
                ("x baseline", "@ratio"),
                ("driver peak", "@peak{0.0} MB"),
            ]
        )
    )
    return plot


def _bar_figure(title_text: str, labels: list[str], values: list[float], unit: str) -> figure:
    plot = figure(
        title=title_text,
        y_range=labels[::-1],
        x_axis_label=unit,
        height=60 + 28 * len(labels),
        width=900,
        tools="",
    )
    source = ColumnDataSource({"label": labels, "value": values})
    plot.hbar(y="label", left=0, right="value", height=0.6, source=source, color=Category10[3][1])
    plot.add_tools(HoverTool(tooltips=[("", "@label"), (unit, "@value{0,0.0}")]))
    return plot


def _ratio_figure(records: Sequence[Record]) -> figure:
    rated = [r for r in records if r.ratio is not None]
    labels = [f"{title(r)} n={_size(r)} · {_label(r)}" for r in rated]
    plot = figure(
        title="x baseline (median over the baseline's median; log scale)",
        y_range=labels[::-1],
        x_axis_type="log",
        x_axis_label="ratio",
        height=60 + 28 * len(labels),
        width=900,
        tools="",
    )
    source = ColumnDataSource(
        {"label": labels, "ratio": [r.ratio for r in rated], "base": [r.baseline for r in rated]}
    )
    plot.scatter(x="ratio", y="label", source=source, size=10, color=Category10[3][2])
    plot.add_tools(HoverTool(tooltips=[("x baseline", "@ratio{0,0.0}"), ("baseline", "@base")]))
    return plot


def _scale_figure(records: Sequence[Record]) -> figure:
    """Median (and min-max) against N on log-log axes, for plan build, run and the loop."""
    plot = figure(
        title="scale: time against N (wide pipeline, in_process; log-log)",
        x_axis_type="log",
        y_axis_type="log",
        x_axis_label="N (no-op solids)",
        y_axis_label="seconds",
        height=400,
        width=900,
        tools="",
    )
    series = {
        "plan build": [(r.n, r.median_s, r.min_s, r.max_s) for r in records if r.phase == "plan"],
        "run": [(r.n, r.median_s, r.min_s, r.max_s) for r in records if r.phase == "run"],
        "python loop": [
            (r.n, r.baseline_median_s, r.baseline_median_s, r.baseline_median_s)
            for r in records
            if r.phase == "run" and r.baseline_median_s
        ],
    }
    for color, (name, points) in zip(Category10[3], series.items(), strict=True):
        if not points:
            continue
        n, median, low, high = (list(values) for values in zip(*points, strict=True))
        source = ColumnDataSource({"n": n, "median": median, "low": low, "high": high})
        plot.line("n", "median", source=source, legend_label=name, color=color)
        plot.scatter("n", "median", source=source, legend_label=name, color=color, size=8)
        plot.add_layout(Whisker(source=source, base="n", lower="low", upper="high"))
    plot.legend.location = "top_left"
    return plot


def _timeline_figure(bars: Sequence[TimelineBar]) -> figure:
    """One row per worker, one bar per step from its STEP_START to its STEP_SUCCESS."""
    workers = sorted({b.worker for b in bars})
    colors = Category10[10]
    source = ColumnDataSource(
        {
            "step": [b.step_key for b in bars],
            "worker": [b.worker for b in bars],
            "start": [b.start_s for b in bars],
            "end": [b.end_s for b in bars],
            "ms": [(b.end_s - b.start_s) * 1e3 for b in bars],
            "color": [colors[i % len(colors)] for i in range(len(bars))],
        }
    )
    plot = figure(
        title=f"One Dask run of the wide pipeline: {len(bars)} steps by worker "
        "(STEP_START to STEP_SUCCESS; worker from Dask's task stream)",
        y_range=workers,
        x_axis_label="seconds from the first STEP_START",
        height=120 + 60 * len(workers),
        width=900,
        tools="xwheel_zoom,xpan,reset",
    )
    plot.hbar(y="worker", left="start", right="end", height=0.7, color="color", source=source)
    plot.add_tools(
        HoverTool(tooltips=[("step", "@step"), ("worker", "@worker"), ("", "@ms{0.0} ms")])
    )
    return plot


def _html_table(records: Sequence[Record]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row(r)) + "</tr>"
        for r in records
    )
    return (
        '<table style="border-collapse: collapse" border="1" cellpadding="4">'
        f"<tr>{head}</tr>{body}</table>"
    )


def write_html(
    path: str,
    records: Sequence[Record],
    timeline: Sequence[TimelineBar],
    notes: Sequence[str],
    about: About,
) -> None:
    """A self-contained HTML page: the table, a plot per workload, ratios, driver memory, the
    scale curves, the event log rates and the Dask timeline."""
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    parts = [
        Div(
            text=f"<h1>Throughput benchmarks</h1><p>{html.escape(about.describe())}.</p>"
            f"{_html_table(records)}<ul>{notes_html}</ul>",
            width=1200,
        )
    ]
    runs = [r for r in records if r.phase == "run"]
    for name in ("wide", "chain", "data"):
        chosen = [r for r in runs if r.workload == name]
        if chosen:
            parts.append(_time_figure(f"{name}, n={_size(chosen[0])}: run time", chosen))
    if any(r.ratio is not None for r in records):
        parts.append(_ratio_figure(records))
    if runs:
        parts.append(
            _bar_figure(
                "Driver peak memory during one run (tracemalloc)",
                [f"{title(r)} n={_size(r)} · {_label(r)}" for r in runs],
                [r.peak_mb or 0.0 for r in runs],
                "MB",
            )
        )
    scale = [r for r in records if r.workload == "scale" and r.executor == "in_process"]
    if scale:
        parts.append(_scale_figure(scale))
    writes = [r for r in records if r.workload == "events" and r.phase == "write"]
    if writes:
        parts.append(
            _bar_figure(
                f"Event log: events written per second (batches of 50; {writes[0].n:,} events)",
                [r.instance or "" for r in writes],
                [r.n / r.median_s for r in writes],
                "events / s",
            )
        )
    reads = [r for r in records if r.workload == "events" and r.phase == "read"]
    if reads:
        parts.append(_time_figure(f"Event log: reading one run's {reads[0].n:,} events", reads))
    if timeline:
        parts.append(_timeline_figure(timeline))
    with open(path, "w", encoding="utf-8") as f:
        f.write(file_html(column(*parts), resources=INLINE, title="Throughput benchmarks"))
