"""The options that name the user's code on the command line, as the seed's CLI took them.

Every command that loads code takes the same options:

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

They become one ExecutionTargetHandle; loading the code it names is dagster_core.definitions.handle.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from dagster_core.definitions.handle import ExecutionTargetHandle

REPOSITORY_YAML = "repository.yaml"

_handle_options = [
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


env_files_option = click.option(
    "-e",
    "--env",
    "env_files",
    multiple=True,
    type=click.Path(),
    help="Run config YAML; several merge in order, later ones winning.",
)


def with_handle(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add -f, -m, -y and -n to a command, which receives them as one `handle:
    ExecutionTargetHandle | None` (None when none of them is given; a -y file read already)."""

    @functools.wraps(fn)
    def command(
        *args: Any,
        python_file: str | None,
        module_name: str | None,
        repository_yaml: str | None,
        fn_name: str | None,
        **kwargs: Any,
    ) -> Any:
        handle = _handle_of(python_file, module_name, repository_yaml, fn_name)
        return fn(*args, handle=handle, **kwargs)

    for option in reversed(_handle_options):
        command = option(command)
    return command


def _handle_of(
    python_file: str | None,
    module_name: str | None,
    repository_yaml: str | None,
    fn_name: str | None,
) -> ExecutionTargetHandle | None:
    if repository_yaml:
        if python_file or module_name or fn_name:
            raise click.UsageError(
                "-y/--repository-yaml names the code by itself: leave out -f, -m and -n"
            )
        return ExecutionTargetHandle.for_repo_yaml(repository_yaml).resolved()
    if python_file and module_name:
        raise click.UsageError("Name exactly one of -f/--python-file FILE.py or -m/--module NAME")
    if python_file:
        return ExecutionTargetHandle.for_repo_python_file(python_file, fn_name)
    if module_name:
        return ExecutionTargetHandle.for_repo_module(module_name, fn_name)
    if fn_name:
        raise click.UsageError(
            f"-n {fn_name} names something in the code: say which code with -f FILE.py or -m MODULE"
        )
    return None


def require_handle(handle: ExecutionTargetHandle | None) -> ExecutionTargetHandle:
    """`handle`, or else the one repository.yaml in the working directory names."""
    if handle is not None:
        return handle
    if os.path.isfile(REPOSITORY_YAML):
        return ExecutionTargetHandle.for_repo_yaml(REPOSITORY_YAML).resolved()
    raise click.UsageError(
        "Name the code with -f FILE.py, -m MODULE or -y repository.yaml "
        f"(there is no {REPOSITORY_YAML} in this directory)"
    )
