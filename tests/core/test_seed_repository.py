"""Seed-era (0.7) code as users port it: loggers, repositories, date schedules and how the CLI
loads code (-f / -m / -n / -y, and repository.yaml in the working directory)."""

import logging
import os
import subprocess
import sys
import textwrap

import pytest

from dagster_core import (
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    Field,
    Int,
    LoggerDefinition,
    ModeDefinition,
    String,
    execute_pipeline,
    logger,
    pipeline,
    solid,
)

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")


# -- loggers -----------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, into):
        super().__init__()
        self.into = into

    def emit(self, record):
        self.into.append(record)


collected_records: list[logging.LogRecord] = []
built_loggers: list[tuple[object, str]] = []


@logger(config={"name": Field(String), "level": Field(Int, default_value=logging.DEBUG)})
def collecting_logger(init_context):
    """Keeps every record it gets in collected_records."""
    built_loggers.append((init_context.logger_config, init_context.run_id))
    collected = logging.Logger(
        init_context.logger_config["name"], init_context.logger_config["level"]
    )
    collected.addHandler(_Collect(collected_records))
    return collected


@solid
def chatty(context):
    context.log.debug("a debug line")
    context.log.info("an info line")
    return 1


@pipeline(mode_defs=[ModeDefinition(logger_defs={"collect": collecting_logger})])
def logged():
    chatty()


@pytest.fixture
def records():
    collected_records.clear()
    built_loggers.clear()
    yield collected_records


def test_a_user_logger_is_built_once_from_its_config_and_gets_every_message(records):
    config = {"loggers": {"collect": {"config": {"name": "mine"}}}}
    result = execute_pipeline(logged, config)
    assert built_loggers == [({"name": "mine", "level": logging.DEBUG}, result.run_id)]
    messages = [r.getMessage() for r in records]
    assert any("chatty.compute - LOG_MESSAGE - a debug line" in m for m in messages)
    assert any("PIPELINE_SUCCESS" in m for m in messages)
    debug = next(r for r in records if "a debug line" in r.getMessage())
    assert debug.levelno == logging.DEBUG and debug.name == "mine"
    assert debug.dagster_meta["orig_message"] == "a debug line"
    assert debug.dagster_meta["step_key"] == "chatty.compute"
    assert debug.dagster_meta["dagster_event"] is None  # a log message, not a framework event
    success = next(r for r in records if "STEP_SUCCESS" in r.getMessage())
    assert success.dagster_meta["dagster_event"].event_type.value == "STEP_SUCCESS"
    # one record per event of the run, however many there were
    assert len(records) == len(result.event_list)


def test_a_user_logger_filters_by_its_own_level(records):
    config = {"loggers": {"collect": {"config": {"name": "mine", "level": logging.INFO}}}}
    execute_pipeline(logged, config)
    messages = [r.getMessage() for r in records]
    assert any("an info line" in m for m in messages)
    assert not any("a debug line" in m for m in messages)


def test_a_user_logger_gets_the_messages_of_steps_run_in_child_processes(records, tmp_path):
    config = {
        "loggers": {"collect": {"config": {"name": "mine"}}},
        "execution": {"multiprocess": {}},
        "storage": {"filesystem": {"base_dir": str(tmp_path)}},
    }
    result = execute_pipeline(logged, config)
    assert len(built_loggers) == 1
    assert any("an info line" in r.getMessage() for r in records)
    assert len(records) == len(result.event_list)


def test_logger_definitions_and_their_config_are_checked_early():
    @logger
    def bare(init_context):
        return logging.Logger("bare")

    assert isinstance(bare, LoggerDefinition) and bare.config_field is None
    seed_spelling = LoggerDefinition(lambda _: logging.Logger("x"), config_field={"n": Int})
    assert seed_spelling.config_field is not None
    with pytest.raises(DagsterInvalidDefinitionError, match="Logger 'collect' of mode 'default'"):
        ModeDefinition(logger_defs={"collect": lambda init_context: None})
    with pytest.raises(DagsterInvalidConfigError) as error:
        execute_pipeline(logged, {"loggers": {"console": {}, "collect": {"config": {}}}})
    assert 'loggers: unknown field "console"' in str(error.value)
    assert 'loggers.collect.config: missing required field "name"' in str(error.value)


def test_a_logger_that_returns_no_logger_fails_the_run_naming_it():
    @logger
    def broken(init_context):
        return "not a logger"

    @pipeline(mode_defs=[ModeDefinition(logger_defs={"broken": broken})])
    def quiet():
        chatty()

    with pytest.raises(DagsterInvariantViolationError, match="Logger 'broken'.*logging.Logger"):
        execute_pipeline(quiet, {"loggers": {"broken": {}}})


CONSOLE_SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from dagster_core import ModeDefinition, execute_pipeline, logger, pipeline, solid

    @logger
    def silent(init_context):
        return logging.Logger("silent")

    @solid
    def chatty(context):
        context.log.debug("a debug line")
        context.log.info("an info line")

    @pipeline(mode_defs=[ModeDefinition("default"), ModeDefinition("own", logger_defs={"silent": silent})])
    def logged():
        chatty()

    level, mode = sys.argv[1], sys.argv[2]
    if mode == "own":
        config = {"loggers": {"silent": {}}} if level == "silent" else {}
    else:
        config = {"loggers": {"console": {"config": {"log_level": level}}}} if level else {}
    execute_pipeline(logged, config, mode=mode)
    """
)


@pytest.mark.parametrize(
    "level, mode, shows_info, shows_debug",
    [
        ("", "default", True, False),  # no loggers configured: the console at INFO
        ("DEBUG", "default", True, True),
        ("WARNING", "default", False, False),
        ("", "own", True, False),  # a mode of its own loggers, none configured: the console
        ("silent", "own", False, False),  # only the configured logger, no console
    ],
)
def test_the_console_prints_what_the_run_config_asks_for(
    tmp_path, level, mode, shows_info, shows_debug
):
    (tmp_path / "console.py").write_text(CONSOLE_SCRIPT)
    out = subprocess.run(
        [sys.executable, "console.py", level, mode],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": ""},
    )
    assert out.returncode == 0, out.stderr
    assert ("dagster - INFO - logged - " in out.stderr) == shows_info
    assert ("LOG_MESSAGE - an info line" in out.stderr) == shows_info
    assert ("LOG_MESSAGE - a debug line" in out.stderr) == shows_debug
