"""Field: a config type in a dict of config, with whether it may be left out and its default."""

from __future__ import annotations

from typing import Any

from dagster_core.config.config_type import (
    ConfigType,
    DagsterInvalidConfigDefinitionError,
    Permissive,
    Shape,
    resolve_config_type,
)
from dagster_core.errors import DagsterInvalidDefinitionError

_NO_DEFAULT: Any = object()  # marks "no default_value passed"; never stored on a Field


class Field:
    """A config type plus whether it may be left out and what fills it in then.

    A field is optional when it has a default or is_optional=True (0.7 spelling:
    is_required=False). A Shape or Permissive whose fields are all optional gets the default `{}`
    (so its own defaults fill in) unless is_optional=False / is_required=True is passed.
    """

    __slots__ = ("_default_value", "config_type", "default_provided", "description", "is_optional")

    def __init__(
        self,
        config: Any,
        default_value: Any = _NO_DEFAULT,
        is_optional: bool | None = None,
        description: str | None = None,
        is_required: bool | None = None,
    ):
        is_optional = resolve_is_optional(is_optional, is_required, "a Field")
        self.config_type = resolve_config_type(config)
        self.description = description
        if default_value is not _NO_DEFAULT:
            if is_optional is False:
                raise DagsterInvalidConfigDefinitionError(
                    f"a Field with default_value={default_value!r} is optional; "
                    "it cannot also be is_optional=False (is_required=True)"
                )
            _check_default(self.config_type, default_value)
        elif is_optional is not False and _all_fields_optional(self.config_type):
            default_value = {}
        self.default_provided = default_value is not _NO_DEFAULT
        self._default_value = default_value if self.default_provided else None
        self.is_optional = self.default_provided or bool(is_optional)

    @property
    def is_required(self) -> bool:
        """0.7's spelling of `not is_optional`."""
        return not self.is_optional

    @property
    def default_value(self) -> Any:
        """The default as given (unprocessed); raises when the field has none."""
        if not self.default_provided:
            raise DagsterInvalidConfigDefinitionError(
                f"this Field of {self.config_type.type_name()} has no default value"
            )
        return self._default_value

    def __repr__(self) -> str:
        default = f", default_value={self._default_value!r}" if self.default_provided else ""
        return f"Field({self.config_type.type_name()}{default}, is_optional={self.is_optional})"


def resolve_is_optional(
    is_optional: bool | None, is_required: bool | None, what: str
) -> bool | None:
    """Whether `what` is optional, from 0.6's is_optional or 0.7's is_required (None when neither
    is given); both given and contradicting each other is a definition error."""
    if is_required is None:
        return is_optional
    if is_optional is not None and is_optional == is_required:
        raise DagsterInvalidDefinitionError(
            f"{what} was given is_optional={is_optional} and is_required={is_required}, which "
            "contradict each other: pass only one (is_required is the 0.7 spelling)"
        )
    return not is_required


def _all_fields_optional(config_type: ConfigType) -> bool:
    """True for a Shape or Permissive that `{}` satisfies."""
    return isinstance(config_type, Shape | Permissive) and all(
        field.is_optional for field in config_type.fields.values()
    )


def _check_default(config_type: ConfigType, default_value: Any) -> None:
    """Raise unless `default_value` is valid config for `config_type`."""
    # Imported here: validate.py imports this module to resolve what it is asked to validate.
    from dagster_core.config.validate import validate_config

    errors = validate_config(config_type, default_value).errors
    if errors:
        raise DagsterInvalidConfigDefinitionError(
            f"default_value {default_value!r} is not a valid {config_type.type_name()}: "
            + "; ".join(str(error) for error in errors)
        )


def resolve_field(obj: Any) -> Field:
    """`obj` itself if it is a Field, else `Field(obj)`: dict values may be either."""
    return obj if isinstance(obj, Field) else Field(obj)
