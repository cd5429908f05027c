"""Loggers: Python loggers built from config for each run, receiving every message of the run.

A mode's `logger_defs` name the loggers a run may use; the run config's `loggers:` section picks
and configures them (`loggers: {console: {config: {log_level: DEBUG}}}`). When it names none, the
run uses `colored_console_logger` at INFO, as every mode did before loggers were configurable.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from dagster_core.config import ConfigString, Enum, EnumValue, Field, resolve_field
from dagster_core.errors import DagsterInvalidDefinitionError

if TYPE_CHECKING:
    from dagster_core.definitions.pipeline import PipelineDefinition

LOG_LEVELS = Enum(
    "LogLevel",
    [
        EnumValue(name, python_value=getattr(logging, name))
        for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    ],
)
CONSOLE_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


@dataclass(frozen=True)
class InitLoggerContext:
    """What a logger function receives: its validated config and what it is built for."""

    logger_config: Any
    pipeline_def: PipelineDefinition
    logger_def: LoggerDefinition
    run_id: str


class LoggerDefinition:
    """`logger_fn(init_context)` returns the `logging.Logger` that receives the run's messages.

    `config` (or its seed-era spelling `config_field`) is the schema of the logger's config,
    given as `loggers: {NAME: {config: ...}}` and read as `init_context.logger_config`."""

    def __init__(
        self,
        logger_fn: Callable[[InitLoggerContext], logging.Logger],
        config: object = None,
        description: str | None = None,
        config_field: object = None,
    ):
        if not callable(logger_fn):
            raise DagsterInvalidDefinitionError(
                f"LoggerDefinition needs a function of the init context returning a "
                f"logging.Logger, got logger_fn={logger_fn!r}"
            )
        if config is not None and config_field is not None:
            raise DagsterInvalidDefinitionError(
                f"Logger {_name(logger_fn)}: pass its config schema as config= or config_field=, "
                "not both"
            )
        schema = config if config_field is None else config_field
        self.logger_fn = logger_fn
        self.config_field: Field | None = None if schema is None else resolve_field(schema)
        self.description = description

    def __repr__(self) -> str:
        return f"<LoggerDefinition {_name(self.logger_fn)}>"


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", repr(fn))


def logger(
    config: object = None, description: str | None = None, config_field: object = None
) -> Callable[[Callable[[InitLoggerContext], logging.Logger]], LoggerDefinition] | LoggerDefinition:
    """Make a LoggerDefinition from a function; usable bare (`@logger`) or called."""
    if callable(config) and not isinstance(config, Field | type):
        return LoggerDefinition(config)

    def decorator(fn: Callable[[InitLoggerContext], logging.Logger]) -> LoggerDefinition:
        return LoggerDefinition(
            fn, config=config, description=description or fn.__doc__, config_field=config_field
        )

    return decorator


@functools.cache
def _terminal_stderr() -> TextIO:
    """One stream on a copy of this process's stderr, shared by the console loggers, so a step's
    captured output (which redirects file descriptor 2) does not swallow the run's console log."""
    try:
        stream = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    except (AttributeError, OSError, ValueError):  # stderr replaced by an object without an fd
        return sys.stderr
    atexit.register(stream.close)
    return stream


@logger(
    config={
        "log_level": Field(LOG_LEVELS, default_value="INFO"),
        "name": Field(ConfigString, default_value="dagster"),
    },
    description="The run's messages at or above log_level, printed to stderr.",
)
def colored_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    """A logger of its own for the run (not registered with `logging`), writing to stderr."""
    config = init_context.logger_config
    console = logging.Logger(config["name"], level=config["log_level"])
    handler = logging.StreamHandler(_terminal_stderr())
    handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    console.addHandler(handler)
    return console


DEFAULT_LOGGER_NAME = "console"


def default_loggers() -> dict[str, LoggerDefinition]:
    """The loggers of a mode that names none: the console."""
    return {DEFAULT_LOGGER_NAME: colored_console_logger}
