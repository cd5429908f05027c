"""Reading run config from YAML files: several files merge, later ones winning."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from dagster_core.errors import DagsterConfigFileError

# Where run config chooses exactly one option (the executor, the storage, the Dask cluster): a
# later file that chooses another option replaces the earlier choice instead of adding to it.
SELECTOR_PATHS = frozenset(
    {
        ("execution",),
        ("storage",),
        ("execution", "dask", "cluster"),
        ("execution", "dask", "config", "cluster"),  # the seed-era form with a `config:` layer
    }
)


def deep_merge(
    base: Mapping[str, Any], override: Mapping[str, Any], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A new dict: `override` laid over `base`, merging nested dicts (a selector only when both
    choose the same option), replacing everything else."""
    merged = dict(base)
    for key, value in override.items():
        here = (*path, key)
        earlier = merged.get(key)
        if (
            isinstance(value, Mapping)
            and isinstance(earlier, Mapping)
            and not (here in SELECTOR_PATHS and set(value) != set(earlier))
        ):
            merged[key] = deep_merge(earlier, value, here)
        else:
            merged[key] = value
    return merged


class YamlMappingError(ValueError):
    """Text that is not YAML (`is_syntax`) or whose document is not a mapping; `line` and
    `column` (1-based) say where, when known."""

    def __init__(self, problem: str, line: int | None, column: int | None, is_syntax: bool):
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{problem}")
        self.problem = problem
        self.line = line
        self.column = column
        self.is_syntax = is_syntax


def _position(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (None, None) if mark is None else (mark.line + 1, mark.column + 1)


def parse_yaml_mapping(text: str) -> dict[str, Any]:
    """One YAML document of run config as a dict (empty text: {}); YamlMappingError otherwise."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlMappingError(
            problem, *_position(getattr(exc, "problem_mark", None)), is_syntax=True
        ) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raise YamlMappingError(
            f"expected a mapping of config (e.g. 'solids: ...'), got a {type(value).__name__}",
            *_position(node.start_mark if node is not None else None),
            is_syntax=False,
        )
    return value


def load_yaml_file(path: str | Path) -> dict[str, Any]:
    """One YAML file as a dict; a missing file, bad YAML or a non-mapping says which file and line."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise DagsterConfigFileError(f"Cannot read config file {path}: {exc.strerror}") from None
    try:
        return parse_yaml_mapping(text)
    except YamlMappingError as exc:
        if not exc.is_syntax:
            raise DagsterConfigFileError(f"{path}: {exc.problem}") from None
        where = f"{path}:{exc.line}" if exc.line is not None else str(path)
        raise DagsterConfigFileError(f"{where}: invalid YAML: {exc.problem}") from None


def load_yaml_files(paths: Iterable[str | Path]) -> dict[str, Any]:
    """The files' config merged in order, later files winning."""
    merged: dict[str, Any] = {}
    for path in paths:
        merged = deep_merge(merged, load_yaml_file(path))
    return merged
