"""Step 5: types of your own. `BookTable` checks the rows that cross step boundaries (and says
what it saw in the event log), loads itself from run config (`inputs: {books: {csv: PATH}}`) and
writes itself out when run config asks (`outputs: [{result: {csv: {path: PATH}}}]`).

Run it: `python custom_types.py`, or
`dagster pipeline execute custom_types_pipeline -e custom_types.yaml`.
"""

import csv
import os
import tempfile

from dagster_core import (
    DagsterType,
    EventMetadataEntry,
    Field,
    Materialization,
    Selector,
    String,
    TypeCheck,
    execute_pipeline,
    file_relative_path,
    input_hydration_config,
    output_materialization_config,
    pipeline,
    solid,
)

COLUMNS = ["title", "author", "year", "pages", "shelf"]


def _check_book_table(_context, value):
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return TypeCheck(False, f"BookTable must be a list of dicts, got {type(value).__name__}")
    for number, row in enumerate(value, start=1):
        if list(row) != COLUMNS:
            return TypeCheck(False, f"row {number} has columns {list(row)}, expected {COLUMNS}")
    return TypeCheck(
        True,
        "a table of books",
        [EventMetadataEntry.int(len(value), "rows", "How many books the table holds")],
    )


@input_hydration_config(Selector({"csv": Field(String, description="A CSV file to read")}))
def _book_table_from_csv(context, selector):
    with open(selector["csv"], newline="") as f:
        rows = list(csv.DictReader(f))
    context.log.info(f"loaded {len(rows)} books from {selector['csv']}")
    return rows


@output_materialization_config(Selector({"csv": {"path": Field(String)}}))
def _book_table_to_csv(context, config, value):
    path = os.path.abspath(config["csv"]["path"])
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(value)
    context.log.info(f"wrote {len(value)} books to {path}")
    return Materialization(
        "book_table_csv", "the sorted books", [EventMetadataEntry.path(path, "csv_path")]
    )


BookTable = DagsterType(
    name="BookTable",
    description="Rows of the book catalogue, each a dict with the catalogue's columns.",
    type_check_fn=_check_book_table,
    input_hydration_config=_book_table_from_csv,
    output_materialization_config=_book_table_to_csv,
)


@solid
def sort_by_year(context, books: BookTable) -> BookTable:
    ordered = sorted(books, key=lambda book: int(book["year"]))
    context.log.info(f"oldest: {ordered[0]['title']}, newest: {ordered[-1]['title']}")
    return ordered


@pipeline
def custom_types_pipeline():
    sort_by_year()


if __name__ == "__main__":
    out = os.path.join(tempfile.mkdtemp(), "sorted_books.csv")
    environment_dict = {
        "solids": {
            "sort_by_year": {
                "inputs": {"books": {"csv": file_relative_path(__file__, "data/books.csv")}},
                "outputs": [{"result": {"csv": {"path": out}}}],
            }
        }
    }
    result = execute_pipeline(custom_types_pipeline, environment_dict=environment_dict)
    assert result.success
    with open(out) as f:
        print("wrote", out, "starting with", f.readlines()[1].split(",")[0])
