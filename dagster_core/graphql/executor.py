"""How the schema runs an operation: strawberry's graphql-core executor, with the steps that a big
answer repeats for every one of its objects made cheap. A run's 10,000 events are 10,000 union
members and 50,000 scalar fields; for each, the general path builds a resolve info, calls
strawberry's resolver chain and walks graphql-core's completion of every kind of type.

- A scalar or enum field read from an attribute (a strawberry field without a resolver, whose
  resolver never reads its info) is read and serialized at once; `__typename` is its type's name.
  An object whose selected fields are all such leaves is answered in one loop.
- A union member that is an instance of a plain strawberry type (not generic, not
  `strawberry.cast`) is of that type: it is found once per class and operation, not by trying the
  union's types for every object.

Anything else (arguments, middleware, a null for a non-null field, a value that does not
serialize, an error) takes graphql-core's path, so results and errors are exactly its own."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLUnionType,
    Undefined,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type.introspection import TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField

# Values a leaf is serialized from on the shortcut; anything else (an enum member, an awaitable,
# an exception) is completed by graphql-core.
_PLAIN_VALUES = frozenset({str, int, float, bool})
_GENERAL = object()  # a leaf's answer when graphql-core's path must give it


class _TypeName:
    """`__typename` of one object type."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def value(self, _source: Any) -> str:
        return self.name


class _AttributeLeaf:
    """A scalar or enum field that strawberry reads from an attribute: with its default resolver
    (`getattr` unless configured) on the Python name, serialized by the field's type."""

    __slots__ = ("leaf_type", "nullable", "python_name", "read")

    def __init__(self, definition: StrawberryField, leaf_type: GraphQLLeafType, nullable: bool):
        self.read = definition.default_resolver
        self.python_name = definition.python_name
        self.leaf_type = leaf_type
        self.nullable = nullable

    def value(self, source: Any) -> Any:
        """The serialized value, or _GENERAL when it is null for a non-null field, not a plain
        value, or not serializable (graphql-core then answers, with the error it reports)."""
        value = self.read(source, self.python_name)
        if value is None and self.nullable:
            return None
        if type(value) not in _PLAIN_VALUES:
            return _GENERAL
        try:
            coerced = self.leaf_type.coerce_output_value(value)
        except Exception:
            return _GENERAL
        return _GENERAL if coerced is None or coerced is Undefined else coerced


_Leaf = _TypeName | _AttributeLeaf


def _leaf_of(parent_type: GraphQLObjectType, field: GraphQLField | None) -> _Leaf | None:
    """How a field of `parent_type` is answered on the shortcut, or None when it is not."""
    if field is TypeNameMetaFieldDef:
        return _TypeName(parent_type.name)
    # `_is_default`: strawberry's mark of the resolver of a field without resolver or extension
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = field.extensions.get("strawberry-definition")
    nullable = not is_non_null_type(field.type)
    leaf_type = field.type if nullable else field.type.of_type  # type: ignore[union-attr]
    if not isinstance(definition, StrawberryField) or not is_leaf_type(leaf_type):
        return None
    return _AttributeLeaf(definition, leaf_type, nullable)


class Executor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor as strawberry configures it, with the shortcuts above. One is made
    per operation, so its caches hold what the operation's fields and classes turned out to be."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # a middleware (an extension's `resolve`) must see every field: no shortcut then
        self._shortcuts = not (middleware and middleware.middlewares)
        self._leaves: dict[tuple[str, str], _Leaf | None] = {}
        # by the id of a grouped field set (kept alive with it, as graphql-core's own cache does)
        self._leaf_sets: dict[int, tuple[GroupedFieldSet, list[tuple[str, _Leaf]] | None]] = {}
        self._member_types: dict[tuple[str, type], GraphQLObjectType | None] = {}

    def build_per_event_executor(self, payload: Any) -> Executor:
        """A subscription's executor for one event: its field sets are its own, so their leaves
        are not kept once the event is answered."""
        executor: Executor = super().build_per_event_executor(payload)  # type: ignore[assignment]
        executor._leaf_sets = {}
        return executor

    def _leaf(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> _Leaf | None:
        node = details[0].node
        if node.arguments or not self._shortcuts:
            return None
        key = (parent_type.name, node.name.value)
        if key not in self._leaves:
            field = self.schema.get_field(parent_type, node.name.value)
            self._leaves[key] = _leaf_of(parent_type, field)
        return self._leaves[key]

    def _leaf_set(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> list[tuple[str, _Leaf]] | None:
        """Each selected field with its leaf, when every one of them is a leaf on the shortcut."""
        cached = self._leaf_sets.get(id(fields))
        if cached is None:
            leaves = [(name, self._leaf(parent_type, details)) for name, details in fields.items()]
            found = [(name, leaf) for name, leaf in leaves if leaf is not None]
            cached = self._leaf_sets[id(fields)] = (
                fields,
                found if len(found) == len(leaves) else None,
            )
        return cached[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        leaves = self._leaf_set(parent_type, grouped_field_set)
        if leaves is not None:
            results = {}
            for response_name, leaf in leaves:
                value = leaf.value(source_value)
                if value is _GENERAL:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        leaf = self._leaf(parent_type, field_details_list)
        if leaf is not None:
            value = leaf.value(source)
            if value is not _GENERAL:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_abstract_value(
        self,
        return_type: Any,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self._shortcuts and isinstance(return_type, GraphQLUnionType):
            member_type = self._member_type(return_type, result)
            if member_type is not None:
                # the object is an instance of the type's own class: its is_type_of holds
                return self.collect_and_execute_subfields(
                    member_type, field_details_list, path, result, position_context
                )
        return super().complete_abstract_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _member_type(self, union: GraphQLUnionType, result: Any) -> GraphQLObjectType | None:
        """The union's type that `result` is an instance of, when its class alone says so."""
        if get_strawberry_type_cast(result) is not None:
            return None
        key = (union.name, type(result))
        if key not in self._member_types:
            self._member_types[key] = self._class_member_type(union, type(result))
        return self._member_types[key]

    def _class_member_type(self, union: GraphQLUnionType, cls: type) -> GraphQLObjectType | None:
        """The object type strawberry defines for `cls`, if it is plain and one of the union's."""
        definition = getattr(cls, "__strawberry_definition__", None)
        if (
            not isinstance(definition, StrawberryObjectDefinition)
            or definition.is_graphql_generic
            or definition.concrete_of is not None
            or definition.origin is not cls
        ):
            return None
        member_type = self.schema.get_type(definition.name)
        if (
            not is_object_type(member_type)
            or member_type.extensions.get("strawberry-definition") is not definition  # type: ignore[union-attr]
            or not self.schema.is_sub_type(union, member_type)  # type: ignore[arg-type]
        ):
            return None
        return member_type  # type: ignore[return-value]
