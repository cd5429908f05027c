"""Step 2: inputs. `read_books` takes the file's path as an input that run config supplies
(`inputs: {csv_path: {value: ...}}`), and `longest_book` takes the rows that it returns.

Run it: `python inputs.py`, or `dagster pipeline execute inputs_pipeline -e inputs.yaml`.
"""

import csv

from dagster_core import execute_pipeline, file_relative_path, pipeline, solid


@solid
def read_books(context, csv_path: str) -> list:
    with open(csv_path, newline="") as f:
        books = list(csv.DictReader(f))
    context.log.info(f"Read {len(books)} books from {csv_path}")
    return books


@solid
def longest_book(context, books: list) -> str:
    longest = max(books, key=lambda book: int(book["pages"]))
    context.log.info(f"The longest book is {longest['title']} ({longest['pages']} pages)")
    return longest["title"]


@pipeline
def inputs_pipeline():
    longest_book(read_books())


if __name__ == "__main__":
    environment_dict = {
        "solids": {
            "read_books": {
                "inputs": {"csv_path": {"value": file_relative_path(__file__, "data/books.csv")}}
            }
        }
    }
    result = execute_pipeline(inputs_pipeline, environment_dict=environment_dict)
    assert result.success
    print("longest:", result.result_for_solid("longest_book").output_value())
