"""Step 9: testing solids and types on their own, with pytest (`python -m pytest test_solids.py`)
or as a script (`python test_solids.py`)."""

from custom_types import BookTable, sort_by_year
from inputs import inputs_pipeline, longest_book
from multiple_outputs import split_by_length

from dagster_core import (
    check_dagster_type,
    execute_solid,
    execute_solid_within_pipeline,
    file_relative_path,
)

BOOKS = [
    {"title": "A", "author": "X", "year": "2001", "pages": "120", "shelf": "SF"},
    {"title": "B", "author": "Y", "year": "1999", "pages": "640", "shelf": "CL"},
]


def test_longest_book():
    result = execute_solid(longest_book, input_values={"books": BOOKS})
    assert result.success
    assert result.output_value() == "B"


def test_split_by_length_yields_only_what_config_asks_for():
    result = execute_solid(
        split_by_length,
        environment_dict={"solids": {"split_by_length": {"config": {"keep": "short"}}}},
        input_values={"books": BOOKS},
    )
    assert result.success
    assert result.output_values == {"short_books": [BOOKS[0]]}


def test_sort_by_year_type_checks_its_input():
    assert check_dagster_type(BookTable, BOOKS).success
    assert not check_dagster_type(BookTable, [{"title": "only a title"}]).success
    result = execute_solid(sort_by_year, input_values={"books": BOOKS})
    assert [b["title"] for b in result.output_value()] == ["B", "A"]


def test_read_books_within_its_pipeline():
    path = file_relative_path(__file__, "data/books.csv")
    result = execute_solid_within_pipeline(
        inputs_pipeline,
        "read_books",
        environment_dict={"solids": {"read_books": {"inputs": {"csv_path": {"value": path}}}}},
    )
    assert result.success
    assert len(result.output_value()) == 10


if __name__ == "__main__":
    for name, test in sorted(globals().items()):
        if name.startswith("test_"):
            test()
            print("passed:", name)
