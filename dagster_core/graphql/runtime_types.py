"""The types of the values that cross step boundaries, as the API shows them (the seed's
RuntimeType), and solid and step tags as the seed's MetadataItemDefinition key/value pairs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import strawberry

from dagster_core.graphql.config_types import ConfigType, to_config_type
from dagster_core.types import DagsterType


@strawberry.type(description="A type checked on the values that cross step boundaries.")
class RuntimeType:
    dagster_type: strawberry.Private[DagsterType]

    @strawberry.field
    def key(self) -> str:
        return self.dagster_type.key

    @strawberry.field
    def name(self) -> str:
        return self.dagster_type.name

    @strawberry.field
    def display_name(self) -> str:
        return self.dagster_type.name

    @strawberry.field
    def description(self) -> str | None:
        return self.dagster_type.description

    @strawberry.field(description="Whether the type carries no value (only an ordering).")
    def is_nothing(self) -> bool:
        return self.dagster_type.is_nothing

    @strawberry.field(description="The types it is made of (Int for List[Int]).")
    def inner_types(self) -> list[RuntimeType]:
        return [RuntimeType(dagster_type=t) for t in self.dagster_type.inner_types]

    @strawberry.field(description="The config that gives an unconnected input of this type.")
    def input_schema_type(self) -> ConfigType | None:
        hydration = self.dagster_type.input_hydration_config
        return None if hydration is None else to_config_type(hydration.schema)

    @strawberry.field(description="The config that asks to write an output of this type.")
    def output_schema_type(self) -> ConfigType | None:
        materialization = self.dagster_type.output_materialization_config
        return None if materialization is None else to_config_type(materialization.schema)


@strawberry.type(
    description="A tag: a key and its value (JSON text for a value that is not a str)."
)
class MetadataItemDefinition:
    key: str
    value: str


def metadata_items(tags: Mapping[str, Any]) -> list[MetadataItemDefinition]:
    """Tags as key/value pairs, in their order."""
    return [
        MetadataItemDefinition(
            key=k, value=v if isinstance(v, str) else json.dumps(v, default=repr)
        )
        for k, v in tags.items()
    ]
