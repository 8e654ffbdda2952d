"""Full-text search: stored tsvector columns with GIN indexes on PostgreSQL, FTS5 tables
on SQLite. Each database gets only its own (see forums/search.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Written out here, not imported: a migration must not change when the app does.
POSTGRES_CONFIG = (
    "CASE {column} WHEN 'ru' THEN 'russian'::regconfig "
    "WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END"
)
POSTGRES_SETUP = [
    "ALTER TABLE forums_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    f"(to_tsvector({POSTGRES_CONFIG.format(column='language')}, coalesce(body, ''))) STORED",
    "CREATE INDEX forums_post_search ON forums_post USING gin (search_vector)",
    "ALTER TABLE forums_thread ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    f"(to_tsvector({POSTGRES_CONFIG.format(column='language')}, coalesce(title, ''))) STORED",
    "CREATE INDEX forums_thread_search ON forums_thread USING gin (search_vector)",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX IF EXISTS forums_thread_search",
    "ALTER TABLE forums_thread DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS forums_post_search",
    "ALTER TABLE forums_post DROP COLUMN IF EXISTS search_vector",
]
SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE forums_post_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE forums_thread_fts USING fts5(title, tokenize='unicode61 remove_diacritics 2')",
]
SQLITE_TEARDOWN = [
    "DROP TABLE IF EXISTS forums_thread_fts",
    "DROP TABLE IF EXISTS forums_post_fts",
]



def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(
        schema_editor,
        {"postgresql": POSTGRES_SETUP, "sqlite": SQLITE_SETUP},
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(
        schema_editor,
        {"postgresql": POSTGRES_TEARDOWN, "sqlite": SQLITE_TEARDOWN},
    )


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
