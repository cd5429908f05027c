"""Previews of stored values: short, first rows of arrays, never a secret."""

from __future__ import annotations

import numpy as np

from dagster_core.storage.previews import PREVIEW_CHARS, preview_value


def test_a_long_value_is_cut_short():
    assert len(preview_value(list(range(100_000)))) < 200
    assert len(preview_value({"k": "x" * 100_000})) < 300
    assert len(preview_value(np.zeros((1000, 1000)))) <= PREVIEW_CHARS


def test_arrays_show_shape_dtype_and_first_rows():
    assert preview_value(np.array(1.5, dtype=np.float32)) == (
        "numpy.ndarray shape=() dtype=float32\n1.5"
    )
    text = preview_value(np.arange(8))
    assert text == "numpy.ndarray shape=(8,) dtype=int64\n[0 1 2 3 4]\n… 3 more rows"


def test_secrets_in_values_are_redacted():
    text = preview_value({"url": "postgresql://app:hunter2@db:5432/prod"})
    assert "hunter2" not in text and "app:***@db" in text
