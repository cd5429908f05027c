"""Step 8: a repository. The tutorial's pipelines under one name, so every command can find them
with `-y repository.yaml` (or with no flag at all, from this folder):

    dagster pipeline list
    dagster pipeline execute -n inputs_pipeline -e inputs.yaml
"""

from composite_solids import composite_solids_pipeline
from config import config_pipeline
from custom_types import custom_types_pipeline
from hello_books import hello_books_pipeline
from inputs import inputs_pipeline
from modes_and_presets import modes_and_presets_pipeline
from multiple_outputs import multiple_outputs_pipeline

from dagster_core import RepositoryDefinition


def define_repository():
    return RepositoryDefinition(
        "seed_tutorial",
        pipeline_defs=[
            hello_books_pipeline,
            inputs_pipeline,
            config_pipeline,
            multiple_outputs_pipeline,
            custom_types_pipeline,
            composite_solids_pipeline,
            modes_and_presets_pipeline,
        ],
    )
