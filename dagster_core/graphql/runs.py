"""Runs as the API shows them: a run's record (config with secrets redacted, tags, status)."""

from __future__ import annotations

import strawberry
import yaml

from dagster_core.redact import redact_config
from dagster_core.storage import PipelineRun as RunRecord
from dagster_core.storage import PipelineRunStatus as RunStatus

PipelineRunStatus = strawberry.enum(RunStatus, description="Where a run stands.")


@strawberry.type
class PipelineTag:
    key: str
    value: str


@strawberry.type
class PipelineRun:
    """One run of a pipeline."""

    record: strawberry.Private[RunRecord]

    @strawberry.field
    def run_id(self) -> str:
        return self.record.run_id

    @strawberry.field
    def pipeline_name(self) -> str:
        return self.record.pipeline_name

    @strawberry.field
    def status(self) -> PipelineRunStatus:  # type: ignore[valid-type]
        return self.record.status

    @strawberry.field
    def mode(self) -> str:
        return self.record.mode

    @strawberry.field
    def tags(self) -> list[PipelineTag]:
        return [PipelineTag(key=k, value=v) for k, v in sorted(self.record.tags.items())]

    @strawberry.field(description="The run config as YAML, with credentials shown as ***.")
    def environment_config_yaml(self) -> str:
        return yaml.safe_dump(redact_config(self.record.environment_dict), sort_keys=False)


@strawberry.input
class ExecutionTag:
    key: str
    value: str
