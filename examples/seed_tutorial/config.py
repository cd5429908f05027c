"""Step 3: solid config. `read_csv` reads any delimited file: its delimiter is config with a
default, so only files that differ need to say so.

Run it: `python config.py`, or `dagster pipeline execute config_pipeline -e config.yaml`.
"""

import csv

from dagster_core import Field, String, execute_pipeline, file_relative_path, pipeline, solid


@solid(
    config={
        "delimiter": Field(
            String, default_value=",", is_required=False, description="The field separator."
        )
    }
)
def read_csv(context, csv_path: str) -> list:
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter=context.solid_config["delimiter"]))
    context.log.info(f"Read {len(rows)} rows from {csv_path}")
    return rows


@solid
def shelf_names(context, shelves: list) -> dict:
    names = {row["code"]: row["name"] for row in shelves}
    context.log.info(f"Shelves: {', '.join(sorted(names.values()))}")
    return names


@pipeline
def config_pipeline():
    shelf_names(read_csv())


if __name__ == "__main__":
    environment_dict = {
        "solids": {
            "read_csv": {
                "config": {"delimiter": ";"},
                "inputs": {"csv_path": {"value": file_relative_path(__file__, "data/shelves.csv")}},
            }
        }
    }
    result = execute_pipeline(config_pipeline, environment_dict=environment_dict)
    assert result.success
    print("shelves:", result.result_for_solid("shelf_names").output_value())
