"""ExecutionTargetHandle: where the user's pipelines and repositories are, as a small value that
pickles and turns into plain data, and the one loader of that code.

It sits with the definitions (where the seed kept it, dagster/core/definitions/handle.py), below
every face: the command line, the GraphQL server, the web UI and Airflow DAG files name code
with a handle and load it here, and get a DagsterCodeLoadError, not a usage error, for code that
is not where the handle says. It uses only the definitions, the YAML reader and `user_code`.

A handle names:

- the code: a Python file (`python_file`), an importable module (`module_name`), or a
  repository.yaml (`repository_yaml`: `repository: {file | module, fn}`, the file relative to
  the yaml file's directory);
- in that code, `fn_name`: a pipeline, a RepositoryDefinition, or a function returning either
  (called with no arguments). A name that is no attribute of the code but the name of one of its
  pipelines (`@pipeline(name=...)`) picks that pipeline. Without it: the code's top-level
  pipelines and the schedules its @schedules functions return;
- optionally `pipeline_name`: one pipeline of what it names (`with_pipeline_name`).

Runs need no handle: pipelines travel to other processes by value (cloudpickle). A handle is for
code that must be found again: by another tool, by `pipeline reexecute`, by a schedule's firing.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
import traceback
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from types import ModuleType
from typing import Any, NamedTuple

from dagster_core.config.yaml_files import load_yaml_file
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.repository import RepositoryDefinition
from dagster_core.definitions.schedule import ScheduleDefinition, ScheduleDefinitions
from dagster_core.errors import (
    DagsterCodeLoadError,
    DagsterConfigFileError,
    DagsterError,
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
)
from dagster_core.user_code import add_code_directory

ORIGIN_FILE_TAG = "dagster/python_file"
ORIGIN_MODULE_TAG = "dagster/module"
ORIGIN_FN_TAG = "dagster/fn_name"
EPHEMERAL_NAME = "<<unnamed>>"  # the repository that wraps a handle's single pipeline
_DATA_KEYS = ("repository_yaml", "module_name", "python_file", "fn_name", "pipeline_name")
_CODE_KEYS = ("python_file", "module_name", "repository_yaml")
_YAML_EXAMPLE = "such as `repository: {file: repo.py, fn: define_repo}`"
_TARGET_HELP = "-n names a pipeline, a RepositoryDefinition, or a function returning one"

Target = PipelineDefinition | RepositoryDefinition | ModuleType


class HandleTarget(Enum):
    """What a handle is meant to build: one pipeline, or a repository (the seed's mode)."""

    PIPELINE = "PIPELINE"
    REPOSITORY = "REPOSITORY"


class HandleEntry(NamedTuple):
    """What `ExecutionTargetHandle.get_handle` returns: the seed's (handle, solid_subset) pair.
    A handle here always builds the whole pipeline, so solid_subset is None."""

    handle: ExecutionTargetHandle | None
    solid_subset: list[str] | None


# The handle each definition was built from, for get_handle; gone with the definition.
_built_from: weakref.WeakKeyDictionary[object, ExecutionTargetHandle] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ExecutionTargetHandle:
    """Where definitions are (see the module docstring); make one with the `for_*` functions.

    A `for_pipeline_fn` / `for_repo_fn` handle also holds the function and builds by calling it;
    as data (`to_dict`, equality) it is the function's file and name."""

    python_file: str | None = None
    module_name: str | None = None
    fn_name: str | None = None
    repository_yaml: str | None = None
    pipeline_name: str | None = None
    target: HandleTarget = HandleTarget.REPOSITORY
    fn: Callable[[], object] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("python_file", "repository_yaml"):
            value = getattr(self, key)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, key, os.fspath(value))
        for key in _DATA_KEYS:
            value = getattr(self, key)
            if value is not None and (not isinstance(value, str) or not value):
                raise DagsterCodeLoadError(
                    f"ExecutionTargetHandle {key} must be a non-empty string, got {value!r}"
                )
        given = [f"{key}={getattr(self, key)!r}" for key in _CODE_KEYS if getattr(self, key)]
        if len(given) != 1:
            raise DagsterCodeLoadError(
                "ExecutionTargetHandle needs exactly one of python_file, module_name and "
                f"repository_yaml, got {', '.join(given) or 'none'}"
            )
        if self.repository_yaml and self.fn_name:
            raise DagsterCodeLoadError(
                f"{self.repository_yaml} names its function itself (repository.fn): a "
                f"repository_yaml handle takes no fn_name, got {self.fn_name!r}"
            )
        if not isinstance(self.target, HandleTarget):
            raise DagsterCodeLoadError(
                f"ExecutionTargetHandle target must be a HandleTarget (PIPELINE or REPOSITORY), "
                f"got {self.target!r}"
            )

    @staticmethod
    def for_pipeline_fn(fn: Callable[[], object]) -> ExecutionTargetHandle:
        """A handle for `fn`, a function in a Python file returning a pipeline."""
        return _for_fn(fn, HandleTarget.PIPELINE, "for_pipeline_fn")

    @staticmethod
    def for_repo_fn(fn: Callable[[], object]) -> ExecutionTargetHandle:
        """A handle for `fn`, a function in a Python file returning a RepositoryDefinition."""
        return _for_fn(fn, HandleTarget.REPOSITORY, "for_repo_fn")

    @staticmethod
    def for_pipeline_python_file(python_file: str, fn_name: str) -> ExecutionTargetHandle:
        """A handle for the pipeline `fn_name` names in a Python file."""
        return ExecutionTargetHandle(
            python_file=python_file, fn_name=fn_name, target=HandleTarget.PIPELINE
        )

    @staticmethod
    def for_pipeline_module(module_name: str, fn_name: str) -> ExecutionTargetHandle:
        """A handle for the pipeline `fn_name` names in an importable module."""
        return ExecutionTargetHandle(
            module_name=module_name, fn_name=fn_name, target=HandleTarget.PIPELINE
        )

    @staticmethod
    def for_repo_python_file(python_file: str, fn_name: str | None = None) -> ExecutionTargetHandle:
        """A handle for the repository `fn_name` names in a Python file (without it, the file's
        top-level pipelines and schedules)."""
        return ExecutionTargetHandle(python_file=python_file, fn_name=fn_name)

    @staticmethod
    def for_repo_module(module_name: str, fn_name: str | None = None) -> ExecutionTargetHandle:
        """A handle for the repository `fn_name` names in a module (without it, the module's
        top-level pipelines and schedules)."""
        return ExecutionTargetHandle(module_name=module_name, fn_name=fn_name)

    @staticmethod
    def for_repo_yaml(repository_yaml: str) -> ExecutionTargetHandle:
        """A handle for the repository a repository.yaml names, read when the handle is loaded."""
        return ExecutionTargetHandle(repository_yaml=repository_yaml)

    @staticmethod
    def get_handle(definition: PipelineDefinition | RepositoryDefinition) -> HandleEntry:
        """The handle a pipeline or repository was built from, as the seed's (handle,
        solid_subset) pair; (None, None) for a definition not built from a handle."""
        if not isinstance(definition, PipelineDefinition | RepositoryDefinition):
            raise DagsterInvariantViolationError(
                f"get_handle takes a PipelineDefinition or RepositoryDefinition, got {definition!r}"
            )
        handle = _built_from.get(definition)
        return HandleEntry(handle, None)

    @property
    def is_resolved_to_pipeline(self) -> bool:
        """True when the handle builds one pipeline (`build_pipeline_definition`)."""
        return self.target is HandleTarget.PIPELINE

    @property
    def where(self) -> str:
        """The code as messages name it."""
        code = self.python_file or self.module_name or self.repository_yaml
        return f"{code} -n {self.fn_name}" if self.fn_name else str(code)

    def with_pipeline_name(self, pipeline_name: str) -> ExecutionTargetHandle:
        """A handle for pipeline `pipeline_name` of what this one names."""
        return replace(self, pipeline_name=pipeline_name, target=HandleTarget.PIPELINE)

    def resolved(self) -> ExecutionTargetHandle:
        """The same handle with its repository.yaml read: the file (relative to the yaml file's
        directory) or module, and fn, it names."""
        if self.repository_yaml is None:
            return self
        python_file, module_name, fn_name = _read_repository_yaml(self.repository_yaml)
        return replace(
            self,
            repository_yaml=None,
            python_file=python_file,
            module_name=module_name,
            fn_name=fn_name,
        )

    def absolute(self) -> ExecutionTargetHandle:
        """The same handle with absolute paths, to be found from any directory later."""
        return replace(
            self,
            python_file=self.python_file and os.path.abspath(self.python_file),
            repository_yaml=self.repository_yaml and os.path.abspath(self.repository_yaml),
        )

    def tags(self) -> dict[str, str]:
        """Run tags saying where the pipeline's code was loaded from, for `pipeline reexecute`."""
        code = self.resolved().absolute()
        if code.python_file:
            tags = {ORIGIN_FILE_TAG: code.python_file}
        else:
            tags = {ORIGIN_MODULE_TAG: code.module_name or ""}
        return {**tags, ORIGIN_FN_TAG: code.fn_name} if code.fn_name else tags

    @staticmethod
    def from_tags(tags: Mapping[str, str]) -> ExecutionTargetHandle | None:
        """The handle a run's tags name; None for a run whose tags do not say."""
        python_file, module_name = tags.get(ORIGIN_FILE_TAG), tags.get(ORIGIN_MODULE_TAG)
        fn_name = tags.get(ORIGIN_FN_TAG) or None
        if python_file:
            return ExecutionTargetHandle.for_repo_python_file(python_file, fn_name)
        if module_name:
            return ExecutionTargetHandle.for_repo_module(module_name, fn_name)
        return None

    def to_dict(self) -> dict[str, Any]:
        """The handle as JSON-able data, laid out as the seed's: {"data": {repository_yaml,
        module_name, python_file, fn_name, pipeline_name}, "mode", "is_resolved_to_pipeline"}."""
        return {
            "data": {key: getattr(self, key) for key in _DATA_KEYS},
            "mode": self.target.value,
            "is_resolved_to_pipeline": self.is_resolved_to_pipeline,
        }

    @staticmethod
    def from_dict(handle_dict: Mapping[str, Any]) -> ExecutionTargetHandle:
        """The handle `to_dict` described."""
        expected = "the dict to_dict makes, {'data': {...}, 'mode': 'PIPELINE' or 'REPOSITORY'}"
        data = handle_dict.get("data") if isinstance(handle_dict, Mapping) else None
        if not isinstance(data, Mapping):
            raise DagsterCodeLoadError(
                f"ExecutionTargetHandle.from_dict takes {expected}, got {handle_dict!r}"
            )
        unknown = sorted(set(data) - set(_DATA_KEYS))
        if unknown:
            raise DagsterCodeLoadError(
                f"ExecutionTargetHandle.from_dict: unknown key data.{unknown[0]}; expected "
                + ", ".join(_DATA_KEYS)
            )
        mode = handle_dict.get("mode")
        if mode not in {t.value for t in HandleTarget}:
            raise DagsterCodeLoadError(
                f"ExecutionTargetHandle.from_dict: mode must be PIPELINE or REPOSITORY, got {mode!r}"
            )
        return ExecutionTargetHandle(**data, target=HandleTarget(mode))

    def build_pipeline_definition(self) -> PipelineDefinition:
        """The pipeline the handle names: `pipeline_name`'s, or the only one of its code."""
        return load_pipeline(self, self.pipeline_name)

    def build_repository_definition(self) -> RepositoryDefinition:
        """The repository the handle names. A pipeline comes wrapped in a repository of its own
        (named <<unnamed>>); code without fn_name is a repository of its top-level pipelines and
        @schedules, named after the module."""
        code = self.resolved()
        target = _load(code)
        if isinstance(target, ModuleType):
            repository = RepositoryDefinition(
                target.__name__,
                pipeline_defs=list(_pipelines_in(target, code).values()),
                schedule_defs=_module_schedules(target, code),
            )
        elif isinstance(target, PipelineDefinition):
            repository = RepositoryDefinition(EPHEMERAL_NAME, pipeline_defs=[target])
        else:
            repository = target
        _built_from[repository] = self
        return repository


def _for_fn(fn: Callable[[], object], target: HandleTarget, name: str) -> ExecutionTargetHandle:
    try:
        python_file = inspect.getfile(fn)
        fn_name = fn.__name__
    except (TypeError, AttributeError):
        raise DagsterCodeLoadError(
            f"ExecutionTargetHandle.{name} takes a Python function returning a "
            f"{target.value.lower()} definition, got {fn!r}"
        ) from None
    return ExecutionTargetHandle(
        python_file=os.path.abspath(python_file), fn_name=fn_name, target=target, fn=fn
    )


def _read_repository_yaml(path: str) -> tuple[str | None, str | None, str]:
    """The file (relative to the yaml file's directory) or module, and fn, a repository.yaml
    names: `repository: {file | module, fn}`."""
    if not os.path.isfile(path):
        raise DagsterCodeLoadError(f"No such repository file: {path}")
    try:
        document = load_yaml_file(path)
    except DagsterConfigFileError as exc:
        raise DagsterCodeLoadError(str(exc)) from None
    entry = document.get("repository")
    if "scheduler" in document or "partitions" in document:
        key = "scheduler" if "scheduler" in document else "partitions"
        raise DagsterCodeLoadError(
            f"{path}: `{key}:` is not read; give the repository its schedules instead: "
            "RepositoryDefinition(..., schedule_defs=[...])"
        )
    if not isinstance(entry, Mapping):
        raise DagsterCodeLoadError(
            f"{path}: expected a `repository:` key holding `file` (or `module`) and `fn`, "
            f"{_YAML_EXAMPLE}"
        )
    unknown = sorted(set(entry) - {"file", "module", "fn"})
    if unknown:
        raise DagsterCodeLoadError(
            f"{path}: unknown key repository.{unknown[0]}; expected file (or module) and fn"
        )
    if ("file" in entry) == ("module" in entry):
        raise DagsterCodeLoadError(
            f"{path}: repository needs exactly one of `file` and `module`, {_YAML_EXAMPLE}"
        )
    for key in ("file", "module", "fn"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key]):
            raise DagsterCodeLoadError(
                f"{path}: repository.{key} must be a string, got {entry[key]!r}"
            )
    if "fn" not in entry:
        raise DagsterCodeLoadError(
            f"{path}: repository.fn is missing: name the function (or repository) in the code, "
            f"{_YAML_EXAMPLE}"
        )
    python_file = None
    if "file" in entry:
        python_file = os.path.join(os.path.dirname(path), entry["file"])
        if not os.path.isfile(python_file):
            raise DagsterCodeLoadError(
                f"{path}: repository.file {entry['file']} is not a file (looked for "
                f"{os.path.abspath(python_file)}; it is read relative to the yaml file)"
            )
    return python_file, entry.get("module"), entry["fn"]


def _load_module(code: ExecutionTargetHandle) -> ModuleType:
    python_file, module_name = code.python_file, code.module_name
    try:
        if module_name:
            return importlib.import_module(module_name)
        assert python_file is not None
        path = os.path.abspath(python_file)
        if not os.path.isfile(path):
            raise DagsterCodeLoadError(f"No such Python file: {python_file}")
        sys.path.insert(0, os.path.dirname(path))
        add_code_directory(os.path.dirname(path))  # the file and its siblings go by value
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    except DagsterError:
        raise
    except ModuleNotFoundError as exc:
        raise DagsterCodeLoadError(
            f"Cannot import module {module_name or python_file}: {exc}"
        ) from exc
    except Exception as exc:
        where = python_file or module_name
        frames = traceback.extract_tb(exc.__traceback__)
        line = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
        if isinstance(exc, SyntaxError):
            line = f"{exc.filename}:{exc.lineno}: "
        raise DagsterCodeLoadError(
            f"Error while loading {where}: {line}{type(exc).__name__}: {exc}"
        ) from exc


def _top_level_pipelines(module: ModuleType) -> dict[str, PipelineDefinition]:
    return {p.name: p for p in vars(module).values() if isinstance(p, PipelineDefinition)}


def _pipelines_in(module: ModuleType, code: ExecutionTargetHandle) -> dict[str, PipelineDefinition]:
    pipelines = _top_level_pipelines(module)
    if not pipelines:
        raise DagsterCodeLoadError(
            f"No pipelines found in {code.where}: define one at the top level with @pipeline"
        )
    return pipelines


def _made_by(value: object, name: str, code: ExecutionTargetHandle) -> Target:
    """What the function `value` (`name` in the code) returns: a pipeline or a repository."""
    where = code.python_file or code.module_name
    if not callable(value) or isinstance(value, type | ScheduleDefinitions):
        raise DagsterCodeLoadError(f"{name} in {where} is {value!r}: {_TARGET_HELP}")
    try:
        made = value()
    except DagsterError:
        raise
    except Exception as exc:
        raise DagsterCodeLoadError(
            f"Error in {name}() of {where}: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(made, PipelineDefinition | RepositoryDefinition):
        raise DagsterCodeLoadError(f"{name}() in {where} returned {made!r}: {_TARGET_HELP}")
    return made


def _load(code: ExecutionTargetHandle) -> Target:
    """What a resolved handle names: a pipeline or repository, or the module itself when it
    has no fn_name."""
    name = code.fn_name
    if code.fn is not None:
        return _made_by(code.fn, name or "", code)
    module = _load_module(code)
    if name is None:
        return module
    if name not in vars(module):
        pipelines = _top_level_pipelines(module)
        if name in pipelines:
            return pipelines[name]
        raise DagsterCodeLoadError(
            f"No pipeline '{name}' in {code.python_file or code.module_name} (nor a repository "
            f"or function of that name); it defines pipelines: "
            f"{', '.join(sorted(pipelines)) or 'none'}"
        )
    value = vars(module)[name]
    if isinstance(value, PipelineDefinition | RepositoryDefinition):
        return value
    return _made_by(value, name, code)


def load_pipelines(handle: ExecutionTargetHandle) -> dict[str, PipelineDefinition]:
    """The pipelines of what the handle names, by name."""
    code = handle.resolved()
    target = _load(code)
    if isinstance(target, ModuleType):
        return _pipelines_in(target, code)
    if isinstance(target, PipelineDefinition):
        return {target.name: target}
    return {p.name: p for p in target.get_all_pipelines()}


def load_pipeline(handle: ExecutionTargetHandle, name: str | None) -> PipelineDefinition:
    """The pipeline named `name` (or the only one) of what the handle names."""
    code = handle.resolved()
    pipelines = load_pipelines(code)
    if name is None:
        if len(pipelines) != 1:
            how = (
                "choose one with -n"
                if code.fn_name is None
                else "name one as the PIPELINE_NAME argument"
            )
            raise DagsterCodeLoadError(
                f"{code.where} defines several pipelines; {how}: " + ", ".join(sorted(pipelines))
            )
        pipeline = next(iter(pipelines.values()))
    elif name in pipelines:
        pipeline = pipelines[name]
    else:
        raise DagsterCodeLoadError(
            f"No pipeline '{name}' in {code.where}; it defines: " + ", ".join(sorted(pipelines))
        )
    _built_from[pipeline] = (
        handle if name == handle.pipeline_name else handle.with_pipeline_name(pipeline.name)
    )
    return pipeline


def _module_schedules(module: ModuleType, code: ExecutionTargetHandle) -> list[ScheduleDefinition]:
    """The schedules the module's @schedules functions return."""
    schedule_defs = []
    for functions in [v for v in vars(module).values() if isinstance(v, ScheduleDefinitions)]:
        try:
            schedule_defs.extend(functions())
        except DagsterError:
            raise
        except Exception as exc:
            raise DagsterCodeLoadError(
                f"Error in @schedules function {functions.fn.__qualname__} of {code.where}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    names = [d.name for d in schedule_defs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DagsterInvalidDefinitionError(
            f"{code.where} defines several schedules named {', '.join(duplicates)}"
        )
    return schedule_defs


def load_schedules(
    handle: ExecutionTargetHandle,
) -> tuple[dict[str, PipelineDefinition], list[ScheduleDefinition]]:
    """The pipelines of what the handle names and its schedules: those of the repository
    fn_name names, else those the module's @schedules functions return."""
    code = handle.resolved()
    target = _load(code)
    if isinstance(target, RepositoryDefinition):
        return {p.name: p for p in target.get_all_pipelines()}, target.schedule_defs
    if isinstance(target, PipelineDefinition):
        raise DagsterCodeLoadError(
            f"-n {code.fn_name} names pipeline '{target.name}', which has no schedules: name a "
            "repository (RepositoryDefinition(..., schedule_defs=[...])), or leave out -n to use "
            "the @schedules functions of the code"
        )
    if not any(isinstance(v, ScheduleDefinitions) for v in vars(target).values()):
        raise DagsterCodeLoadError(
            f"No schedules found in {code.where}: define a function decorated with @schedules "
            "that returns a list of ScheduleDefinition, or name a repository with -n"
        )
    schedule_defs = _module_schedules(target, code)
    return _pipelines_in(target, code), schedule_defs
