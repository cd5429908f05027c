"""The event log's JSON: what a run writes reads back as the same values, and runs no code."""

from __future__ import annotations

import enum
import json
import tracemalloc

from dagster_core.events import DagsterEvent, DagsterEventType, ErrorInfo
from dagster_core.execution.plan import StepOutputHandle
from dagster_core.serdes import deserialize_value, serialize_value


class _Color(enum.IntEnum):  # not registered: written as the plain value it is
    RED = 1


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


def test_an_event_with_every_kind_of_data_reads_back_equal():
    event = DagsterEvent(
        DagsterEventType.STEP_FAILURE,
        "run-1",
        "pipe",
        "failed",
        step_key="a.compute",
        data={
            "tuple": (1, "two", None),
            "list": [1.5, True],
            "set": frozenset({"b", "a"}),
            "pairs": {1: "one", (2, 3): "two-three"},
            "nested": {"deeper": {"error": ErrorInfo("bad", "ValueError", ("line 1",))}},
        },
    )
    back = deserialize_value(serialize_value(event))
    assert back == event
    assert type(back.data["tuple"]) is tuple
    assert type(back.data["set"]) is frozenset


def test_values_of_other_types_are_stored_as_their_repr_or_plain_value():
    text = serialize_value({"color": _Color.RED, "thing": _Opaque()})
    assert json.loads(text)["__dict__"]["color"] == 1
    assert deserialize_value(text) == {"color": 1, "thing": "<opaque>"}


def test_a_user_dict_with_tag_like_keys_stays_a_dict():
    value = {"__class__": "DagsterEvent", "__repr__": "x"}
    assert deserialize_value(serialize_value(value)) == value


def test_infinity_and_huge_integers_read_back():
    value = {"nan": float("inf"), "big": 2**80, "negative": -(2**70)}
    assert deserialize_value(serialize_value(value)) == value


def test_an_event_written_before_a_field_existed_reads_back_with_its_default():
    text = serialize_value(DagsterEvent(DagsterEventType.ENGINE_EVENT, "run-1", "pipe", "hi"))
    older = json.loads(text)
    del older["attempt"], older["data"]
    back = deserialize_value(json.dumps(older))
    assert (back.attempt, back.data, back.message) == (1, {}, "hi")


def test_a_fan_in_read_of_10000_outputs_reads_back_within_a_few_times_its_size():
    sources = tuple(StepOutputHandle(f"noop_{i}.compute") for i in range(10_000))
    event = DagsterEvent(
        DagsterEventType.OBJECT_STORE_OPERATION,
        "run-1",
        "wide",
        "Read 10000 value(s) for input 'xs'",
        step_key="count.compute",
        data={"op": "get", "step_outputs": sources, "source_run_ids": ("run-1",) * 10_000},
    )
    text = serialize_value(event)
    tracemalloc.start()
    try:
        back = deserialize_value(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert back == event
    # a driver watching a wide run reads its join's event: not a buffer of 12 times its size
    assert peak < 10 * len(text), f"{peak:,} bytes to read {len(text):,}"
