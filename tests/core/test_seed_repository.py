"""Seed-era (0.7) code as users port it: loggers, repositories, date schedules and how the CLI
loads code (-f / -m / -n / -y, and repository.yaml in the working directory)."""

import datetime
import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest

from dagster_core import (
    DagsterInstance,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    Field,
    Int,
    LoggerDefinition,
    ModeDefinition,
    RepositoryDefinition,
    ScheduleDefinition,
    String,
    daily_schedule,
    execute_pipeline,
    hourly_schedule,
    logger,
    monthly_schedule,
    pipeline,
    solid,
    weekly_schedule,
)
from dagster_core.definitions.schedule import latest_fire_time
from dagster_core.scheduler.reconcile import schedule_problem

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


# -- repositories ------------------------------------------------------------------------------


@solid
def emit(context):
    return 1


@pipeline
def first():
    emit()


@pipeline
def second():
    emit()


def test_a_repository_holds_pipelines_by_name_and_builds_dict_entries_once():
    calls = []

    def make_second():
        calls.append("second")
        return second

    repo = RepositoryDefinition("repo", {"second": make_second}, pipeline_defs=[first])
    assert repo.name == "repo" and repo.pipeline_names == ["second", "first"]
    assert repo.has_pipeline("first") and not repo.has_pipeline("third")
    assert repo.get_pipeline("first") is first
    assert repo.get_pipeline("second") is second and repo.get_pipeline("second") is second
    assert [p.name for p in repo.get_all_pipelines()] == ["second", "first"]
    assert calls == ["second"]
    with pytest.raises(DagsterInvariantViolationError, match="has no pipeline 'third'; it has: "):
        repo.get_pipeline("third")


def test_a_repository_takes_schedules_and_a_list_in_place_of_pipeline_dict():
    nightly = ScheduleDefinition("nightly", "0 2 * * *", "first")
    repo = RepositoryDefinition("repo", [first, second], schedule_defs=[nightly])
    assert repo.pipeline_names == ["first", "second"]
    assert repo.schedule_defs == [nightly]
    assert repo.has_schedule_def("nightly") and repo.get_schedule_def("nightly") is nightly
    with pytest.raises(DagsterInvariantViolationError, match="no schedule 'weekly'"):
        repo.get_schedule_def("weekly")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pipeline_defs": [first, first]}, "two pipelines named 'first'"),
        (
            {"pipeline_dict": {"first": lambda: first}, "pipeline_defs": [first]},
            "two pipelines named 'first'",
        ),
        ({"pipeline_defs": [first, "second"]}, "pipeline_defs[1] is 'second', not a Pipeline"),
        ({"pipeline_dict": {"first": first.name}}, "pipeline_dict entry 'first'"),
        (
            {"pipeline_defs": [first], "schedule_defs": [ScheduleDefinition("s", "@daily", "x")]},
            "schedule 's' runs pipeline 'x', which the repository does not have",
        ),
        (
            {
                "pipeline_defs": [first],
                "schedule_defs": [ScheduleDefinition("s", "@daily", "first")] * 2,
            },
            "two schedules named 's'",
        ),
    ],
)
def test_repository_mistakes_are_definition_errors(kwargs, message):
    with pytest.raises(DagsterInvalidDefinitionError) as error:
        RepositoryDefinition("repo", **kwargs)
    assert message in str(error.value)


def test_a_dict_entry_returning_another_pipeline_is_refused_when_asked_for():
    repo = RepositoryDefinition("repo", {"other": lambda: first})
    with pytest.raises(DagsterInvariantViolationError, match="returned pipeline 'first'"):
        repo.get_pipeline("other")


# -- date schedules ----------------------------------------------------------------------------


def local(*args):
    """A time-zone aware local time, as the scheduler passes fire times."""
    return datetime.datetime(*args).astimezone()


def test_a_daily_schedule_runs_for_the_day_before_its_fire_time():
    @daily_schedule(
        pipeline_name="etl",
        start_date=datetime.datetime(2020, 1, 1),
        execution_time=datetime.time(6, 45),
        tags_fn_for_date=lambda date: {"weekday": date.strftime("%A")},
        solid_subset=["load"],
        mode="prod",
    )
    def daily_etl(date):
        return {"solids": {"load": {"config": {"date": date.strftime("%Y-%m-%d")}}}}

    assert isinstance(daily_etl, ScheduleDefinition)
    assert (daily_etl.name, daily_etl.cron_schedule) == ("daily_etl", "45 6 * * *")
    assert (daily_etl.pipeline_name, daily_etl.mode) == ("etl", "prod")
    assert daily_etl.solid_subset == ("load",)
    fired = local(2020, 3, 5, 6, 45)
    assert daily_etl.environment_dict_for(fired) == {
        "solids": {"load": {"config": {"date": "2020-03-04"}}}
    }
    assert daily_etl.tags_for(fired) == {"weekday": "Wednesday", "dagster/partition": "2020-03-04"}
    assert daily_etl.should_execute(fired)
    # the first day has not ended at the first fire time: nothing to run yet
    assert daily_etl.skip_reason(local(2020, 1, 1, 6, 45)) == (
        "no daily period from 2020-01-01 00:00:00 has ended yet"
    )
    assert daily_etl.first_run_time(local(2019, 6, 1)) == local(2020, 1, 2, 6, 45)


@pytest.mark.parametrize(
    "decorator, kwargs, cron, fired, period_start",
    [
        (hourly_schedule, {"execution_time": datetime.time(minute=15)}, "15 * * * *",
         (2020, 1, 19, 3, 15), "2020-01-19-02:00"),
        (weekly_schedule, {"execution_day_of_week": 1, "execution_time": datetime.time(2)},
         "0 2 * * 1", (2020, 1, 20, 2, 0), "2020-01-13"),
        (monthly_schedule, {"execution_day_of_month": 3}, "0 0 3 * *", (2020, 5, 3), "2020-04"),
    ],
)  # fmt: skip
def test_hourly_weekly_and_monthly_schedules(decorator, kwargs, cron, fired, period_start):
    start = datetime.datetime(2020, 1, 6) if decorator is weekly_schedule else None
    start = start or datetime.datetime(2020, 1, 1)

    @decorator(pipeline_name="etl", start_date=start, name="periodic", **kwargs)
    def config_for(date):
        return {"date": str(date)}

    assert (config_for.name, config_for.cron_schedule) == ("periodic", cron)
    assert config_for.tags_for(local(*fired)) == {"dagster/partition": period_start}


def test_monthly_periods_keep_the_start_day_clipped_to_short_months():
    @monthly_schedule(pipeline_name="etl", start_date=datetime.datetime(2020, 1, 31))
    def month_end(date):
        return {"date": date.strftime("%Y-%m-%d")}

    assert month_end.environment_dict_for(local(2020, 3, 1)) == {"date": "2020-01-31"}
    assert month_end.environment_dict_for(local(2020, 3, 31)) == {"date": "2020-02-29"}


@pytest.mark.parametrize(
    "decorator, kwargs, message",
    [
        (daily_schedule, {"start_date": "2020-01-01"}, "start_date must be a datetime.datetime"),
        (daily_schedule, {"execution_time": 6}, "execution_time must be a datetime.time"),
        (weekly_schedule, {"execution_day_of_week": 7}, "use 0 (Sunday) to 6 (Saturday)"),
        (monthly_schedule, {"execution_day_of_month": 0}, "use 1 to 31"),
        (daily_schedule, {"environment_vars": {"N": 1}}, "environment_vars must map strings"),
    ],
)
def test_date_schedule_mistakes_are_definition_errors(decorator, kwargs, message):
    arguments = {"pipeline_name": "etl", "start_date": datetime.datetime(2020, 1, 1), "name": "s"}
    arguments.update(kwargs)
    with pytest.raises(DagsterInvalidDefinitionError) as error:
        decorator(**arguments)(lambda date: {})
    assert message in str(error.value)


def test_a_date_schedule_function_takes_the_period_start():
    with pytest.raises(DagsterInvalidDefinitionError, match="one argument, the period's start"):

        @daily_schedule(pipeline_name="etl", start_date=datetime.datetime(2020, 1, 1))
        def two_arguments(date, other):
            return {}


def test_an_hourly_schedule_with_an_hour_warns_that_it_runs_every_hour():
    with pytest.warns(UserWarning, match="runs at minute 30 of every hour"):
        hourly_schedule("etl", datetime.datetime(2020, 1, 1), execution_time=datetime.time(4, 30))


# -- loading code on the command line ----------------------------------------------------------

REPO_CODE = textwrap.dedent(
    """
    import datetime, os
    from dagster_core import (
        Field, RepositoryDefinition, String, daily_schedule, lambda_solid, pipeline, solid,
    )

    @solid(config={"date": Field(String)})
    def load(context):
        assert os.environ["ETL_TARGET"] == "warehouse"  # the schedule's environment_vars
        return context.solid_config["date"]

    @pipeline
    def etl():
        load()

    @lambda_solid
    def one():
        print("ONE")
        return 1

    @pipeline(name="renamed")
    def other_fn():
        one()

    @daily_schedule(
        pipeline_name="etl", start_date=datetime.datetime(2020, 1, 1),
        execution_time=datetime.time(3, 0), tags_fn_for_date=lambda date: {"team": "data"},
        environment_vars={"ETL_TARGET": "warehouse"},
    )
    def daily_etl(date):
        return {"solids": {"load": {"config": {"date": date.strftime("%Y-%m-%d")}}}}

    repo = RepositoryDefinition("repo", pipeline_defs=[etl, other_fn], schedule_defs=[daily_etl])

    def define_repo():
        return repo

    def define_one():
        return other_fn

    not_a_pipeline = 3
    """
)


@pytest.fixture
def project(tmp_path):
    """project/code/repo.py, and project/repository.yaml naming it."""
    (tmp_path / "project" / "code").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "project" / "code" / "repo.py").write_text(REPO_CODE)
    (tmp_path / "project" / "repository.yaml").write_text(
        "repository:\n  file: code/repo.py\n  fn: define_repo\n"
    )
    return tmp_path / "project"


def dagster(cwd, *args, home="", env=None):
    return subprocess.run(
        [DAGSTER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": str(home), **(env or {})},
    )


def listed(out):
    assert out.returncode == 0, out.stderr
    return [
        line.removeprefix("Pipeline: ") for line in out.stdout.splitlines() if "Pipeline:" in line
    ]


@pytest.mark.parametrize(
    "fn, pipelines",
    [
        ("define_repo", ["etl", "renamed"]),  # a function returning a repository
        ("repo", ["etl", "renamed"]),  # a repository
        ("define_one", ["renamed"]),  # a function returning a pipeline
        ("other_fn", ["renamed"]),  # a pipeline
        ("renamed", ["renamed"]),  # no such name in the code, but a pipeline's own name
    ],
)
def test_dash_n_names_a_repository_a_pipeline_or_a_function_returning_one(project, fn, pipelines):
    assert listed(dagster(project, "pipeline", "list", "-f", "code/repo.py", "-n", fn)) == pipelines


def test_execute_picks_a_pipeline_of_a_repository_by_its_name(project):
    out = dagster(
        project, "pipeline", "execute", "-f", "code/repo.py", "-n", "define_repo", "renamed"
    )
    assert out.returncode == 0, out.stderr
    assert "ONE" in out.stdout and "SUCCESS" in out.stdout
    out = dagster(project, "pipeline", "execute", "-f", "code/repo.py", "--fn-name", "define_one")
    assert out.returncode == 0 and "ONE" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["-n", "define_repo"], "several pipelines; name one as the PIPELINE_NAME argument: etl, renamed"),
        (["-n", "define_repo", "nope"], "No pipeline 'nope' in code/repo.py -n define_repo; it defines: etl, renamed"),
        (["-n", "not_a_pipeline"], "not_a_pipeline in code/repo.py is 3: -n names a pipeline, a RepositoryDefinition, or a function returning one"),
        (["-n", "nope"], "No pipeline 'nope' in code/repo.py"),
        (["-n", "define_one", "etl"], "No pipeline 'etl' in code/repo.py -n define_one"),
    ],
)  # fmt: skip
def test_what_dash_n_cannot_use_exits_2_saying_why(project, args, message):
    out = dagster(project, "pipeline", "execute", "-f", "code/repo.py", *args)
    assert out.returncode == 2 and message in out.stderr, out.stderr


def test_dash_y_reads_the_file_relative_to_the_yaml(project):
    yaml_path = os.path.join("..", "project", "repository.yaml")
    elsewhere = project.parent / "elsewhere"
    assert listed(dagster(elsewhere, "pipeline", "list", "-y", yaml_path)) == ["etl", "renamed"]
    out = dagster(elsewhere, "pipeline", "execute", "-y", yaml_path, "renamed")
    assert out.returncode == 0 and "ONE" in out.stdout, out.stderr


def test_a_repository_yaml_may_name_a_module(project):
    (project / "by_module.yaml").write_text("repository: {module: repo, fn: define_one}\n")
    out = dagster(
        project,
        "pipeline",
        "list",
        "-y",
        "by_module.yaml",
        env={"PYTHONPATH": str(project / "code")},
    )
    assert listed(out) == ["renamed"]


def test_repository_yaml_in_the_working_directory_is_used_when_no_code_is_named(project):
    assert listed(dagster(project, "pipeline", "list")) == ["etl", "renamed"]
    out = dagster(project, "pipeline", "execute", "renamed")
    assert out.returncode == 0 and "ONE" in out.stdout, out.stderr
    out = dagster(project.parent / "elsewhere", "pipeline", "list")
    assert out.returncode == 2
    assert "-f FILE.py, -m MODULE or -y repository.yaml" in out.stderr
    assert "there is no repository.yaml in this directory" in out.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "No such repository file: repo.yaml"),
        ("repository: [\n", "repo.yaml:2: invalid YAML"),
        ("pipelines: {}\n", "repo.yaml: expected a `repository:` key holding `file` (or `module`) and `fn`"),
        ("repository: {file: code/repo.py}\n", "repo.yaml: repository.fn is missing"),
        ("repository: {file: a.py, module: a, fn: f}\n", "repo.yaml: repository needs exactly one of `file` and `module`"),
        ("repository: {file: code/repo.py, fn: define_repo, fun: x}\n", "repo.yaml: unknown key repository.fun"),
        ("repository: {file: missing.py, fn: f}\n", "repo.yaml: repository.file missing.py is not a file"),
        ("repository: {file: code/repo.py, fn: f}\nscheduler: {file: s.py, fn: f}\n", "repo.yaml: `scheduler:` is not read"),
    ],
)  # fmt: skip
def test_a_missing_or_bad_repository_yaml_names_the_file_and_key(project, text, message):
    if text is not None:
        (project / "repo.yaml").write_text(text)
    out = dagster(project, "pipeline", "list", "-y", "repo.yaml")
    assert out.returncode == 2 and message in out.stderr, out.stderr


def test_dash_y_stands_alone(project):
    out = dagster(project, "pipeline", "list", "-y", "repository.yaml", "-n", "define_one")
    assert out.returncode == 2 and "-y/--repository-yaml names the code by itself" in out.stderr
    out = dagster(project, "pipeline", "list", "-n", "define_one")
    assert out.returncode == 2 and "say which code with -f FILE.py or -m MODULE" in out.stderr


def test_reexecute_loads_the_code_the_run_was_started_with(project, tmp_path):
    home = tmp_path / "home"
    (project / "fs.yaml").write_text("storage: {filesystem: {}}\n")
    out = dagster(project, "pipeline", "execute", "renamed", "-e", "fs.yaml", home=home)
    assert out.returncode == 0, out.stderr
    instance = DagsterInstance.from_home(str(home))
    try:
        (run,) = instance.get_runs()
        assert run.tags["dagster/fn_name"] == "define_repo"
        out = dagster(tmp_path / "elsewhere", "pipeline", "reexecute", run.run_id, home=home)
        assert out.returncode == 0, out.stderr
        again = instance.get_runs()[0]
        assert again.tags["dagster/parent_run_id"] == run.run_id
        assert again.status.value == "SUCCESS"
    finally:
        instance.dispose()


# A scheduler that records each schedule's trigger (the command cron would run) in a file of
# the instance's home, so schedule commands run here without touching anyone's crontab.
RECORDING_SCHEDULER = textwrap.dedent(
    """
    import json, os
    from dagster_core.scheduler import Scheduler, launch_command

    class RecordingScheduler(Scheduler):
        def _edit(self, instance, change):
            path = os.path.join(instance.home, "triggers.json")
            triggers = json.load(open(path)) if os.path.exists(path) else {}
            change(triggers)
            json.dump(triggers, open(path, "w"))

        def start_schedule(self, instance, schedule):
            self._edit(instance, lambda t: t.update({schedule.name: launch_command(schedule)}))

        def stop_schedule(self, instance, schedule_name):
            self._edit(instance, lambda t: t.pop(schedule_name, None))

        def wipe(self, instance):
            self._edit(instance, lambda t: t.clear())
    """
)


@pytest.fixture
def scheduling_home(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))  # this process opens the instance too
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "recording_scheduler.py").write_text(RECORDING_SCHEDULER)
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "scheduler: {module: recording_scheduler, class: RecordingScheduler}\n"
    )
    return home


def test_schedule_up_takes_a_repositorys_date_schedules_and_their_trigger_runs_them(
    project, scheduling_home
):
    env = {"PYTHONPATH": str(scheduling_home.parent / "plugins")}
    out = dagster(project, "schedule", "up", home=scheduling_home, env=env)
    assert out.returncode == 0, out.stderr
    assert "daily_etl: added" in out.stdout
    triggers = json.loads((scheduling_home / "triggers.json").read_text())
    command = triggers["daily_etl"]
    assert command[-5:] == [
        "daily_etl",
        "-f",
        str(project / "code" / "repo.py"),
        "-n",
        "define_repo",
    ]
    # the same code named with -f and -n: nothing to change
    out = dagster(
        project,
        "schedule",
        "up",
        "-f",
        "code/repo.py",
        "-n",
        "define_repo",
        home=scheduling_home,
        env=env,
    )
    assert "daily_etl: unchanged" in out.stdout, out.stderr

    fired = subprocess.run(
        command,
        cwd=project.parent / "elsewhere",
        capture_output=True,
        text=True,
        env={**os.environ, **env, "DAGSTER_HOME": str(scheduling_home)},
    )
    assert fired.returncode == 0, fired.stderr
    instance = DagsterInstance.from_home(str(scheduling_home))
    try:
        (run,) = instance.get_runs()
    finally:
        instance.dispose()
    scheduled = latest_fire_time("0 3 * * *", datetime.datetime.now().astimezone())
    day = (scheduled - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    assert run.environment_dict == {"solids": {"load": {"config": {"date": day}}}}
    assert run.status.value == "SUCCESS"
    assert run.tags["dagster/partition"] == day and run.tags["team"] == "data"
    assert run.tags["dagster/schedule_name"] == "daily_etl"


def test_schedule_commands_need_a_repository_when_dash_n_is_given(project, scheduling_home):
    env = {"PYTHONPATH": str(scheduling_home.parent / "plugins")}
    out = dagster(
        project,
        "schedule",
        "up",
        "-f",
        "code/repo.py",
        "-n",
        "define_one",
        home=scheduling_home,
        env=env,
    )
    assert out.returncode == 2
    assert "-n define_one names pipeline 'renamed', which has no schedules" in out.stderr


def test_schedule_up_checks_a_date_schedule_for_its_first_period_and_its_solids():
    future = datetime.datetime.now() + datetime.timedelta(days=400)
    called_with = []

    @daily_schedule(pipeline_name="etl", start_date=future, solid_subset=["load"])
    def later(date):
        called_with.append(date)
        return {"solids": {"load": {"config": {"date": 5}}}}

    @daily_schedule(pipeline_name="etl", start_date=future, solid_subset=["lode"])
    def misspelt(date):
        return {}

    @solid(config={"date": Field(String)})
    def load(context):
        return context.solid_config["date"]

    @pipeline
    def etl():
        load()
        emit()

    now = datetime.datetime.now().astimezone()
    instance = DagsterInstance.ephemeral()
    problem = schedule_problem(later, {"etl": etl}, now, instance)
    assert called_with == [future]  # the first period, though no run is due before next year
    assert "does not validate: solids.load.config.date: expected String, got 5" in problem
    problem = schedule_problem(misspelt, {"etl": etl}, now, instance)
    assert "Pipeline 'etl' has no solid(s) lode" in problem


def test_a_repository_finds_solid_definitions_and_refuses_two_of_one_name():
    @solid
    def shared(_context):
        return 1

    @pipeline
    def first():
        shared()

    @pipeline
    def second():
        shared()

    repo = RepositoryDefinition("solids", pipeline_defs=[first, second])
    assert repo.solid_def_named("shared") is shared
    assert [d.name for d in repo.get_all_solid_defs()] == ["shared"]
    with pytest.raises(DagsterInvariantViolationError, match="no solid named 'nope'.*shared"):
        repo.solid_def_named("nope")

    @solid(name="shared")
    def impostor(_context):
        return 2

    @pipeline
    def third():
        impostor()

    clashing = RepositoryDefinition(
        "clash", pipeline_dict={"first": lambda: first, "third": lambda: third}
    )
    with pytest.raises(DagsterInvalidDefinitionError, match="two different solids named 'shared'"):
        clashing.get_all_pipelines()
