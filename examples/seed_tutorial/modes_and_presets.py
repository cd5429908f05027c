"""Step 7: resources, modes and presets. `shelve_books` writes to whatever `catalog` resource the
mode provides: a list in memory for tests, a SQLite file for a laptop run. Presets name a mode
with its run config, so running the pipeline one way or the other is a single word.

Run it: `python modes_and_presets.py`, or
`dagster pipeline execute modes_and_presets_pipeline -p local`.
"""

import sqlite3

from inputs import read_books

from dagster_core import (
    Field,
    ModeDefinition,
    PresetDefinition,
    ResourceDefinition,
    RunConfig,
    String,
    execute_pipeline,
    execute_pipeline_with_preset,
    file_relative_path,
    pipeline,
    resource,
    solid,
)


class _SqliteCatalog:
    def __init__(self, connection):
        self.connection = connection
        connection.execute("CREATE TABLE IF NOT EXISTS books (title TEXT, year INTEGER)")

    def add(self, title, year):
        self.connection.execute("INSERT INTO books VALUES (?, ?)", (title, year))
        self.connection.commit()


@resource(config={"path": Field(String, description="The SQLite file to write to")})
def sqlite_catalog(init_context):
    connection = sqlite3.connect(init_context.resource_config["path"])
    try:
        yield _SqliteCatalog(connection)
    finally:
        connection.close()


class _ListCatalog(list):
    def add(self, title, year):
        self.append((title, year))


@solid(required_resource_keys={"catalog"})
def shelve_books(context, books: list) -> int:
    for book in books:
        context.resources.catalog.add(book["title"], int(book["year"]))
    context.log.info(f"shelved {len(books)} books in mode {context.mode_def.name}")
    return len(books)


@pipeline(
    mode_defs=[
        ModeDefinition("local", resource_defs={"catalog": sqlite_catalog}),
        ModeDefinition(
            "test", resource_defs={"catalog": ResourceDefinition.hardcoded_resource(_ListCatalog())}
        ),
    ],
    preset_defs=[
        PresetDefinition.from_files(
            "local", [file_relative_path(__file__, "presets/local.yaml")], mode="local"
        ),
        PresetDefinition.from_files(
            "test", [file_relative_path(__file__, "presets/test.yaml")], mode="test"
        ),
    ],
)
def modes_and_presets_pipeline():
    shelve_books(read_books())


if __name__ == "__main__":
    result = execute_pipeline_with_preset(modes_and_presets_pipeline, "test")
    assert result.success
    print("test mode shelved:", result.result_for_solid("shelve_books").output_value())

    local = modes_and_presets_pipeline.get_preset("local")
    result = execute_pipeline(
        modes_and_presets_pipeline,
        environment_dict=local.environment_dict,
        run_config=RunConfig(mode="local", tags={"tutorial": "step 7"}),
    )
    assert result.success
    print("local mode shelved:", result.result_for_solid("shelve_books").output_value())
