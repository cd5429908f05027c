"""The run's loggers, in the process that drives the run: every event of the run (the solids'
`context.log` messages and the framework's events alike, from whichever process made them) goes
to each of them once, as a Python logging record."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from dagster_core.config import process_config
from dagster_core.definitions.logger import (
    InitLoggerContext,
    LoggerDefinition,
    colored_console_logger,
)
from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.events import DagsterEvent, DagsterEventType
from dagster_core.execution.context import RunContext

# A record's attribute holding what the event was about, for loggers that want more than the text.
DAGSTER_META_KEY = "dagster_meta"


class RunLoggers:
    """The loggers of one run, built once when the run starts."""

    def __init__(self, loggers: Sequence[logging.Logger] = ()):
        self._loggers = tuple(loggers)

    @classmethod
    def build(cls, ctx: RunContext) -> RunLoggers:
        """The loggers the run config names under `loggers:`; none named: the console at INFO."""
        mode = ctx.pipeline.get_mode(ctx.run.mode)
        chosen: list[tuple[str, LoggerDefinition, Any]] = [
            (name, mode.logger_defs[name], config)
            for name, config in ctx.environment.loggers.items()
        ]
        if not chosen:
            default_config = process_config(colored_console_logger.config_field, {})
            chosen = [("console", colored_console_logger, default_config)]
        return cls([_start(name, d, config, ctx) for name, d, config in chosen])

    def log_event(self, event: DagsterEvent) -> None:
        """Send the event to every logger at its level (each logger filters by its own)."""
        if not any(run_logger.isEnabledFor(event.level) for run_logger in self._loggers):
            return  # most of a run's events are DEBUG: no record to make
        where = f" - {event.step_key}" if event.step_key else ""
        text = (
            f"{event.pipeline_name} - {event.run_id[:8]}{where} - {event.event_type.value} - "
            f"{event.message}"
        )
        meta = {
            "run_id": event.run_id,
            "pipeline": event.pipeline_name,
            "step_key": event.step_key,
            "solid": event.solid_name,
            "orig_message": event.message,
            "dagster_event": None if event.event_type is DagsterEventType.LOG_MESSAGE else event,
        }
        for run_logger in self._loggers:
            run_logger.log(event.level, text, extra={DAGSTER_META_KEY: meta})


def _start(name: str, logger_def: LoggerDefinition, config: Any, ctx: RunContext) -> logging.Logger:
    """Call the logger's function; what it returns must be a logging.Logger."""
    init_context = InitLoggerContext(config, ctx.pipeline, logger_def, ctx.run_id)
    try:
        built = logger_def.logger_fn(init_context)
    except Exception as error:
        error.add_note(f"while starting logger '{name}' of run {ctx.run_id}")
        raise
    if not isinstance(built, logging.Logger):
        raise DagsterInvariantViolationError(
            f"Logger '{name}' ({logger_def!r}) returned {built!r}: a logger function must return "
            "a logging.Logger"
        )
    return built
