"""Fixtures every test directory shares: a PostgreSQL server to make throwaway databases in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from sqlalchemy import make_url

from dagster_core.redact import redact_url

PG_ADMIN_URL = os.environ.get("DAGSTER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _admin(admin_url: str, *statements: str) -> None:
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The server's `test` database; when unreachable, fails the test under CI=true, else skips."""
    try:
        psycopg2.connect(PG_ADMIN_URL, connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        reason = (
            f"PostgreSQL is not reachable at {redact_url(PG_ADMIN_URL)} "
            f"({str(error).strip().splitlines()[0]}): start PostgreSQL on 127.0.0.1:5432 with "
            "trust auth for user postgres and a database `test`, or set DAGSTER_TEST_PG_URL"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


@contextmanager
def temporary_postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server; its URL. Dropped (connections ended first) on exit."""
    name = f"dagster_test_{secrets.token_hex(6)}"
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(
            admin_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
            f'DROP DATABASE IF EXISTS "{name}"',
        )


@pytest.fixture(scope="session")
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """One database for the whole session's shared suite (each test wipes what it uses)."""
    with temporary_postgres_database(postgres_admin_url) as url:
        yield url


@pytest.fixture
def fresh_postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A database of this test's own."""
    with temporary_postgres_database(postgres_admin_url) as url:
        yield url
