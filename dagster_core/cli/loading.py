"""Finding pipelines and schedules in a Python file or module named on the command line."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from types import ModuleType

import click

from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.schedule import ScheduleDefinition, ScheduleDefinitions
from dagster_core.errors import DagsterError, DagsterInvalidDefinitionError
from dagster_core.user_code import add_code_directory

ORIGIN_FILE_TAG = "dagster/python_file"
ORIGIN_MODULE_TAG = "dagster/module"

_source_options = [
    click.option("-f", "--python-file", type=click.Path(), help="Python file defining pipelines."),
    click.option("-m", "--module", "module_name", help="Module defining pipelines."),
]


def with_source(fn):  # type: ignore[no-untyped-def]
    """Add the -f/--python-file and -m/--module options to a command."""
    for option in reversed(_source_options):
        fn = option(fn)
    return fn


def origin_tags(python_file: str | None, module_name: str | None) -> dict[str, str]:
    """Run tags saying where the pipeline's code was loaded from, for `pipeline reexecute`."""
    if python_file:
        return {ORIGIN_FILE_TAG: os.path.abspath(python_file)}
    return {ORIGIN_MODULE_TAG: module_name or ""}


def _load_module(python_file: str | None, module_name: str | None) -> ModuleType:
    if bool(python_file) == bool(module_name):
        raise click.UsageError("Name exactly one of -f/--python-file FILE.py or -m/--module NAME")
    try:
        if module_name:
            return importlib.import_module(module_name)
        assert python_file is not None
        path = os.path.abspath(python_file)
        if not os.path.isfile(path):
            raise click.UsageError(f"No such Python file: {python_file}")
        sys.path.insert(0, os.path.dirname(path))
        add_code_directory(os.path.dirname(path))  # the file and its siblings go by value
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    except (click.UsageError, DagsterError):
        raise
    except ModuleNotFoundError as exc:
        raise click.UsageError(
            f"Cannot import module {module_name or python_file}: {exc}"
        ) from None
    except Exception as exc:
        where = python_file or module_name
        frames = traceback.extract_tb(exc.__traceback__)
        line = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
        if isinstance(exc, SyntaxError):
            line = f"{exc.filename}:{exc.lineno}: "
        raise click.UsageError(
            f"Error while loading {where}: {line}{type(exc).__name__}: {exc}"
        ) from None


def _pipelines_in(module: ModuleType, where: str | None) -> dict[str, PipelineDefinition]:
    pipelines = {p.name: p for p in vars(module).values() if isinstance(p, PipelineDefinition)}
    if not pipelines:
        raise click.UsageError(
            f"No pipelines found in {where}: define one at the top level with @pipeline"
        )
    return pipelines


def load_pipelines(
    python_file: str | None, module_name: str | None
) -> dict[str, PipelineDefinition]:
    """Every PipelineDefinition defined at the top level of the file or module, by name."""
    return _pipelines_in(_load_module(python_file, module_name), python_file or module_name)


def _call(functions: ScheduleDefinitions, where: str | None) -> list[ScheduleDefinition]:
    try:
        return functions()
    except DagsterError:
        raise
    except Exception as exc:
        raise click.UsageError(
            f"Error in @schedules function {functions.fn.__qualname__} of {where}: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def load_schedules(
    python_file: str | None, module_name: str | None
) -> tuple[dict[str, PipelineDefinition], list[ScheduleDefinition]]:
    """The pipelines of the file or module, and the schedules its @schedules functions return."""
    module = _load_module(python_file, module_name)
    where = python_file or module_name
    functions = [v for v in vars(module).values() if isinstance(v, ScheduleDefinitions)]
    if not functions:
        raise click.UsageError(
            f"No schedules found in {where}: define a function decorated with @schedules that "
            "returns a list of ScheduleDefinition"
        )
    schedule_defs = [d for fn in functions for d in _call(fn, where)]
    names = [d.name for d in schedule_defs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DagsterInvalidDefinitionError(
            f"{where} defines several schedules named {', '.join(duplicates)}"
        )
    return _pipelines_in(module, where), schedule_defs


def load_pipeline(
    python_file: str | None, module_name: str | None, name: str | None
) -> PipelineDefinition:
    """The pipeline named `name` (or the only one) in the file or module."""
    pipelines = load_pipelines(python_file, module_name)
    if name is None:
        if len(pipelines) == 1:
            return next(iter(pipelines.values()))
        raise click.UsageError(
            f"{python_file or module_name} defines several pipelines; choose one with -n: "
            + ", ".join(sorted(pipelines))
        )
    if name not in pipelines:
        raise click.UsageError(
            f"No pipeline '{name}' in {python_file or module_name}; it defines: "
            + ", ".join(sorted(pipelines))
        )
    return pipelines[name]
