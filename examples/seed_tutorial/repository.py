"""Step 8: a repository. The tutorial's pipelines and a schedule under one name, so every command
can find them with `-y repository.yaml` (or with no flag at all, from this folder):

    dagster pipeline list
    dagster pipeline execute inputs_pipeline -e inputs.yaml
    dagster schedule up          # with DAGSTER_HOME set: cron runs `longest_book_daily` at 06:30
"""

import datetime

from composite_solids import composite_solids_pipeline
from config import config_pipeline
from custom_types import custom_types_pipeline
from expectations import expectations_pipeline
from hello_books import hello_books_pipeline
from inputs import inputs_pipeline
from modes_and_presets import modes_and_presets_pipeline
from multiple_outputs import multiple_outputs_pipeline

from dagster_core import RepositoryDefinition, daily_schedule, file_relative_path


@daily_schedule(
    pipeline_name="inputs_pipeline",
    start_date=datetime.datetime(2026, 1, 1),
    execution_time=datetime.time(6, 30),
)
def longest_book_daily(date):
    """Each morning, find the longest book of the catalogue as it was the day before."""
    books = file_relative_path(__file__, "data/books.csv")
    return {
        "solids": {"read_books": {"inputs": {"csv_path": {"value": books}}}},
        "storage": {"filesystem": {}},
        "loggers": {"console": {"config": {"name": f"books-{date:%Y-%m-%d}"}}},
    }


def define_repository():
    return RepositoryDefinition(
        "seed_tutorial",
        pipeline_defs=[
            hello_books_pipeline,
            inputs_pipeline,
            config_pipeline,
            multiple_outputs_pipeline,
            custom_types_pipeline,
            expectations_pipeline,
            composite_solids_pipeline,
            modes_and_presets_pipeline,
        ],
        schedule_defs=[longest_book_daily],
    )
