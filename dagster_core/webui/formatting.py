"""How the screens show times and durations: times in UTC (a server and its users may be in
different zones; the pages say UTC), durations short and readable."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_time(seconds: float | None) -> str:
    """ "2026-12-02 10:38:43" (UTC), or "" for none."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def utc_clock(seconds: float | None) -> str:
    """ "10:38:43" (UTC), or "" for none."""
    return utc_time(seconds)[11:]


def duration(seconds: float | None) -> str:
    """ "6.9ms", "2.50s", "3m07s", "1h02m03s", or "" for none."""
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.1f}ms"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{rest:02d}s" if hours else f"{minutes}m{rest:02d}s"
