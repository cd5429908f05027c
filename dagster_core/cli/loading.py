"""Finding the user's pipelines and schedules from what the command line names.

Every command that loads code takes the same options, as the seed's CLI did:

- `-f FILE.py` or `-m MODULE`: the code. Without `-n`, its pipelines are those defined at its
  top level, and its schedules those its @schedules functions return.
- `-n NAME` with `-f` / `-m`: what in that code to use: a pipeline, a RepositoryDefinition, or a
  function returning either (called with no arguments). A NAME that is no attribute of the code
  but the name of one of its pipelines (`@pipeline(name=...)`) picks that pipeline, as `-n` did
  before it named functions. Schedule commands need a repository here: its `schedule_defs`.
- `-y repository.yaml`: a file saying `repository: {file: repo.py, fn: define_repo}` (or
  `module:` instead of `file:`), the file relative to the yaml file's directory; the same as
  `-f repo.py -n define_repo`.
- none of them: `repository.yaml` in the working directory, when there is one.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import click

from dagster_core.config.yaml_files import load_yaml_file
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.repository import RepositoryDefinition
from dagster_core.definitions.schedule import ScheduleDefinition, ScheduleDefinitions
from dagster_core.errors import DagsterError, DagsterInvalidDefinitionError
from dagster_core.user_code import add_code_directory

ORIGIN_FILE_TAG = "dagster/python_file"
ORIGIN_MODULE_TAG = "dagster/module"
ORIGIN_FN_TAG = "dagster/fn_name"
REPOSITORY_YAML = "repository.yaml"
_YAML_EXAMPLE = "such as `repository: {file: repo.py, fn: define_repo}`"


@dataclass(frozen=True)
class CodeSource:
    """Where the user's definitions are: a Python file or a module, and optionally the name in
    it of a pipeline, a repository or a function returning one."""

    python_file: str | None = None
    module_name: str | None = None
    fn_name: str | None = None

    @property
    def where(self) -> str:
        """The code as messages name it."""
        code = self.python_file or self.module_name or ""
        return f"{code} -n {self.fn_name}" if self.fn_name else code

    def absolute(self) -> CodeSource:
        """The same source with the file's absolute path, to be found from anywhere later."""
        if self.python_file is None:
            return self
        return replace(self, python_file=os.path.abspath(self.python_file))

    def tags(self) -> dict[str, str]:
        """Run tags saying where the pipeline's code was loaded from, for `pipeline reexecute`."""
        source = self.absolute()
        if source.python_file:
            tags = {ORIGIN_FILE_TAG: source.python_file}
        else:
            tags = {ORIGIN_MODULE_TAG: source.module_name or ""}
        return {**tags, ORIGIN_FN_TAG: self.fn_name} if self.fn_name else tags

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> CodeSource | None:
        """The source a run's tags name; None for a run not started from the command line."""
        python_file, module_name = tags.get(ORIGIN_FILE_TAG), tags.get(ORIGIN_MODULE_TAG)
        if not python_file and not module_name:
            return None
        return cls(python_file or None, module_name or None, tags.get(ORIGIN_FN_TAG))


_source_options = [
    click.option("-f", "--python-file", type=click.Path(), help="Python file defining pipelines."),
    click.option("-m", "--module", "module_name", help="Module defining pipelines."),
    click.option(
        "-y",
        "--repository-yaml",
        type=click.Path(),
        help=f"A repository.yaml naming the code ({REPOSITORY_YAML} here is used by default).",
    ),
    click.option(
        "-n",
        "--fn-name",
        "--name",
        "fn_name",
        help="A pipeline, repository, or function returning one, in the file or module.",
    ),
]


def with_source(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add -f, -m, -y and -n to a command, which receives them as one `source: CodeSource |
    None` (None when none of them is given)."""

    @functools.wraps(fn)
    def command(
        *args: Any,
        python_file: str | None,
        module_name: str | None,
        repository_yaml: str | None,
        fn_name: str | None,
        **kwargs: Any,
    ) -> Any:
        source = _source_of(python_file, module_name, repository_yaml, fn_name)
        return fn(*args, source=source, **kwargs)

    for option in reversed(_source_options):
        command = option(command)
    return command


def _source_of(
    python_file: str | None,
    module_name: str | None,
    repository_yaml: str | None,
    fn_name: str | None,
) -> CodeSource | None:
    if repository_yaml:
        if python_file or module_name or fn_name:
            raise click.UsageError(
                "-y/--repository-yaml names the code by itself: leave out -f, -m and -n"
            )
        return read_repository_yaml(repository_yaml)
    if python_file and module_name:
        raise click.UsageError("Name exactly one of -f/--python-file FILE.py or -m/--module NAME")
    if python_file or module_name:
        return CodeSource(python_file, module_name, fn_name)
    if fn_name:
        raise click.UsageError(
            f"-n {fn_name} names something in the code: say which code with -f FILE.py or -m MODULE"
        )
    return None


def require_source(source: CodeSource | None) -> CodeSource:
    """`source`, or else repository.yaml in the working directory."""
    if source is not None:
        return source
    if os.path.isfile(REPOSITORY_YAML):
        return read_repository_yaml(REPOSITORY_YAML)
    raise click.UsageError(
        "Name the code with -f FILE.py, -m MODULE or -y repository.yaml "
        f"(there is no {REPOSITORY_YAML} in this directory)"
    )


def read_repository_yaml(path: str) -> CodeSource:
    """The code a repository.yaml names: `repository: {file | module, fn}`."""
    if not os.path.isfile(path):
        raise click.UsageError(f"No such repository file: {path}")
    document = load_yaml_file(path)
    entry = document.get("repository")
    if "scheduler" in document or "partitions" in document:
        key = "scheduler" if "scheduler" in document else "partitions"
        raise click.UsageError(
            f"{path}: `{key}:` is not read; give the repository its schedules instead: "
            "RepositoryDefinition(..., schedule_defs=[...])"
        )
    if not isinstance(entry, Mapping):
        raise click.UsageError(
            f"{path}: expected a `repository:` key holding `file` (or `module`) and `fn`, "
            f"{_YAML_EXAMPLE}"
        )
    unknown = sorted(set(entry) - {"file", "module", "fn"})
    if unknown:
        raise click.UsageError(
            f"{path}: unknown key repository.{unknown[0]}; expected file (or module) and fn"
        )
    if ("file" in entry) == ("module" in entry):
        raise click.UsageError(
            f"{path}: repository needs exactly one of `file` and `module`, {_YAML_EXAMPLE}"
        )
    for key in ("file", "module", "fn"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key]):
            raise click.UsageError(f"{path}: repository.{key} must be a string, got {entry[key]!r}")
    if "fn" not in entry:
        raise click.UsageError(
            f"{path}: repository.fn is missing: name the function (or repository) in the code, "
            f"{_YAML_EXAMPLE}"
        )
    python_file = None
    if "file" in entry:
        python_file = os.path.join(os.path.dirname(path), entry["file"])
        if not os.path.isfile(python_file):
            raise click.UsageError(
                f"{path}: repository.file {entry['file']} is not a file (looked for "
                f"{os.path.abspath(python_file)}; it is read relative to the yaml file)"
            )
    return CodeSource(python_file, entry.get("module"), entry["fn"])


def _load_module(source: CodeSource) -> ModuleType:
    python_file, module_name = source.python_file, source.module_name
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


def _top_level_pipelines(module: ModuleType) -> dict[str, PipelineDefinition]:
    return {p.name: p for p in vars(module).values() if isinstance(p, PipelineDefinition)}


def _pipelines_in(module: ModuleType, source: CodeSource) -> dict[str, PipelineDefinition]:
    pipelines = _top_level_pipelines(module)
    if not pipelines:
        raise click.UsageError(
            f"No pipelines found in {source.where}: define one at the top level with @pipeline"
        )
    return pipelines


_TARGET_HELP = "-n names a pipeline, a RepositoryDefinition, or a function returning one"


def _named(
    module: ModuleType, source: CodeSource
) -> PipelineDefinition | RepositoryDefinition | None:
    """What `-n` names in the module; None without -n."""
    name = source.fn_name
    if name is None:
        return None
    code = source.python_file or source.module_name
    if name not in vars(module):
        pipelines = _top_level_pipelines(module)
        if name in pipelines:
            return pipelines[name]
        raise click.UsageError(
            f"No pipeline '{name}' in {code} (nor a repository or function of that name); it "
            f"defines pipelines: {', '.join(sorted(pipelines)) or 'none'}"
        )
    value = vars(module)[name]
    if isinstance(value, PipelineDefinition | RepositoryDefinition):
        return value
    if not callable(value) or isinstance(value, type | ScheduleDefinitions):
        raise click.UsageError(f"{name} in {code} is {value!r}: {_TARGET_HELP}")
    try:
        made = value()
    except DagsterError:
        raise
    except Exception as exc:
        raise click.UsageError(
            f"Error in {name}() of {code}: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(made, PipelineDefinition | RepositoryDefinition):
        raise click.UsageError(f"{name}() in {code} returned {made!r}: {_TARGET_HELP}")
    return made


def load_pipelines(source: CodeSource) -> dict[str, PipelineDefinition]:
    """The pipelines of the source, by name."""
    module = _load_module(source)
    target = _named(module, source)
    if target is None:
        return _pipelines_in(module, source)
    if isinstance(target, PipelineDefinition):
        return {target.name: target}
    return {p.name: p for p in target.get_all_pipelines()}


def load_pipeline(source: CodeSource, name: str | None) -> PipelineDefinition:
    """The pipeline named `name` (or the only one) of the source."""
    pipelines = load_pipelines(source)
    if name is None:
        if len(pipelines) == 1:
            return next(iter(pipelines.values()))
        how = (
            "choose one with -n"
            if source.fn_name is None
            else "name one as the PIPELINE_NAME argument"
        )
        raise click.UsageError(
            f"{source.where} defines several pipelines; {how}: " + ", ".join(sorted(pipelines))
        )
    if name not in pipelines:
        raise click.UsageError(
            f"No pipeline '{name}' in {source.where}; it defines: " + ", ".join(sorted(pipelines))
        )
    return pipelines[name]


def _call(functions: ScheduleDefinitions, source: CodeSource) -> list[ScheduleDefinition]:
    try:
        return functions()
    except DagsterError:
        raise
    except Exception as exc:
        raise click.UsageError(
            f"Error in @schedules function {functions.fn.__qualname__} of {source.where}: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def load_schedules(
    source: CodeSource,
) -> tuple[dict[str, PipelineDefinition], list[ScheduleDefinition]]:
    """The pipelines of the source and its schedules: those of the repository -n names, else
    those the module's @schedules functions return."""
    module = _load_module(source)
    target = _named(module, source)
    if isinstance(target, RepositoryDefinition):
        return {p.name: p for p in target.get_all_pipelines()}, target.schedule_defs
    if target is not None:
        raise click.UsageError(
            f"-n {source.fn_name} names pipeline '{target.name}', which has no schedules: name a "
            "repository (RepositoryDefinition(..., schedule_defs=[...])), or leave out -n to use "
            "the @schedules functions of the code"
        )
    functions = [v for v in vars(module).values() if isinstance(v, ScheduleDefinitions)]
    if not functions:
        raise click.UsageError(
            f"No schedules found in {source.where}: define a function decorated with @schedules "
            "that returns a list of ScheduleDefinition, or name a repository with -n"
        )
    schedule_defs = [d for fn in functions for d in _call(fn, source)]
    names = [d.name for d in schedule_defs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DagsterInvalidDefinitionError(
            f"{source.where} defines several schedules named {', '.join(duplicates)}"
        )
    return _pipelines_in(module, source), schedule_defs
