"""What a solid's compute function yields or raises to talk to the framework, and the metadata
entries that events, materializations, expectations and type checks carry."""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster_core.errors import DagsterInvariantViolationError
from dagster_core.serdes import whitelist_for_serdes


@whitelist_for_serdes
@dataclass(frozen=True)
class TextMetadataEntryData:
    text: str


@whitelist_for_serdes
@dataclass(frozen=True)
class UrlMetadataEntryData:
    url: str


@whitelist_for_serdes
@dataclass(frozen=True)
class PathMetadataEntryData:
    path: str


@whitelist_for_serdes
@dataclass(frozen=True)
class JsonMetadataEntryData:
    data: Mapping[str, Any]


@whitelist_for_serdes
@dataclass(frozen=True)
class MarkdownMetadataEntryData:
    md_str: str


@whitelist_for_serdes
@dataclass(frozen=True)
class FloatMetadataEntryData:
    value: float


@whitelist_for_serdes
@dataclass(frozen=True)
class IntMetadataEntryData:
    value: int


def _checked(value: Any, kinds: tuple[type, ...], constructor: str, label: Any) -> Any:
    if not isinstance(label, str) or not label:
        raise DagsterInvariantViolationError(
            f"EventMetadataEntry.{constructor} needs a non-empty str label, got {label!r}"
        )
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise DagsterInvariantViolationError(
            f"EventMetadataEntry.{constructor} '{label}' needs a {expected}, got {value!r} "
            f"(a {type(value).__name__})"
        )
    return value


@whitelist_for_serdes
@dataclass(frozen=True)
class EventMetadataEntry:
    """A labelled piece of metadata (text, url, path, json, markdown, float or int) shown with an
    event; build one with `EventMetadataEntry.text(text, label, description)` and the like."""

    label: str
    description: str | None
    entry_data: Any

    @classmethod
    def text(cls, text: str, label: str, description: str | None = None) -> EventMetadataEntry:
        return cls(label, description, TextMetadataEntryData(_checked(text, (str,), "text", label)))

    @classmethod
    def url(cls, url: str, label: str, description: str | None = None) -> EventMetadataEntry:
        return cls(label, description, UrlMetadataEntryData(_checked(url, (str,), "url", label)))

    @classmethod
    def path(cls, path: str, label: str, description: str | None = None) -> EventMetadataEntry:
        return cls(label, description, PathMetadataEntryData(_checked(path, (str,), "path", label)))

    @classmethod
    def json(
        cls, data: Mapping[str, Any], label: str, description: str | None = None
    ) -> EventMetadataEntry:
        return cls(
            label, description, JsonMetadataEntryData(_checked(data, (Mapping,), "json", label))
        )

    @classmethod
    def md(cls, md_str: str, label: str, description: str | None = None) -> EventMetadataEntry:
        return cls(
            label, description, MarkdownMetadataEntryData(_checked(md_str, (str,), "md", label))
        )

    @classmethod
    def float(cls, value: float, label: str, description: str | None = None) -> EventMetadataEntry:
        checked = _checked(value, (builtins.float, builtins.int), "float", label)
        return cls(label, description, FloatMetadataEntryData(builtins.float(checked)))

    @classmethod
    def int(cls, value: int, label: str, description: str | None = None) -> EventMetadataEntry:
        return cls(
            label, description, IntMetadataEntryData(_checked(value, (builtins.int,), "int", label))
        )


def metadata_entries_tuple(
    entries: Sequence[EventMetadataEntry] | None, owner: str
) -> tuple[EventMetadataEntry, ...]:
    """`entries` as a tuple, each checked to be an EventMetadataEntry; `owner` names the holder."""
    if entries is None:
        return ()
    if not isinstance(entries, list | tuple):
        raise DagsterInvariantViolationError(
            f"metadata_entries of {owner} must be a list of EventMetadataEntry, got {entries!r}"
        )
    for entry in entries:
        if not isinstance(entry, EventMetadataEntry):
            raise DagsterInvariantViolationError(
                f"metadata_entries of {owner} must be EventMetadataEntry objects "
                f"(EventMetadataEntry.text(...), .url(...), ...), got {entry!r}"
            )
    return tuple(entries)


@whitelist_for_serdes
@dataclass(frozen=True)
class TypeCheck:
    """The outcome of a type check, with a description and metadata entries to show with it."""

    success: bool = True
    description: str | None = None
    metadata_entries: tuple[EventMetadataEntry, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "metadata_entries", metadata_entries_tuple(self.metadata_entries, "TypeCheck")
        )


@dataclass(frozen=True)
class Output:
    """A value for one of the solid's outputs (`result` unless named)."""

    value: Any
    output_name: str = "result"


@whitelist_for_serdes
@dataclass(frozen=True)
class Materialization:
    """A record that the solid wrote something durable outside the framework (a table, a file)."""

    label: str
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    metadata_entries: tuple[EventMetadataEntry, ...] = ()

    def __post_init__(self) -> None:
        entries = metadata_entries_tuple(self.metadata_entries, f"Materialization '{self.label}'")
        object.__setattr__(self, "metadata_entries", entries)

    @staticmethod
    def file(path: str, description: str | None = None) -> Materialization:
        """The solid wrote the file at `path`: labelled with the file's name, the path in
        metadata and as a `path` metadata entry (as the seed recorded it)."""
        return Materialization(
            os.path.basename(os.path.normpath(path)),
            description,
            {"path": path},
            (EventMetadataEntry.path(path, "path"),),
        )


@whitelist_for_serdes
@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of a data-quality check the solid made."""

    success: bool
    label: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    metadata_entries: tuple[EventMetadataEntry, ...] = ()

    def __post_init__(self) -> None:
        entries = metadata_entries_tuple(
            self.metadata_entries, f"ExpectationResult '{self.label or ''}'"
        )
        object.__setattr__(self, "metadata_entries", entries)


class Failure(Exception):
    """Raise to fail the step with this description (and metadata) rather than a traceback."""

    def __init__(
        self,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        metadata_entries: Sequence[EventMetadataEntry] | None = None,
    ):
        super().__init__(description)
        self.description = description
        self.metadata = dict(metadata or {})
        self.metadata_entries = metadata_entries_tuple(metadata_entries, "Failure")


class RetryRequested(Exception):
    """Raise to run the step again, up to `max_retries` times, `seconds_to_wait` apart."""

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0):
        super().__init__(f"retry requested (max_retries={max_retries})")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait
