"""DagsterType: a named check on values that cross step boundaries, optionally loadable from config."""

from __future__ import annotations

import builtins
from collections.abc import Callable

from dagster_core.config import (
    Array,
    ConfigAny,
    ConfigBool,
    ConfigFloat,
    ConfigInt,
    ConfigString,
    ConfigType,
    Noneable,
)
from dagster_core.errors import DagsterInvalidDefinitionError


class DagsterType:
    """A type checked at step boundaries: `type_check_fn(value) -> bool`.

    `config_type`, when set, lets an unconnected input of this type be given in run config.
    """

    __slots__ = ("config_type", "description", "inner", "is_nothing", "name", "type_check_fn")

    def __init__(
        self,
        name: str,
        type_check_fn: Callable[[object], bool] | None = None,
        description: str | None = None,
        config_type: ConfigType | None = None,
        *,
        inner: DagsterType | None = None,
        is_nothing: bool = False,
    ):
        if not isinstance(name, str) or not name:
            raise DagsterInvalidDefinitionError(f"DagsterType needs a non-empty name, got {name!r}")
        self.name = name
        self.type_check_fn = type_check_fn
        self.description = description
        self.config_type = config_type
        self.inner = inner
        self.is_nothing = is_nothing

    def type_check(self, value: object) -> bool:
        """True when `value` is acceptable for this type."""
        return True if self.type_check_fn is None else bool(self.type_check_fn(value))

    def __repr__(self) -> str:
        return f"DagsterType({self.name})"


def _isinstance_check(*classes: type) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return isinstance(value, classes) and not (
            isinstance(value, bool) and builtins.bool not in classes
        )

    return check


Any = DagsterType("Any", config_type=ConfigAny)
Int = DagsterType("Int", _isinstance_check(int), config_type=ConfigInt)
Float = DagsterType("Float", _isinstance_check(float, int), config_type=ConfigFloat)
String = DagsterType("String", _isinstance_check(str), config_type=ConfigString)
Bool = DagsterType("Bool", _isinstance_check(bool), config_type=ConfigBool)
Nothing = DagsterType("Nothing", lambda value: value is None, is_nothing=True)

_PYTHON_BUILTINS = {int: Int, float: Float, str: String, bool: Bool, object: Any}


def resolve_dagster_type(obj: object) -> DagsterType:
    """Map what users write in InputDefinition/OutputDefinition (None, int, a class) to a DagsterType."""
    if obj is None:
        return Any
    if isinstance(obj, DagsterType):
        return obj
    if isinstance(obj, type) and obj in _PYTHON_BUILTINS:
        return _PYTHON_BUILTINS[obj]
    if isinstance(obj, type):
        return DagsterType(obj.__name__, _isinstance_check(obj))
    raise DagsterInvalidDefinitionError(
        f"{obj!r} is not a type: expected a DagsterType (Int, List[String], ...), "
        "a Python class, or None for Any"
    )


class _ListFactory:
    """`List[Int]`: a list whose every element passes the inner type's check."""

    def __getitem__(self, inner: object) -> DagsterType:
        inner_type = resolve_dagster_type(inner)

        def check(value: object) -> bool:
            return isinstance(value, list) and all(inner_type.type_check(v) for v in value)

        config = Array(inner_type.config_type) if inner_type.config_type is not None else None
        return DagsterType(f"List[{inner_type.name}]", check, config_type=config, inner=inner_type)


class _OptionalFactory:
    """`Optional[Int]`: None, or a value that passes the inner type's check."""

    def __getitem__(self, inner: object) -> DagsterType:
        inner_type = resolve_dagster_type(inner)

        def check(value: object) -> bool:
            return value is None or inner_type.type_check(value)

        config = Noneable(inner_type.config_type) if inner_type.config_type is not None else None
        return DagsterType(
            f"Optional[{inner_type.name}]", check, config_type=config, inner=inner_type
        )


List = _ListFactory()
Optional = _OptionalFactory()
