"""InstanceRef: an instance as a small value that opens the same instance in another process.

Child processes, Dask workers, Airflow tasks and the cron scheduler's runs all open the driver's
instance from one of these. Each part's config is resolved where the ref is made (`{env: NAME}`
values read there), so a remote worker needs no copy of the driver's environment. The ref holds
those secrets, as it must to connect; its repr names only the classes. A ref written into a file
(an Airflow DAG) keeps the `{env: NAME}` references instead, read where it is opened
(`get_ref(keep_env_references=True)`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dagster_core.instance.config import ClassSpec


@dataclass(frozen=True)
class InstanceRef:
    """Each part of an instance as module/class/resolved config, and where it came from."""

    parts: Mapping[str, ClassSpec]
    source: str
    is_persistent: bool = True
    dead_after_seconds: float = 600
    home: str | None = None

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={s.module}.{s.class_name}" for name, s in self.parts.items())
        return f"InstanceRef({self.source}: {parts})"

    __str__ = __repr__
