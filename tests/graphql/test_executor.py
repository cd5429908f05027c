"""The schema's executor answers exactly as strawberry's own (data and errors), whichever path a
field takes, and reads plain attribute fields and union members without graphql-core's general
path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from dagster_core.graphql.executor import Executor


@strawberry.enum
class Color(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Leaves:
    text: str
    number: int
    ratio: float
    flag: bool
    color: Color
    maybe: str | None
    required: str  # some objects hold None here: a null for a non-null field
    count: int  # some objects hold text here: a value that does not serialize

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.text.upper() + suffix


@strawberry.type
class Other:
    name: str


@strawberry.type
class Lookalike:
    name: str


class Derived(Other):
    """A subclass that strawberry does not know: it is resolved as Other."""


Member = Annotated[Leaves | Other, strawberry.union("Member")]


def _leaves(text: str, required: Any = "r", count: Any = 1) -> Leaves:
    return Leaves(
        text=text,
        number=3,
        ratio=0.5,
        flag=True,
        color=Color.BLUE,
        maybe=None,
        required=required,
        count=count,
    )


@strawberry.type
class Query:
    @strawberry.field
    def members(self) -> list[Member]:  # type: ignore[valid-type]
        return [
            _leaves("a"),
            Other(name="o"),
            Derived(name="d"),
            strawberry.cast(Other, Lookalike(name="cast")),
            _leaves("b"),
        ]

    @strawberry.field
    def broken(self) -> list[Leaves | None]:
        return [_leaves("c"), _leaves("d", required=None), _leaves("e", count="many")]


QUERY = """
{
  members {
    __typename
    ... on Leaves { text number ratio flag color maybe required count shout loud: shout(suffix: "?") }
    ... on Other { name }
  }
  broken { text required count }
}
"""


class _Upper(SchemaExtension):
    """A middleware: every string comes back upper-cased."""

    def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


def _answer(execution_context_class: type, extensions: tuple = ()) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query,
        extensions=list(extensions),
        execution_context_class=execution_context_class,
    )
    result = asyncio.run(schema.execute(QUERY))
    errors = sorted((str(error.path), error.message) for error in result.errors or ())
    return {"data": result.data, "errors": errors}


def test_answers_exactly_as_strawberrys_executor():
    mine, theirs = _answer(Executor), _answer(StrawberryGraphQLCoreExecutionContext)
    assert mine == theirs
    assert [m["__typename"] for m in mine["data"]["members"]] == [
        "Leaves",
        "Other",
        "Other",
        "Other",
        "Leaves",
    ]
    assert [path for path, _ in mine["errors"]] == [
        "['broken', 1, 'required']",
        "['broken', 2, 'count']",
    ]


def test_with_a_middleware_every_field_takes_the_general_path():
    mine = _answer(Executor, (_Upper,))
    assert mine == _answer(StrawberryGraphQLCoreExecutionContext, (_Upper,))
    assert mine["data"]["members"][0]["text"] == "A"


def test_plain_fields_and_members_skip_the_general_path(monkeypatch):
    built: list[str] = []
    original = Executor.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):  # type: ignore[no-untyped-def]
        built.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return original(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(Executor, "build_resolve_info", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=Executor)
    result = asyncio.run(
        schema.execute(
            "{ members { __typename ... on Leaves { text number } ... on Other { name } } }"
        )
    )
    assert not result.errors
    # only the root field and the list of members need a resolve info
    assert built == ["Query.members"]


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def batches(self) -> AsyncGenerator[list[Member], None]:  # type: ignore[valid-type]
        for index in range(50):
            yield [_leaves(str(index)), Other(name=str(index))]


def test_a_subscription_answers_alike_and_keeps_no_field_sets_of_past_events():
    executors: list[Executor] = []

    class Recording(Executor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(self)

    async def answers(execution_context_class: type) -> list[Any]:
        schema = strawberry.Schema(
            query=Query,
            subscription=Subscription,
            execution_context_class=execution_context_class,
        )
        query = (
            "subscription { batches { __typename ... on Leaves { text } ... on Other { name } } }"
        )
        return [result.data async for result in await schema.subscribe(query)]

    mine = asyncio.run(answers(Recording))
    assert mine == asyncio.run(answers(StrawberryGraphQLCoreExecutionContext))
    assert len(mine) == 50 and mine[-1]["batches"][1] == {"__typename": "Other", "name": "49"}
    # each event's field sets went with its own executor
    assert [executor._leaf_sets for executor in executors] == [{}]
