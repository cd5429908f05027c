"""JSON for the framework's plain records, so databases and other tools can read what runs wrote.

Registered dataclasses and enums are written with a `__class__` tag and read back as the same
types; tuples, sets and frozensets keep their kind. A value of any other type (say, a user's object
in materialization metadata) is stored as its repr, never pickled: reading the log runs no code.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any

import orjson

_REGISTRY: dict[str, type] = {}
_FIELDS: dict[str, tuple[str, ...]] = {}
_PACKERS: dict[type, Callable[[Any], Any]] = {}
_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {}
# A record's strings are mostly names that thousands of records repeat (run id, pipeline, step):
# each is kept once.
_intern = sys.intern
_NAME_LENGTH = 64  # longer strings inside a record's data (paths, text) seldom repeat
_set = object.__setattr__  # as a frozen dataclass's __init__ sets fields, keeping objects small
_ENCODER = json.JSONEncoder(separators=(",", ":"))
# orjson parses a text into a buffer of about 12 times its size before it builds the values: a
# fan-in's read of 10,000 outputs (1.3 MB) would take 20 MB at once. json builds them directly.
_ORJSON_MAX = 64 * 1024


def whitelist_for_serdes(cls: type) -> type:
    """Register a dataclass or Enum so that it is written and read back as itself."""
    _REGISTRY[cls.__name__] = cls
    if dataclasses.is_dataclass(cls):
        _FIELDS[cls.__name__] = tuple(f.name for f in dataclasses.fields(cls))
    _PACKERS.clear()  # a type packed before may be registered by this name now
    _READERS.clear()
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
_PLAIN = _SCALARS - {str}


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:  # most values of a record: checked first, as reading a log is hot
        return value
    if kind is str:  # short ones are names (of outputs, inputs, types, steps) that repeat
        return _intern(value) if len(value) <= _NAME_LENGTH else value
    if kind is list:
        return [v if type(v) in _PLAIN else _unpack(v) for v in value]
    name = value.get("__class__") or value.get("__enum__")
    if name is not None:
        reader = _READERS.get(name)
        if reader is None:
            reader = _READERS[name] = _reader_for(name)
        return reader(value)
    if "__dict__" in value:
        return {k: v if type(v) in _PLAIN else _unpack(v) for k, v in value["__dict__"].items()}
    if "__pairs__" in value:
        return {_unpack(k): _unpack(v) for k, v in value["__pairs__"]}
    if "__tuple__" in value:
        return tuple(_unpack(v) for v in value["__tuple__"])
    if "__frozenset__" in value:
        return frozenset(_unpack(v) for v in value["__frozenset__"])
    if "__repr__" in value:
        return value["__repr__"]
    raise ValueError(f"Cannot read serialized value {value!r}")


def _reader_for(name: str) -> Callable[[dict[str, Any]], Any]:
    """How a record or enum member written as `name` is read back, decided once per name."""
    cls = _REGISTRY[name]
    if issubclass(cls, Enum):
        members = {member.value: member for member in cls}
        return lambda value: (
            members[value["value"]] if value["value"] in members else cls(value["value"])
        )
    fields = frozenset(_FIELDS[name])

    def read(value: dict[str, Any]) -> Any:
        state = {
            k: _intern(v) if type(v) is str else v if type(v) in _SCALARS else _unpack(v)
            for k, v in value.items()
            if k in fields
        }
        if len(state) < len(fields):  # written before a field was added: __init__ fills it in
            return cls(**state)
        # as it was when written: its __init__ checked and normalized it then
        record = object.__new__(cls)
        for field, field_value in state.items():
            _set(record, field, field_value)
        return record

    return read


def serialize_value(value: Any) -> str:
    """A JSON string for a registered record (or plain data containing them)."""
    return _ENCODER.encode(_pack(value))


def deserialize_value(text: str | bytes) -> Any:
    """The value `serialize_value` wrote."""
    if len(text) > _ORJSON_MAX:
        return _unpack(json.loads(text))
    try:
        loaded = orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, Infinity and huge integers, which only json reads
        loaded = json.loads(text)
    return _unpack(loaded)
