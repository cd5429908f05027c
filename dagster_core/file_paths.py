"""Paths relative to a source file, so code finds its YAML and data wherever it is run from."""

from __future__ import annotations

import os


def file_relative_path(dunderfile: str, relative_path: str) -> str:
    """`relative_path` taken from the directory of `dunderfile` (pass `__file__`)."""
    return os.path.join(os.path.dirname(dunderfile), relative_path)
