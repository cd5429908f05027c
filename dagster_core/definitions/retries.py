"""Retries: whether a step that raises RetryRequested runs again, as an executor's `retries:`
config chooses (`{enabled: {}}`, the default, or `{disabled: {}}`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from dagster_core.config import Field, Selector, Shape


class RetryMode(StrEnum):
    """`enabled`: RetryRequested runs the step again, up to its max_retries. `disabled`: it
    fails the step, saying that retries are disabled."""

    ENABLED = "enabled"
    DISABLED = "disabled"

    @classmethod
    def from_executor_config(cls, executor_config: Any) -> RetryMode:
        """The mode an executor's validated config chooses; enabled when it says nothing."""
        retries = executor_config.get("retries") if isinstance(executor_config, Mapping) else None
        if not retries:
            return cls.ENABLED
        ((name, _),) = retries.items()
        return cls(name)


def retries_config() -> Field:
    """The `retries:` field that the executors' config schemas share."""
    return Field(
        Selector({mode.value: Field(Shape({}), is_optional=True) for mode in RetryMode}),
        default_value={RetryMode.ENABLED.value: {}},
    )
