"""How the schema runs an operation: strawberry's graphql-core executor, with the two steps that a
big answer repeats for every one of its objects made cheap. A run's 10,000 events are 10,000
union members and 50,000 scalar fields; for each, the general path builds a resolve info, calls
strawberry's resolver chain and walks graphql-core's completion of every kind of type.

- A scalar or enum field read from an attribute (a strawberry field without a resolver, whose
  resolver never reads its info) is read and serialized at once; `__typename` is its type's name.
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
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLUnionType,
    Undefined,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type.introspection import TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField

# Values a leaf is read as without further checks; anything else (an enum member, an awaitable,
# an exception) is completed by graphql-core.
_PLAIN_VALUES = frozenset({str, int, float, bool})


class _AttributeLeaf:
    """A scalar or enum field read from an attribute: how strawberry reads it (its default
    resolver, `getattr` unless configured, on the Python name), its type and nullability."""

    __slots__ = ("leaf_type", "non_null", "python_name", "read")

    def __init__(self, field: GraphQLField, definition: StrawberryField):
        self.read = definition.default_resolver
        self.python_name = definition.python_name
        self.non_null = is_non_null_type(field.type)
        self.leaf_type: GraphQLLeafType = field.type.of_type if self.non_null else field.type  # type: ignore[union-attr]


_TYPENAME = object()  # the `__typename` field, in the leaf cache


class Executor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor as strawberry configures it, with the shortcuts above. One is made
    per operation, so its caches hold what the operation's fields and classes turned out to be."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # a middleware (an extension's `resolve`) must see every field: no shortcut then
        self._shortcuts = not (middleware and middleware.middlewares)
        self._leaves: dict[tuple[str, str], _AttributeLeaf | object | None] = {}
        self._member_types: dict[tuple[str, type], GraphQLObjectType | None] = {}

    def _attribute_leaf(
        self, parent_type: GraphQLObjectType, field_name: str
    ) -> _AttributeLeaf | object | None:
        key = (parent_type.name, field_name)
        if key not in self._leaves:
            self._leaves[key] = _leaf_of(self.schema.get_field(parent_type, field_name))
        return self._leaves[key]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        if self._shortcuts and not node.arguments:
            leaf = self._attribute_leaf(parent_type, node.name.value)
            if leaf is _TYPENAME:
                return parent_type.name
            if isinstance(leaf, _AttributeLeaf):
                value = leaf.read(source, leaf.python_name)
                if value is None and not leaf.non_null:
                    return None
                if type(value) in _PLAIN_VALUES:
                    try:
                        coerced = leaf.leaf_type.coerce_output_value(value)
                    except Exception:
                        coerced = None  # graphql-core reports it, with the field's path
                    if coerced is not None and coerced is not Undefined:
                        return coerced
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


def _leaf_of(field: GraphQLField | None) -> _AttributeLeaf | object | None:
    """How a field is read on the shortcut: `_TYPENAME`, an attribute leaf, or None (it is not)."""
    if field is TypeNameMetaFieldDef:
        return _TYPENAME
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None  # `_is_default`: strawberry's mark of a field without resolver or extension
    definition = field.extensions.get("strawberry-definition")
    field_type: GraphQLOutputType = field.type
    inner = field_type.of_type if is_non_null_type(field_type) else field_type  # type: ignore[union-attr]
    if not isinstance(definition, StrawberryField) or not is_leaf_type(inner):
        return None
    return _AttributeLeaf(field, definition)
