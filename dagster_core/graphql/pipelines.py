"""Pipelines as the API shows them."""

from __future__ import annotations

import strawberry

from dagster_core.definitions.pipeline import PipelineDefinition


@strawberry.type
class Pipeline:
    pipeline: strawberry.Private[PipelineDefinition]

    @strawberry.field
    def name(self) -> str:
        return self.pipeline.name
