"""Paths relative to a source file, so code finds its YAML and data wherever it is run from."""

from __future__ import annotations

import os
import sys


def file_relative_path(dunderfile: str, relative_path: str) -> str:
    """`relative_path` taken from the directory of `dunderfile` (pass `__file__`)."""
    return os.path.join(os.path.dirname(dunderfile), relative_path)


def script_relative_path(relative_path: str) -> str:
    """`relative_path` taken from the directory of the file that calls this (the seed's older
    spelling of `file_relative_path(__file__, relative_path)`)."""
    caller = sys._getframe(1).f_code.co_filename
    return file_relative_path(os.path.abspath(caller), relative_path)
