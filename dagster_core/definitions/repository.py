"""RepositoryDefinition: a named collection of pipelines and the schedules that run them, which
the command line loads with `-n FN` or a repository.yaml."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from dagster_core.definitions.pipeline import PipelineDefinition
from dagster_core.definitions.schedule import ScheduleDefinition
from dagster_core.definitions.solid import ISolidDefinition
from dagster_core.errors import DagsterInvalidDefinitionError, DagsterInvariantViolationError

PipelineFn = Callable[[], PipelineDefinition]


class RepositoryDefinition:
    """Pipelines by name, and schedules.

    `pipeline_dict` maps names to functions returning the pipeline, built when first asked for
    (the seed-era form); `pipeline_defs` lists pipelines. A list given in `pipeline_dict`'s place
    is taken as `pipeline_defs`. Names are unique across both, and every schedule's pipeline is
    one of them."""

    def __init__(
        self,
        name: str,
        pipeline_dict: Mapping[str, PipelineFn] | Sequence[PipelineDefinition] | None = None,
        pipeline_defs: Sequence[PipelineDefinition] | None = None,
        schedule_defs: Sequence[ScheduleDefinition] | None = None,
    ):
        if not isinstance(name, str) or not name:
            raise DagsterInvalidDefinitionError(
                f"Repository name must be a non-empty string, got {name!r}"
            )
        self.name = name
        if isinstance(pipeline_dict, list | tuple):
            if pipeline_defs is not None:
                raise DagsterInvalidDefinitionError(
                    f"Repository '{name}': pass its pipelines once, as pipeline_dict (a dict of "
                    "name -> function) or pipeline_defs (a list)"
                )
            pipeline_dict, pipeline_defs = None, pipeline_dict
        self._pipeline_fns = self._check_dict(pipeline_dict)
        self._pipelines: dict[str, PipelineDefinition] = {}
        for index, pipeline_def in enumerate(pipeline_defs or ()):
            if not isinstance(pipeline_def, PipelineDefinition):
                raise DagsterInvalidDefinitionError(
                    f"Repository '{name}': pipeline_defs[{index}] is {pipeline_def!r}, not a "
                    "PipelineDefinition (define it with @pipeline)"
                )
            self._add_name(pipeline_def.name)
            self._pipelines[pipeline_def.name] = pipeline_def
        self._schedules = self._check_schedules(schedule_defs or ())

    def _check_dict(self, pipeline_dict: object) -> dict[str, PipelineFn]:
        if pipeline_dict is None:
            return {}
        if not isinstance(pipeline_dict, Mapping):
            raise DagsterInvalidDefinitionError(
                f"Repository '{self.name}': pipeline_dict must map pipeline names to functions "
                f"returning the pipeline, got {pipeline_dict!r}"
            )
        for key, fn in pipeline_dict.items():
            if not isinstance(key, str) or not callable(fn):
                raise DagsterInvalidDefinitionError(
                    f"Repository '{self.name}': pipeline_dict entry {key!r}: {fn!r} is not a name "
                    "and a function returning the pipeline (such as lambda: my_pipeline)"
                )
        return dict(pipeline_dict)

    def _add_name(self, pipeline_name: str) -> None:
        if pipeline_name in self._pipeline_fns or pipeline_name in self._pipelines:
            raise DagsterInvalidDefinitionError(
                f"Repository '{self.name}' has two pipelines named '{pipeline_name}': pipeline "
                "names must be unique within a repository"
            )

    def _check_schedules(
        self, schedule_defs: Sequence[ScheduleDefinition]
    ) -> dict[str, ScheduleDefinition]:
        schedules: dict[str, ScheduleDefinition] = {}
        for index, schedule_def in enumerate(schedule_defs):
            if not isinstance(schedule_def, ScheduleDefinition):
                raise DagsterInvalidDefinitionError(
                    f"Repository '{self.name}': schedule_defs[{index}] is {schedule_def!r}, not a "
                    "ScheduleDefinition"
                )
            if schedule_def.name in schedules:
                raise DagsterInvalidDefinitionError(
                    f"Repository '{self.name}' has two schedules named '{schedule_def.name}'"
                )
            if not self.has_pipeline(schedule_def.pipeline_name):
                raise DagsterInvalidDefinitionError(
                    f"Repository '{self.name}': schedule '{schedule_def.name}' runs pipeline "
                    f"'{schedule_def.pipeline_name}', which the repository does not have "
                    f"(pipelines: {', '.join(self.pipeline_names) or 'none'})"
                )
            schedules[schedule_def.name] = schedule_def
        return schedules

    @property
    def pipeline_names(self) -> list[str]:
        """The names of the repository's pipelines, in the order they were given."""
        return [*self._pipeline_fns, *(n for n in self._pipelines if n not in self._pipeline_fns)]

    def has_pipeline(self, name: str) -> bool:
        return name in self._pipeline_fns or name in self._pipelines

    def get_pipeline(self, name: str) -> PipelineDefinition:
        """The pipeline of that name (a pipeline_dict function is called the first time)."""
        if name in self._pipelines:
            return self._pipelines[name]
        if name not in self._pipeline_fns:
            raise DagsterInvariantViolationError(
                f"Repository '{self.name}' has no pipeline '{name}'; it has: "
                + (", ".join(self.pipeline_names) or "none")
            )
        pipeline_def = self._pipeline_fns[name]()
        if not isinstance(pipeline_def, PipelineDefinition):
            raise DagsterInvariantViolationError(
                f"Repository '{self.name}': the pipeline_dict function for '{name}' returned "
                f"{pipeline_def!r}, not a PipelineDefinition"
            )
        if pipeline_def.name != name:
            raise DagsterInvariantViolationError(
                f"Repository '{self.name}': the pipeline_dict function for '{name}' returned "
                f"pipeline '{pipeline_def.name}'; the key must be the pipeline's name"
            )
        self._pipelines[name] = pipeline_def
        return pipeline_def

    def get_all_pipelines(self) -> list[PipelineDefinition]:
        """Every pipeline of the repository, built if needed; two different solid definitions of
        one name across them are a definition error, as in the seed."""
        pipelines = [self.get_pipeline(name) for name in self.pipeline_names]
        self._solid_defs(pipelines)
        return pipelines

    def _solid_defs(self, pipelines: Sequence[PipelineDefinition]) -> dict[str, ISolidDefinition]:
        by_name: dict[str, tuple[ISolidDefinition, str]] = {}
        for pipeline_def in pipelines:
            for solid_def in pipeline_def.solids_by_handle.values():
                seen, where = by_name.setdefault(solid_def.name, (solid_def, pipeline_def.name))
                if seen is not solid_def:
                    raise DagsterInvalidDefinitionError(
                        f"Repository '{self.name}' has two different solids named "
                        f"'{solid_def.name}' (in pipelines '{where}' and '{pipeline_def.name}'): "
                        "give one of them another name"
                    )
        return {name: solid_def for name, (solid_def, _) in by_name.items()}

    def get_all_solid_defs(self) -> list[ISolidDefinition]:
        """Every solid definition the repository's pipelines use (composites and their solids)."""
        return list(self._solid_defs(self.get_all_pipelines()).values())

    def solid_def_named(self, name: str) -> ISolidDefinition:
        """The solid definition of that name in any of the repository's pipelines."""
        solid_defs = self._solid_defs(self.get_all_pipelines())
        if name not in solid_defs:
            raise DagsterInvariantViolationError(
                f"Repository '{self.name}' has no solid named '{name}'; its solids: "
                + (", ".join(sorted(solid_defs)) or "none")
            )
        return solid_defs[name]

    @property
    def schedule_defs(self) -> list[ScheduleDefinition]:
        return list(self._schedules.values())

    def has_schedule_def(self, name: str) -> bool:
        return name in self._schedules

    def get_schedule_def(self, name: str) -> ScheduleDefinition:
        """The schedule of that name."""
        if name not in self._schedules:
            raise DagsterInvariantViolationError(
                f"Repository '{self.name}' has no schedule '{name}'; it has: "
                + (", ".join(self._schedules) or "none")
            )
        return self._schedules[name]

    def __repr__(self) -> str:
        return f"<RepositoryDefinition {self.name}>"
