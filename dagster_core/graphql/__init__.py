"""The GraphQL API, with the seed-era schema's names: the one place where the instance, the
user's definitions and execution are exposed to other processes. The web UI and the
`dagster-graphql` command read and act only through it; it uses the layers below and nothing
below uses it."""

from dagster_core.graphql.context import GraphQLContext, Workspace
from dagster_core.graphql.execute import execute_query
from dagster_core.graphql.schema import SCHEMA
from dagster_core.graphql.server import create_app

__all__ = ["SCHEMA", "GraphQLContext", "Workspace", "create_app", "execute_query"]
