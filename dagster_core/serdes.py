"""JSON for the framework's plain records, so databases and other tools can read what runs wrote.

Registered dataclasses and enums are written with a `__class__` tag and read back as the same
types; tuples, sets and frozensets keep their kind. A value of any other type (say, a user's object
in materialization metadata) is stored as its repr, never pickled: reading the log runs no code.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from enum import Enum
from typing import Any

_REGISTRY: dict[str, type] = {}
_FIELDS: dict[str, tuple[str, ...]] = {}
_PACKERS: dict[type, Callable[[Any], Any]] = {}
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def whitelist_for_serdes(cls: type) -> type:
    """Register a dataclass or Enum so that it is written and read back as itself."""
    _REGISTRY[cls.__name__] = cls
    if dataclasses.is_dataclass(cls):
        _FIELDS[cls.__name__] = tuple(f.name for f in dataclasses.fields(cls))
    _PACKERS.clear()  # a type packed before may be registered by this name now
    return cls


def _pack(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most values of a record: checked first, as writing events is hot
        return value
    packer = _PACKERS.get(kind)
    if packer is None:
        packer = _PACKERS[kind] = _packer_for(kind)
    return packer(value)


def _packer_for(kind: type) -> Callable[[Any], Any]:
    """How values of `kind` are written; each decision depends on the type alone, so it is made
    once per type."""
    name = kind.__name__
    if issubclass(kind, Enum) and name in _REGISTRY:
        return lambda value: {"__enum__": name, "value": value.value}
    if issubclass(kind, bool | int | float | str):
        return lambda value: value
    if name in _FIELDS:
        fields = _FIELDS[name]
        return lambda value: {
            "__class__": name,
            **{field: _pack(getattr(value, field)) for field in fields},
        }
    if issubclass(kind, dict):
        return _pack_dict
    if issubclass(kind, list):
        return lambda value: [_pack(v) for v in value]
    if issubclass(kind, tuple):
        return lambda value: {"__tuple__": [_pack(v) for v in value]}
    if issubclass(kind, set | frozenset):
        return lambda value: {"__frozenset__": sorted((_pack(v) for v in value), key=repr)}
    return lambda value: {"__repr__": repr(value)}


def _pack_dict(value: dict) -> Any:
    if all(isinstance(k, str) for k in value):
        return {"__dict__": {k: _pack(v) for k, v in value.items()}}
    return {"__pairs__": [[_pack(k), _pack(v)] for k, v in value.items()]}


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most values of a record: checked first, as reading a log is hot
        return value
    if kind is list:
        return [_unpack(v) for v in value]
    if "__class__" in value:
        name = value["__class__"]
        fields = _FIELDS[name]
        return _REGISTRY[name](**{k: _unpack(v) for k, v in value.items() if k in fields})
    if "__enum__" in value:
        return _REGISTRY[value["__enum__"]](value["value"])
    if "__dict__" in value:
        return {k: _unpack(v) for k, v in value["__dict__"].items()}
    if "__pairs__" in value:
        return {_unpack(k): _unpack(v) for k, v in value["__pairs__"]}
    if "__tuple__" in value:
        return tuple(_unpack(v) for v in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(_unpack(v) for v in value["__frozenset__"])
    if "__repr__" in value:
        return value["__repr__"]
    raise ValueError(f"Cannot read serialized value {value!r}")


def serialize_value(value: Any) -> str:
    """A JSON string for a registered record (or plain data containing them)."""
    return _ENCODER.encode(_pack(value))


def deserialize_value(text: str) -> Any:
    """The value `serialize_value` wrote."""
    return _unpack(json.loads(text))
