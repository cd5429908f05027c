"""The one redaction rule: URL passwords, `password=` values and values read from the
environment are never shown, whatever shape the URL or message has."""

import pickle

import pytest

from dagster_core.redact import (
    EnvValue,
    holds_redactions,
    redact_config,
    redact_text,
    redact_url,
    shown_value,
)


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        (
            "postgresql://u:p@ss/w:rd@h/db?sslmode=require",
            "postgresql://u:***@h/db?sslmode=require",
        ),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db?user=u&password=pw&x=1", "postgresql://h/db?user=u&password=***&x=1"),
        ("sqlite:////tmp/runs.db", "sqlite:////tmp/runs.db"),
        ("u:pw@h/db", "u:***@h/db"),
        (
            "postgresql://postgres:p@ss@127.0.0.1:5999/db",
            "postgresql://postgres:***@127.0.0.1:5999/db",
        ),
        ("postgresql://u:pa?ss#x@h/db", "postgresql://u:***@h/db"),
        ("postgresql//postgres:pw@h/db", "postgresql//postgres:***@h/db"),
        ("postgresql:/postgres:pw@h/db", "postgresql:***@h/db"),
    ],
)
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted


def test_redact_text_masks_every_url_and_password_parameter_in_a_message():
    text = (
        "could not reach postgresql://app:ZEBRA1@db/x ('s3://k:ZEBRA2@bucket'), "
        "dsn host=db password=ZEBRA3 user=app; PGPASSWORD=ZEBRA4; mail me@example.com at 10:30"
    )
    shown = redact_text(text)
    assert "ZEBRA" not in shown
    assert "postgresql://app:***@db/x" in shown and "password=***" in shown
    assert "me@example.com at 10:30" in shown


def test_env_values_show_only_their_variable():
    value = EnvValue("postgresql://u:ZEBRA@h/db", "DAGSTER_PG_URL")
    assert value == "postgresql://u:ZEBRA@h/db"  # used as itself
    assert repr({"url": value}) == "{'url': (from env DAGSTER_PG_URL)}"
    assert shown_value(value) == "(from env DAGSTER_PG_URL)"
    assert redact_config({"url": value}) == {"url": "(from env DAGSTER_PG_URL)"}
    copy = pickle.loads(pickle.dumps(value))
    assert copy == value and copy.env_name == "DAGSTER_PG_URL"


def test_redacted_config_says_it_lost_credentials():
    config = {"resources": {"db": {"config": {"urls": ["postgresql://u:ZEBRA@h/db", 3]}}}}
    stored = redact_config(config)
    assert stored == {"resources": {"db": {"config": {"urls": ["postgresql://u:***@h/db", 3]}}}}
    assert holds_redactions(stored) and not holds_redactions(config)
    assert not holds_redactions({"url": "postgresql://u@h/db", "n": 1})
