"""A short text preview of a stored value, for people inspecting a run's intermediates.

numpy arrays show their shape, dtype and first rows; pandas frames (and series) their shape,
dtypes and first rows; anything else its repr. Neither library is a dependency: a value of theirs
can only have been unpickled if its library is imported, so they are looked up in `sys.modules`.
Every preview is cut to PREVIEW_CHARS characters and has secrets redacted."""

from __future__ import annotations

import reprlib
import sys
from typing import Any

from dagster_core.redact import redact_text

PREVIEW_CHARS = 2000
PREVIEW_ROWS = 5
_TRUNCATED = "…"

_repr = reprlib.Repr()
_repr.maxstring = 200
_repr.maxother = 200
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 20
_repr.maxlevel = 4


def preview_value(value: Any) -> str:
    """The value's preview: at most PREVIEW_CHARS characters, secrets redacted."""
    text = _numpy_preview(value) or _pandas_preview(value) or _repr.repr(value)
    text = redact_text(text)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + _TRUNCATED


def _numpy_preview(value: Any) -> str | None:
    numpy = sys.modules.get("numpy")
    if numpy is None or not isinstance(value, numpy.ndarray):
        return None
    head = value[:PREVIEW_ROWS] if value.ndim else value
    with numpy.printoptions(threshold=200, edgeitems=3, linewidth=100):
        rows = numpy.array2string(head)
    more = (
        f"\n… {len(value) - PREVIEW_ROWS} more rows"
        if value.ndim and len(value) > PREVIEW_ROWS
        else ""
    )
    return f"numpy.ndarray shape={value.shape} dtype={value.dtype}\n{rows}{more}"


def _pandas_preview(value: Any) -> str | None:
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(value, pandas.DataFrame | pandas.Series):
        return None
    kind = type(value).__name__
    if isinstance(value, pandas.DataFrame):
        dtypes = ", ".join(f"{name}: {dtype}" for name, dtype in value.dtypes.items())
    else:
        dtypes = str(value.dtype)
    rows = value.head(PREVIEW_ROWS).to_string(max_colwidth=40)
    return f"pandas.{kind} shape={value.shape} dtypes: {dtypes}\n{rows}"
