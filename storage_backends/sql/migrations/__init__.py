"""Alembic migrations of the SQL storages (run through storage_backends.sql.migrate)."""
