"""Input and output definitions: the typed slots of a solid, and how a composite solid's inputs and
outputs map to those of the solids inside it."""

from __future__ import annotations

from dataclasses import dataclass

from dagster_core.config import resolve_is_optional
from dagster_core.errors import DagsterInvalidDefinitionError
from dagster_core.types import DagsterType, resolve_dagster_type


def _check_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise DagsterInvalidDefinitionError(
            f"{what} name {name!r} is not valid: use a Python identifier such as 'x' or 'rows'"
        )
    return name


def _resolve_type(dagster_type: object, where: str) -> DagsterType:
    try:
        return resolve_dagster_type(dagster_type)
    except DagsterInvalidDefinitionError as exc:
        raise DagsterInvalidDefinitionError(f"{where}: {exc}") from None


@dataclass(frozen=True, init=False)
class InputDefinition:
    """A named, typed input of a solid."""

    name: str
    dagster_type: DagsterType
    description: str | None

    def __init__(self, name: str, dagster_type: object = None, description: str | None = None):
        object.__setattr__(self, "name", _check_name(name, "Input"))
        object.__setattr__(self, "dagster_type", _resolve_type(dagster_type, f"Input '{name}'"))
        object.__setattr__(self, "description", description)

    def mapping_to(self, solid_name: str, input_name: str) -> InputMapping:
        """This input of a composite solid feeds input `input_name` of its solid `solid_name`."""
        return InputMapping(self, solid_name, input_name)


@dataclass(frozen=True, init=False)
class OutputDefinition:
    """A typed output of a solid; `result` unless named. An optional output (is_optional=True, or
    0.7's is_required=False) may be left unyielded."""

    dagster_type: DagsterType
    name: str
    description: str | None
    is_optional: bool

    def __init__(
        self,
        dagster_type: object = None,
        name: str = "result",
        description: str | None = None,
        is_optional: bool | None = None,
        is_required: bool | None = None,
    ):
        what = f"Output '{name}'"
        is_optional = bool(resolve_is_optional(is_optional, is_required, what))
        object.__setattr__(self, "name", _check_name(name, "Output"))
        object.__setattr__(self, "dagster_type", _resolve_type(dagster_type, what))
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "is_optional", is_optional)

    @property
    def is_required(self) -> bool:
        """0.7's spelling of `not is_optional`."""
        return not self.is_optional

    def mapping_from(self, solid_name: str, output_name: str = "result") -> OutputMapping:
        """This output of a composite solid is output `output_name` of its solid `solid_name`."""
        return OutputMapping(self, solid_name, output_name)


@dataclass(frozen=True)
class InputMapping:
    """Input `definition` of a composite solid feeds input `input_name` of its solid `solid_name`."""

    definition: InputDefinition
    solid_name: str
    input_name: str


@dataclass(frozen=True)
class OutputMapping:
    """Output `definition` of a composite solid is output `output_name` of its solid `solid_name`."""

    definition: OutputDefinition
    solid_name: str
    output_name: str = "result"
