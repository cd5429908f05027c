"""Step 5b: expectations and materializations. `check_books` states what it expects of the data
(an ExpectationResult the run records, pass or fail, without stopping the run), and
`write_summary` records the file it wrote as a Materialization, so the run's events say where
its results went.

Run it: `python expectations.py`, or `dagster pipeline execute expectations_pipeline -e inputs.yaml`.
"""

import json
import os

from inputs import read_books

from dagster_core import (
    EventMetadataEntry,
    ExpectationResult,
    Field,
    Materialization,
    Output,
    String,
    execute_pipeline,
    file_relative_path,
    pipeline,
    solid,
)


@solid
def check_books(_context, books: list):
    undated = [b["title"] for b in books if not b["year"].isdigit()]
    yield ExpectationResult(
        success=not undated,
        label="every_book_has_a_year",
        description="Every book in the catalogue has a publication year",
        metadata_entries=[EventMetadataEntry.json({"undated": undated}, "undated")],
    )
    yield Output(books)


@solid(config={"path": Field(String, default_value="summary.json", is_required=False)})
def write_summary(context, books: list) -> dict:
    summary = {"books": len(books), "pages": sum(int(b["pages"]) for b in books)}
    path = os.path.abspath(context.solid_config["path"])
    with open(path, "w") as f:
        json.dump(summary, f)
    yield Materialization.file(path, description="the catalogue in two numbers")
    yield Output(summary)


@pipeline
def expectations_pipeline():
    write_summary(check_books(read_books()))


if __name__ == "__main__":
    environment_dict = {
        "solids": {
            "read_books": {
                "inputs": {"csv_path": {"value": file_relative_path(__file__, "data/books.csv")}}
            }
        }
    }
    result = execute_pipeline(expectations_pipeline, environment_dict=environment_dict)
    assert result.success
    (expectation,) = result.result_for_solid("check_books").expectation_results
    (written,) = result.result_for_solid("write_summary").materializations
    print("expectation passed:", expectation.success)
    print("summary:", result.result_for_solid("write_summary").output_value(), "in", written.label)
