"""Tags of solids and pipelines: str keys, and values that JSON encodes and decodes unchanged."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dagster_core.errors import DagsterInvalidDefinitionError


def check_tags(tags: Mapping[str, Any] | None, owner: str) -> dict[str, Any]:
    """`tags` as a new dict; a non-str key, or a value that would not survive being stored as
    JSON, is a definition error naming it and its `owner` (e.g. "solid 'load'")."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise DagsterInvalidDefinitionError(
            f"The tags of {owner} are {tags!r}: expected a dict of str to str or JSON value"
        )
    for key, value in tags.items():
        if not isinstance(key, str):
            raise DagsterInvalidDefinitionError(
                f"Tag key {key!r} of {owner} is not a str: tag keys are strings"
            )
        if not isinstance(value, str) and not _survives_json(value):
            raise DagsterInvalidDefinitionError(
                f"Tag '{key}' of {owner} has the value {value!r}, which JSON cannot encode and "
                "decode unchanged: use a str, or a value v with json.loads(json.dumps(v)) == v "
                "(numbers, bools, None, lists and dicts of them)"
            )
    return dict(tags)


def tags_as_strings(tags: Mapping[str, Any]) -> dict[str, str]:
    """Checked tags with every non-str value JSON-encoded: run tags are strings."""
    return {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in tags.items()
    }


def _survives_json(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False
