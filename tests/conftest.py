"""Fixtures every test directory shares: a PostgreSQL server to make throwaway databases in, and
a real moto S3 server over HTTP on 127.0.0.1 with a fresh bucket per test."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import psycopg2
import pytest
from missing_service import missing_service
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
        missing_service(reason)
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


# Dummy credentials for the test session; a profile or token from the environment would break them.
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTDUMMYKEY0000",
    "AWS_SECRET_ACCESS_KEY": "test-dummy-secret-do-not-print",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PROFILE": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_SECURITY_TOKEN": None,
    "NO_PROXY": "127.0.0.1,localhost",
}


def _unavailable(reason: str) -> None:
    """moto is missing: see missing_service."""
    message = f"moto S3 server unavailable ({reason}): pip install 'moto[server]'"
    missing_service(message)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server on a free port, with dummy AWS credentials in the environment."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
    except Exception as exc:
        _unavailable(f"{type(exc).__name__}: {exc}")
    saved = {name: os.environ.get(name) for name in TEST_ENV}
    _set_env(TEST_ENV)
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        _set_env(saved)
        server.stop()


def _set_env(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    """A boto3 client of the moto server."""
    return boto3.session.Session().client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    """The name of a new, empty bucket."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


# `make test` runs the tests marked `crontab` (those that change the user's crontab) on their own,
# one after another, and spreads the others over two pytest-xdist workers, a module at a time.
_CRONTAB_TESTS = ("tests/scheduler/", "tests/webui/test_schedules.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(_CRONTAB_TESTS):
            item.add_marker(pytest.mark.crontab)
