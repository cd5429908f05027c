"""The schema: the root Query, Mutation and Subscription types, each merged from the modules
that own a part of the API, and the extension that keeps read-only callers from mutating."""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from dagster_core.graphql.events import CURSOR_SCALAR, METADATA_ENTRY_TYPES, Cursor
from dagster_core.graphql.execution import ExecutionMutations
from dagster_core.graphql.executor import Executor
from dagster_core.graphql.instance import InstanceQueries
from dagster_core.graphql.pipelines import IMPLEMENTATIONS, PipelineQueries
from dagster_core.graphql.runs import RunQueries
from dagster_core.graphql.selection import ENVIRONMENT_CONFIG_DATA, EnvironmentConfigData
from dagster_core.graphql.subscriptions import RunSubscriptions
from dagster_core.redact import redact_text

_log = logging.getLogger("dagster_core.graphql")
VERSION = importlib.metadata.version("dagster-core-dask")
READ_ONLY_MESSAGE = (
    "This server does not accept mutations from this caller: it is read-only (--read-only), or "
    "it requires a token (--token) that the request did not carry as `Authorization: Bearer ...`"
)


@strawberry.type
class _CoreQueries:
    @strawberry.field(description="The version of the server.")
    def version(self) -> str:
        return VERSION


class _WriteAccess(SchemaExtension):
    """A mutation from a caller whose context cannot write is refused before it runs."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type == OperationType.MUTATION and not context.context.can_write:
            context.result = ExecutionResult(data=None, errors=[GraphQLError(READ_ONLY_MESSAGE)])
        yield


class _Schema(strawberry.Schema):
    """Errors are part of the response; the server's log gets only their redacted message."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            _log.warning("GraphQL error: %s", redact_text(error.message))


Query = merge_types("Query", (_CoreQueries, PipelineQueries, RunQueries, InstanceQueries))
Mutation = merge_types("Mutation", (ExecutionMutations,))
Subscription = merge_types("Subscription", (RunSubscriptions,))

SCHEMA = _Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=(*IMPLEMENTATIONS, *METADATA_ENTRY_TYPES),
    extensions=[_WriteAccess],
    execution_context_class=Executor,
    config=StrawberryConfig(
        scalar_map={EnvironmentConfigData: ENVIRONMENT_CONFIG_DATA, Cursor: CURSOR_SCALAR}
    ),
)
