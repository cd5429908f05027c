"""Step 9: testing solids and types on their own, with pytest (`python -m pytest test_solids.py`)
or as a script (`python test_solids.py`)."""

import datetime

from custom_types import BookTable, sort_by_year
from inputs import inputs_pipeline, longest_book
from multiple_outputs import split_by_length
from repository import define_repository

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


def test_the_daily_schedule_runs_for_the_day_before():
    schedule = define_repository().get_schedule_def("longest_book_daily")
    assert schedule.cron_schedule == "30 6 * * *"
    fire_time = datetime.datetime(2026, 3, 2, 6, 30, tzinfo=datetime.UTC)
    config = schedule.environment_dict_for(fire_time)
    assert config["loggers"]["console"]["config"]["name"] == "books-2026-03-01"


if __name__ == "__main__":
    for name, test in sorted(globals().items()):
        if name.startswith("test_"):
            test()
            print("passed:", name)
