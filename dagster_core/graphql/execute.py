"""Running one GraphQL operation in this process, as `dagster-graphql -t` does: the response
as the JSON a server would send."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.schema import SCHEMA
from dagster_core.redact import redact_text


def execute_query(
    context: GraphQLContext, query: str, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`{"data": ...}`, with `"errors"` (each message redacted) when there are any."""
    # async, as on a server: resolvers that batch reads (DataLoaders) need an event loop
    result = asyncio.run(
        SCHEMA.execute(query, variable_values=dict(variables or {}), context_value=context)
    )
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [
            {**error.formatted, "message": redact_text(error.message)} for error in result.errors
        ]
    return response
