"""The user's definitions as the API shows them, with the seed's names: pipelines, their solids
(composite solids with the solids inside), inputs and outputs and what connects them, modes,
presets and tags; and the root queries over definitions (`pipelinesOrError`, `pipelineOrError`,
`environmentSchemaOrError`, `isPipelineConfigValid`, `executionPlan`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

import strawberry
import yaml

from dagster_core.definitions.composite import CompositeSolidDefinition as CompositeDef
from dagster_core.definitions.io import InputDefinition as InputDef
from dagster_core.definitions.io import OutputDefinition as OutputDef
from dagster_core.definitions.logger import LoggerDefinition
from dagster_core.definitions.mode import ModeDefinition
from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.preset import PresetDefinition
from dagster_core.definitions.resource import ResourceDefinition
from dagster_core.definitions.solid import ISolidDefinition as SolidDef
from dagster_core.graphql.config_types import (
    CONFIG_TYPE_KINDS,
    ConfigTypeField,
    definition_config_field,
)
from dagster_core.graphql.context import GraphQLContext
from dagster_core.graphql.environment import (
    EnvironmentSchemaOrError,
    PipelineConfigValidationResult,
    environment_schema_or_error,
    validate_pipeline_config,
)
from dagster_core.graphql.errors import PipelineNotFoundError, PythonError, python_error
from dagster_core.graphql.execution_plan import ExecutionPlanResult, execution_plan_or_error
from dagster_core.graphql.runs import PipelineTag
from dagster_core.graphql.runtime_types import MetadataItemDefinition, RuntimeType, metadata_items
from dagster_core.graphql.selection import EnvironmentConfigData, ExecutionSelector, find_pipeline
from dagster_core.redact import redact_config
from dagster_core.types import DagsterType

_Container = PipelineDefinition | CompositeDef


@dataclass(frozen=True)
class _Graph:
    """A pipeline or composite solid whose solids a query shows, with the index of the inputs
    each output feeds, built once for all its solids."""

    container: _Container

    @cached_property
    def dependents(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        return downstream_inputs(self.container)


def downstream_inputs(container: _Container) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(solid, output) -> the (solid, input) pairs it feeds, in solid order."""
    dependents: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for solid_name in container.solid_order:
        for input_name, wiring in container.wiring[solid_name].items():
            for source in wiring.sources:
                key = (source.solid_name, source.output_name)
                dependents.setdefault(key, []).append((solid_name, input_name))
    return dependents


@strawberry.type(description="A resource (of the mode) that a solid uses.")
class ResourceRequirement:
    resource_key: str


@strawberry.type(description="An input of a solid definition.")
class InputDefinition:
    input_def: strawberry.Private[InputDef]
    owner: strawberry.Private[SolidDef]

    @strawberry.field
    def name(self) -> str:
        return self.input_def.name

    @strawberry.field
    def description(self) -> str | None:
        return self.input_def.description

    @strawberry.field
    def type(self) -> RuntimeType:
        return RuntimeType(dagster_type=self.input_def.dagster_type)

    @strawberry.field(description="The solid definition the input belongs to.")
    def solid_definition(self) -> ISolidDefinition:
        return solid_definition(self.owner)


@strawberry.type(description="An output of a solid definition.")
class OutputDefinition:
    output_def: strawberry.Private[OutputDef]
    owner: strawberry.Private[SolidDef]

    @strawberry.field
    def name(self) -> str:
        return self.output_def.name

    @strawberry.field
    def description(self) -> str | None:
        return self.output_def.description

    @strawberry.field
    def type(self) -> RuntimeType:
        return RuntimeType(dagster_type=self.output_def.dagster_type)

    @strawberry.field(description="Whether the solid may leave the output unyielded.")
    def is_optional(self) -> bool:
        return self.output_def.is_optional

    @strawberry.field(description="0.7's spelling of not isOptional.")
    def is_required(self) -> bool:
        return self.output_def.is_required

    @strawberry.field(description="The solid definition the output belongs to.")
    def solid_definition(self) -> ISolidDefinition:
        return solid_definition(self.owner)


@strawberry.interface(description="What solids are made from: a computing or a composite solid.")
class ISolidDefinition:
    definition: strawberry.Private[SolidDef]

    @strawberry.field
    def name(self) -> str:
        return self.definition.name

    @strawberry.field
    def description(self) -> str | None:
        return self.definition.description

    @strawberry.field(description="The definition's tags (dask/resources among them).")
    def metadata(self) -> list[MetadataItemDefinition]:
        return metadata_items(self.definition.tags)

    @strawberry.field
    def input_definitions(self) -> list[InputDefinition]:
        return [
            InputDefinition(input_def=d, owner=self.definition) for d in self.definition.input_defs
        ]

    @strawberry.field
    def output_definitions(self) -> list[OutputDefinition]:
        return [
            OutputDefinition(output_def=d, owner=self.definition)
            for d in self.definition.output_defs
        ]

    @strawberry.field(description="The config schema under solids.<name>.config, if any.")
    def config_field(self) -> ConfigTypeField | None:
        return definition_config_field(self.definition.config_field)

    @strawberry.field(description="The resources the solid (or the solids inside it) use.")
    def required_resources(self) -> list[ResourceRequirement]:
        return [
            ResourceRequirement(resource_key=k)
            for k in sorted(self.definition.required_resource_keys)
        ]


@strawberry.interface(description="A pipeline or a composite solid: something made of solids.")
class SolidContainer:
    graph: strawberry.Private[_Graph]

    @strawberry.field(description="Its solids, upstream first.")
    def solids(self) -> list[Solid]:
        return [Solid(graph=self.graph, name=n) for n in self.graph.container.solid_order]


@strawberry.type(description="A solid that computes.")
class SolidDefinition(ISolidDefinition):
    pass


@strawberry.type(
    description="A solid made of other solids, its inputs and outputs mapped onto theirs."
)
class CompositeSolidDefinition(ISolidDefinition, SolidContainer):
    @strawberry.field
    def input_mappings(self) -> list[InputMapping]:
        composite: CompositeDef = self.definition  # type: ignore[assignment]
        return [
            InputMapping(
                definition=InputDefinition(input_def=m.definition, owner=composite),
                mapped_input=_input(Solid(graph=self.graph, name=m.solid_name), m.input_name),
            )
            for m in composite.input_mappings
        ]

    @strawberry.field
    def output_mappings(self) -> list[OutputMapping]:
        composite: CompositeDef = self.definition  # type: ignore[assignment]
        return [
            OutputMapping(
                definition=OutputDefinition(output_def=m.definition, owner=composite),
                mapped_output=_output(Solid(graph=self.graph, name=m.solid_name), m.output_name),
            )
            for m in composite.output_mappings
        ]


def solid_definition(definition: SolidDef) -> ISolidDefinition:
    """The definition as the API type of its kind."""
    if isinstance(definition, CompositeDef):
        return CompositeSolidDefinition(definition=definition, graph=_Graph(definition))
    return SolidDefinition(definition=definition)


@strawberry.type(description="A use of a solid definition in a pipeline or composite solid.")
class Solid:
    graph: strawberry.Private[_Graph]
    name: str

    @strawberry.field
    def definition(self) -> ISolidDefinition:
        return solid_definition(self.graph.container.solids[self.name])

    @strawberry.field
    def inputs(self) -> list[Input]:
        return [_input(self, d.name) for d in self.graph.container.solids[self.name].input_defs]

    @strawberry.field
    def outputs(self) -> list[Output]:
        return [_output(self, d.name) for d in self.graph.container.solids[self.name].output_defs]


@strawberry.type(description="An input of a solid, and the outputs it depends on.")
class Input:
    solid: Solid
    definition: InputDefinition

    @strawberry.field(description="The upstream outputs that feed it (several for fan-in).")
    def depends_on(self) -> list[Output]:
        wiring = self.solid.graph.container.wiring[self.solid.name].get(
            self.definition.input_def.name
        )
        sources = wiring.sources if wiring is not None else ()
        return [
            _output(Solid(graph=self.solid.graph, name=h.solid_name), h.output_name)
            for h in sources
        ]


@strawberry.type(description="An output of a solid, and the inputs that depend on it.")
class Output:
    solid: Solid
    definition: OutputDefinition

    @strawberry.field(description="The downstream inputs it feeds.")
    def depended_by(self) -> list[Input]:
        graph = self.solid.graph
        fed = graph.dependents.get((self.solid.name, self.definition.output_def.name), [])
        return [
            _input(Solid(graph=graph, name=solid_name), input_name)
            for solid_name, input_name in fed
        ]


def _input(solid: Solid, input_name: str) -> Input:
    definition = solid.graph.container.solids[solid.name]
    input_def = definition.input_dict[input_name]
    return Input(solid=solid, definition=InputDefinition(input_def=input_def, owner=definition))


def _output(solid: Solid, output_name: str) -> Output:
    definition = solid.graph.container.solids[solid.name]
    output_def = definition.output_dict[output_name]
    return Output(solid=solid, definition=OutputDefinition(output_def=output_def, owner=definition))


@strawberry.type(
    description="An input of a composite solid, and the input inside it that it feeds."
)
class InputMapping:
    definition: InputDefinition
    mapped_input: Input


@strawberry.type(description="An output of a composite solid, and the output inside it that it is.")
class OutputMapping:
    definition: OutputDefinition
    mapped_output: Output


@strawberry.type(description="A solid at any depth of a pipeline, by its handle (outer.inner).")
class SolidHandle:
    handle_id: str = strawberry.field(name="handleID")
    solid: Solid
    parent: SolidHandle | None


@strawberry.type
class Resource:
    name: str
    resource_def: strawberry.Private[ResourceDefinition]

    @strawberry.field
    def description(self) -> str | None:
        return self.resource_def.description

    @strawberry.field(description="The schema of resources.<name>.config, if any.")
    def config_field(self) -> ConfigTypeField | None:
        return definition_config_field(self.resource_def.config_field)


@strawberry.type
class Logger:
    name: str
    logger_def: strawberry.Private[LoggerDefinition]

    @strawberry.field
    def description(self) -> str | None:
        return self.logger_def.description

    @strawberry.field(description="The schema of loggers.<name>.config, if any.")
    def config_field(self) -> ConfigTypeField | None:
        return definition_config_field(self.logger_def.config_field)


@strawberry.type(description="A set of resources and loggers a pipeline may run with.")
class Mode:
    mode_def: strawberry.Private[ModeDefinition]

    @strawberry.field
    def name(self) -> str:
        return self.mode_def.name

    @strawberry.field
    def description(self) -> str | None:
        return self.mode_def.description

    @strawberry.field
    def resources(self) -> list[Resource]:
        return [
            Resource(name=k, resource_def=d) for k, d in sorted(self.mode_def.resource_defs.items())
        ]

    @strawberry.field
    def loggers(self) -> list[Logger]:
        return [Logger(name=k, logger_def=d) for k, d in sorted(self.mode_def.logger_defs.items())]


@strawberry.type(
    description="A named run config (and mode, and solid subset) shipped with a pipeline."
)
class PipelinePreset:
    preset: strawberry.Private[PresetDefinition]

    @strawberry.field
    def name(self) -> str:
        return self.preset.name

    @strawberry.field
    def mode(self) -> str:
        return self.preset.mode

    @strawberry.field
    def solid_subset(self) -> list[str] | None:
        return self.preset.solid_subset

    @strawberry.field(description="The run config as YAML, with credentials shown as ***.")
    def environment_config_yaml(self) -> str:
        config = redact_config(self.preset.environment_dict)
        return yaml.safe_dump(config, default_flow_style=False) if config else ""


@strawberry.type(
    description="A pipeline of the workspace (cut to its solid subset when one is given)."
)
class Pipeline(SolidContainer):
    pipeline: strawberry.Private[PipelineDefinition]

    @strawberry.field
    def name(self) -> str:
        return self.pipeline.name

    @strawberry.field
    def description(self) -> str | None:
        return self.pipeline.description

    @strawberry.field(description="Its modes, by name.")
    def modes(self) -> list[Mode]:
        return [Mode(mode_def=m) for m in sorted(self.pipeline.mode_defs, key=lambda m: m.name)]

    @strawberry.field(description="Its presets, by name.")
    def presets(self) -> list[PipelinePreset]:
        return [
            PipelinePreset(preset=p)
            for p in sorted(self.pipeline.preset_defs, key=lambda p: p.name)
        ]

    @strawberry.field(description="The tags every run of the pipeline gets.")
    def tags(self) -> list[PipelineTag]:
        return [PipelineTag(key=k, value=v) for k, v in self.pipeline.tags.items()]

    @strawberry.field(description="The types of its solids' inputs and outputs, by name.")
    def runtime_types(self) -> list[RuntimeType]:
        return [RuntimeType(dagster_type=t) for t in _runtime_types(self.pipeline)]

    @strawberry.field(
        description='Every solid at every depth, by handle; parentHandleID "" for the top '
        "level only, or a composite's handle for the solids inside it."
    )
    def solid_handles(
        self,
        parent_handle_id: Annotated[str | None, strawberry.argument(name="parentHandleID")] = None,
    ) -> list[SolidHandle]:
        handles = _solid_handles(self.pipeline, self.graph)
        if parent_handle_id is not None:
            handles = {h: s for h, s in handles.items() if h.rpartition(".")[0] == parent_handle_id}
        return [handles[h] for h in sorted(handles)]

    @strawberry.field(description="The solid at this handle (outer.inner), if there is one.")
    def solid_handle(
        self, handle_id: Annotated[str, strawberry.argument(name="handleID")]
    ) -> SolidHandle | None:
        return _solid_handles(self.pipeline, self.graph).get(handle_id)


def pipeline_type(pipeline: PipelineDefinition) -> Pipeline:
    """The pipeline as the API shows it (other parts' fields that return a Pipeline use this)."""
    return Pipeline(pipeline=pipeline, graph=_Graph(pipeline))


def _solid_handles(pipeline: PipelineDefinition, top: _Graph) -> dict[str, SolidHandle]:
    """Every solid of the pipeline by handle, parents first, one graph per container."""
    graphs: dict[str, _Graph] = {"": top}
    handles: dict[str, SolidHandle] = {}
    for handle, definition in pipeline.solids_by_handle.items():
        parent, _, name = handle.rpartition(".")
        handles[handle] = SolidHandle(
            handle_id=handle,
            solid=Solid(graph=graphs[parent], name=name),
            parent=handles.get(parent),
        )
        if isinstance(definition, CompositeDef):
            graphs[handle] = _Graph(definition)
    return handles


def _runtime_types(pipeline: PipelineDefinition) -> list[DagsterType]:
    found: dict[str, DagsterType] = {}
    pending = [
        d.dagster_type
        for s in pipeline.solids_by_handle.values()
        for d in (*s.input_defs, *s.output_defs)
    ]
    while pending:
        dagster_type = pending.pop()
        if dagster_type.name not in found:
            found[dagster_type.name] = dagster_type
            pending.extend(dagster_type.inner_types)
    return [found[name] for name in sorted(found)]


@strawberry.type(description="The pipelines of the workspace.")
class PipelineConnection:
    nodes: list[Pipeline]


PipelinesOrError = Annotated[PipelineConnection | PythonError, strawberry.union("PipelinesOrError")]
PipelineOrError = Annotated[
    Pipeline | PipelineNotFoundError | PythonError, strawberry.union("PipelineOrError")
]


@strawberry.type
class PipelineQueries:
    """The root fields over the workspace's definitions."""

    @strawberry.field(description="Every pipeline of the workspace, by name.")
    def pipelines_or_error(self, info: strawberry.Info) -> PipelinesOrError:
        try:
            repository = _context(info).workspace.repository
            return PipelineConnection(
                nodes=[
                    pipeline_type(repository.get_pipeline(n))
                    for n in sorted(repository.pipeline_names)
                ]
            )
        except Exception as exc:
            return python_error(exc)

    @strawberry.field(description="One pipeline, or a subset of its solids.")
    def pipeline_or_error(
        self, info: strawberry.Info, params: ExecutionSelector
    ) -> PipelineOrError:
        try:
            found = find_pipeline(_context(info), params)
            return found if isinstance(found, PipelineNotFoundError) else pipeline_type(found)
        except Exception as exc:
            return python_error(exc)

    @strawberry.field(description="The run config schema of a pipeline in a mode, as config types.")
    def environment_schema_or_error(
        self, info: strawberry.Info, selector: ExecutionSelector, mode: str | None = None
    ) -> EnvironmentSchemaOrError:
        return environment_schema_or_error(_context(info), selector, mode)

    @strawberry.field(description="Whether run config is valid, or every error in it.")
    def is_pipeline_config_valid(
        self,
        info: strawberry.Info,
        pipeline: ExecutionSelector,
        environment_config_data: EnvironmentConfigData | None = None,
        mode: str | None = None,
    ) -> PipelineConfigValidationResult:
        return validate_pipeline_config(_context(info), pipeline, environment_config_data, mode)

    @strawberry.field(description="The steps a run of the pipeline with this run config would run.")
    def execution_plan(
        self,
        info: strawberry.Info,
        pipeline: ExecutionSelector,
        environment_config_data: EnvironmentConfigData | None = None,
        mode: str | None = None,
    ) -> ExecutionPlanResult:
        return execution_plan_or_error(_context(info), pipeline, environment_config_data, mode)


# The types that fields return only as an interface, which the schema must list itself.
IMPLEMENTATIONS = (SolidDefinition, CompositeSolidDefinition, *CONFIG_TYPE_KINDS)


def _context(info: strawberry.Info) -> GraphQLContext:
    return info.context
