"""Step 6: composite solids. `load_library` wraps two reads and a join behind one solid; its inner
solids are configured under it (`solids: {load_library: {solids: {...}}}`) and run as steps
`load_library.read_books.compute`, ...

Run it: `python composite_solids.py`, or
`dagster pipeline execute composite_solids_pipeline -e composite_solids.yaml`.
"""

from collections import Counter

from config import read_csv

from dagster_core import (
    composite_solid,
    execute_pipeline,
    file_relative_path,
    pipeline,
    solid,
)


@solid
def join_shelves(_context, books: list, shelves: list) -> list:
    names = {row["code"]: row["name"] for row in shelves}
    return [{**book, "shelf": names[book["shelf"]]} for book in books]


@composite_solid
def load_library() -> list:
    books = read_csv.alias("read_books")()
    shelves = read_csv.alias("read_shelves")()
    return join_shelves(books, shelves)


@solid
def count_by_shelf(context, books: list) -> dict:
    counts = dict(Counter(book["shelf"] for book in books))
    context.log.info(f"books per shelf: {counts}")
    return counts


@pipeline
def composite_solids_pipeline():
    count_by_shelf(load_library())


def _environment(books_csv, shelves_csv):
    return {
        "solids": {
            "load_library": {
                "solids": {
                    "read_books": {"inputs": {"csv_path": {"value": books_csv}}},
                    "read_shelves": {
                        "config": {"delimiter": ";"},
                        "inputs": {"csv_path": {"value": shelves_csv}},
                    },
                }
            }
        }
    }


if __name__ == "__main__":
    environment_dict = _environment(
        file_relative_path(__file__, "data/books.csv"),
        file_relative_path(__file__, "data/shelves.csv"),
    )
    result = execute_pipeline(composite_solids_pipeline, environment_dict=environment_dict)
    assert result.success
    joined = result.result_for_handle("load_library.join_shelves").output_value()
    print("first book:", joined[0]["title"], "on", joined[0]["shelf"])
    print("per shelf:", result.result_for_solid("count_by_shelf").output_value())
