"""Printing a run's events to the console, at the level `loggers.console.config.log_level` sets."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from dagster_core.events import DagsterEvent

_logger = logging.getLogger("dagster")


def _terminal_stderr() -> TextIO:
    """A stream on a copy of this process's stderr, so a step's captured output (which
    redirects file descriptor 2) does not swallow the run's console log."""
    try:
        return os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    except (AttributeError, OSError, ValueError):  # stderr replaced by an object without an fd
        return sys.stderr


def _ensure_handler() -> None:
    if not _logger.handlers:
        handler = logging.StreamHandler(_terminal_stderr())
        handler.setFormatter(
            logging.Formatter("%(asctime)s - dagster - %(levelname)s - %(message)s")
        )
        _logger.addHandler(handler)
        _logger.setLevel(logging.DEBUG)
        _logger.propagate = False


def log_event(event: DagsterEvent, level: int) -> None:
    """Print the event if it is at or above `level`."""
    if event.level < level:
        return
    _ensure_handler()
    where = f" - {event.step_key}" if event.step_key else ""
    _logger.log(
        event.level,
        f"{event.pipeline_name} - {event.run_id[:8]}{where} - {event.event_type.value} - {event.message}",
    )
