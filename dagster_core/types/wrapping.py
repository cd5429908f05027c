"""Types made from other types (List, Optional, Set, Tuple, Dict), and resolve_dagster_type, which
turns whatever users write where a type is expected (Int, int, typing.List[int], a class, None)
into a DagsterType. A wrapper of the same inner types is made once, so it is the same object
wherever it is written."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any as _AnyHint

from dagster_core.config import Array, Noneable, Permissive, Shape
from dagster_core.definitions.events import TypeCheck
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.types.builtin_types import Any, Bool, Float, Int, String
from dagster_core.types.config_schema import InputHydrationConfig
from dagster_core.types.dagster_type import DagsterType, TypeCheckContext, dagster_type_of_class

_MADE: dict[tuple[object, ...], DagsterType] = {}


def _made_once(key: tuple[object, ...], make: Callable[[], DagsterType]) -> DagsterType:
    if key not in _MADE:
        _MADE[key] = make()
    return _MADE[key]


def _inner(obj: object, wrapper: str) -> DagsterType:
    inner = resolve_dagster_type(obj)
    if inner.is_nothing:
        raise DagsterInvalidDefinitionError(
            f"{wrapper}[Nothing] is not a type: Nothing carries no value, so nothing can hold "
            "it. To make a solid wait for several others, give it an input of type Nothing and "
            "pass it a list of their outputs"
        )
    return inner


def _first_bad(
    context: TypeCheckContext, items: typing.Iterable[tuple[object, DagsterType, object]]
) -> TypeCheck:
    """Success, or a failure naming the first (position, type, value) whose check fails."""
    for where, inner, value in items:
        check = inner.type_check(context, value)
        if not check.success:
            detail = f": {check.description}" if check.description else ""
            return TypeCheck(
                False,
                f"{where} (a {type(value).__name__}) is not {inner.name}{detail}",
                check.metadata_entries,
            )
    return TypeCheck(True)


def _hydrated_collection(
    inner: DagsterType, make: Callable[[list[object]], object]
) -> InputHydrationConfig | None:
    """Config for a collection input: a list whose items are each given as `inner` is."""
    hydration = inner.input_hydration_config
    if hydration is None:
        return None
    return InputHydrationConfig(
        Array(hydration.schema),
        lambda context, values: make(
            [hydration.construct_from_config_value(context, v) for v in values]
        ),
    )


def _list_of(inner: DagsterType) -> DagsterType:
    def check(context: TypeCheckContext, value: object) -> TypeCheck:
        if not isinstance(value, list):
            return TypeCheck(False)
        return _first_bad(context, ((f"element [{i}]", inner, v) for i, v in enumerate(value)))

    return DagsterType(
        f"List[{inner.name}]",
        check,
        key=f"List.{inner.key}",
        config_type=Array(inner.config_type) if inner.config_type is not None else None,
        input_hydration_config=_hydrated_collection(inner, list),
        inner_types=(inner,),
    )


def _optional_of(inner: DagsterType) -> DagsterType:
    def check(context: TypeCheckContext, value: object) -> TypeCheck:
        return TypeCheck(True) if value is None else inner.type_check(context, value)

    hydration = inner.input_hydration_config
    return DagsterType(
        f"Optional[{inner.name}]",
        check,
        key=f"Optional.{inner.key}",
        config_type=Noneable(inner.config_type) if inner.config_type is not None else None,
        input_hydration_config=None
        if hydration is None
        else InputHydrationConfig(
            Noneable(hydration.schema),
            lambda context, value: (
                None if value is None else hydration.construct_from_config_value(context, value)
            ),
        ),
        inner_types=(inner,),
    )


def _set_of(inner: DagsterType) -> DagsterType:
    def check(context: TypeCheckContext, value: object) -> TypeCheck:
        if not isinstance(value, set | frozenset):
            return TypeCheck(False)
        return _first_bad(context, (("an element", inner, v) for v in value))

    return DagsterType(
        f"Set[{inner.name}]",
        check,
        key=f"Set.{inner.key}",
        input_hydration_config=_hydrated_collection(inner, set),
        inner_types=(inner,),
    )


def _tuple_of(inners: tuple[DagsterType, ...]) -> DagsterType:
    if not inners:
        return DagsterType(
            "Tuple",
            lambda value: isinstance(value, tuple),
            input_hydration_config=_hydrated_collection(Any, tuple),
        )

    def check(context: TypeCheckContext, value: object) -> TypeCheck:
        if not isinstance(value, tuple):
            return TypeCheck(False)
        if len(value) != len(inners):
            return TypeCheck(False, f"it has {len(value)} elements, not {len(inners)}")
        return _first_bad(
            context,
            ((f"element [{i}]", t, v) for i, (t, v) in enumerate(zip(inners, value, strict=True))),
        )

    return DagsterType(
        f"Tuple[{', '.join(t.name for t in inners)}]",
        check,
        key=f"Tuple.{'.'.join(t.key for t in inners)}",
        inner_types=inners,
    )


def _dict_of(key_type: DagsterType | None, value_type: DagsterType | None) -> DagsterType:
    if key_type is None or value_type is None:
        return DagsterType(
            "Dict",
            lambda value: isinstance(value, dict),
            config_type=Permissive(),
            input_hydration_config=InputHydrationConfig(Permissive(), lambda _, value: value),
        )

    def check(context: TypeCheckContext, value: object) -> TypeCheck:
        if not isinstance(value, dict):
            return TypeCheck(False)
        return _first_bad(
            context,
            (
                item
                for k, v in value.items()
                for item in ((f"key {k!r}", key_type, k), (f"value of {k!r}", value_type, v))
            ),
        )

    return DagsterType(
        f"Dict[{key_type.name}, {value_type.name}]",
        check,
        key=f"Dict.{key_type.key}.{value_type.key}",
        inner_types=(key_type, value_type),
    )


class _ListFactory:
    """`List[Int]`: a list whose every element is an Int. `List` alone is `List[Any]`."""

    def __getitem__(self, inner: object) -> DagsterType:
        inner_type = _inner(inner, "List")
        return _made_once(("List", inner_type), lambda: _list_of(inner_type))

    def __repr__(self) -> str:
        return "List"


class _OptionalFactory:
    """`Optional[Int]`: None, or an Int."""

    def __getitem__(self, inner: object) -> DagsterType:
        inner_type = _inner(inner, "Optional")
        return _made_once(("Optional", inner_type), lambda: _optional_of(inner_type))

    def __repr__(self) -> str:
        return "Optional"


class _SetFactory:
    """`Set[Int]`: a set (or frozenset) of Ints. `Set` alone is `Set[Any]`."""

    def __getitem__(self, inner: object) -> DagsterType:
        inner_type = _inner(inner, "Set")
        return _made_once(("Set", inner_type), lambda: _set_of(inner_type))

    def __repr__(self) -> str:
        return "Set"


class _TupleFactory:
    """`Tuple[Int, String]`: a tuple of an Int then a String. `Tuple` alone is any tuple."""

    def __getitem__(self, inners: object) -> DagsterType:
        items = inners if isinstance(inners, tuple) else (inners,)
        types_ = tuple(_inner(t, "Tuple") for t in items)
        return _made_once(("Tuple", *types_), lambda: _tuple_of(types_))

    def __repr__(self) -> str:
        return "Tuple"


class _DictFactory:
    """`Dict` is both a runtime type and a config schema: `Dict` alone is any dict,
    `Dict[String, Int]` a dict of String keys to Int values, and `Dict({"a": Field(Int)})` the
    config schema Shape (as in the seed's config)."""

    def __getitem__(self, key_and_value: object) -> DagsterType:
        if not isinstance(key_and_value, tuple) or len(key_and_value) != 2:
            raise DagsterInvalidDefinitionError(
                f"Dict[...] takes a key type and a value type, e.g. Dict[String, Int]; "
                f"got {key_and_value!r}"
            )
        key_type, value_type = (_inner(t, "Dict") for t in key_and_value)
        return _made_once(("Dict", key_type, value_type), lambda: _dict_of(key_type, value_type))

    def __call__(self, fields: Mapping[str, object], description: str | None = None) -> Shape:
        return Shape(fields, description)

    def __repr__(self) -> str:
        return "Dict"


List = _ListFactory()
Optional = _OptionalFactory()
Set = _SetFactory()
Tuple = _TupleFactory()
Dict = _DictFactory()

_BARE: dict[object, Callable[[], DagsterType]] = {
    List: lambda: List[Any],
    Set: lambda: Set[Any],
    Tuple: lambda: _made_once(("Tuple",), lambda: _tuple_of(())),
    Dict: lambda: _made_once(("Dict",), lambda: _dict_of(None, None)),
}
_BARE_BUILTINS: dict[type, Callable[[], DagsterType]] = {
    int: lambda: Int,
    float: lambda: Float,
    str: lambda: String,
    bool: lambda: Bool,
    object: lambda: Any,
    list: _BARE[List],
    set: _BARE[Set],
    frozenset: _BARE[Set],
    tuple: _BARE[Tuple],
    dict: _BARE[Dict],
}


def _from_hint(hint: object, origin: object, args: tuple[object, ...]) -> DagsterType:
    """The DagsterType of a typing hint such as typing.List[int] or int | None."""
    if origin is list:
        return List[args[0]] if args else List[Any]
    if origin in (set, frozenset):
        return Set[args[0]] if args else Set[Any]
    if origin is dict:
        return Dict[args[0], args[1]] if args else _BARE[Dict]()
    if origin is tuple and Ellipsis not in args:
        return Tuple[args] if args else _BARE[Tuple]()
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1 and len(others) < len(args):
            return Optional[others[0]]
    raise DagsterInvalidDefinitionError(
        f"{hint!r} cannot be used as a type: of typing hints, List[X], Dict[K, V], Set[X], "
        "Tuple[X, Y], Optional[X] and Any are understood"
    )


def resolve_dagster_type(obj: object) -> DagsterType:
    """The DagsterType `obj` stands for: a DagsterType; None or typing.Any for Any; int, float,
    str, bool, list, dict, set, tuple; List / Set / Tuple / Dict alone; a typing hint such as
    typing.List[int]; or a class (the type made usable for it, else an isinstance check)."""
    if obj is None or obj is _AnyHint:
        return Any
    if isinstance(obj, DagsterType):
        return obj
    origin = typing.get_origin(obj)
    if origin is not None:
        return _from_hint(obj, origin, typing.get_args(obj))
    if isinstance(obj, type):
        bare = _BARE_BUILTINS.get(obj)
        return bare() if bare is not None else dagster_type_of_class(obj)
    if isinstance(obj, _ListFactory | _SetFactory | _TupleFactory | _DictFactory):
        return _BARE[obj]()
    hint = " (Optional needs its inner type: Optional[Int])" if obj is Optional else ""
    raise DagsterInvalidDefinitionError(
        f"{obj!r} is not a type{hint}: expected a DagsterType (Int, "
        "List[String], ...), a Python class, a typing hint such as typing.List[int], or None "
        "for Any"
    )
