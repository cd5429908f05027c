"""SolidHandle: where a solid sits in a pipeline, as its name path (`outer.inner` in a composite)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SolidHandle:
    """A solid's name within its parent solid (None at the top level of the pipeline)."""

    name: str
    parent: SolidHandle | None = None

    @classmethod
    def from_string(cls, handle: str) -> SolidHandle:
        """The handle that `to_string` wrote: `"outer.inner"` -> inner within outer."""
        parent = None
        for name in handle.split("."):
            parent = cls(name, parent)
        assert parent is not None  # str.split always gives at least one name
        return parent

    def to_string(self) -> str:
        return self.name if self.parent is None else f"{self.parent.to_string()}.{self.name}"

    def __str__(self) -> str:
        return self.to_string()
