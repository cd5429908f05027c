"""Step 1: one solid, one pipeline. Run it: `python hello_books.py`."""

import csv

from dagster_core import execute_pipeline, file_relative_path, pipeline, solid


@solid
def count_books(context):
    """Read the catalogue next to this file and count its books."""
    with open(file_relative_path(__file__, "data/books.csv"), newline="") as f:
        books = list(csv.DictReader(f))
    context.log.info(f"The catalogue holds {len(books)} books")
    return len(books)


@pipeline
def hello_books_pipeline():
    count_books()


if __name__ == "__main__":
    result = execute_pipeline(hello_books_pipeline)
    assert result.success
    print("books:", result.result_for_solid("count_books").output_value())
