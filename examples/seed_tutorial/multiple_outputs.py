"""Step 4: several outputs, some optional. `split_by_length` yields the short books, the long
books, or both; a solid whose input was never yielded is skipped, as are the solids after it.

Run it: `python multiple_outputs.py`, or
`dagster pipeline execute multiple_outputs_pipeline -e multiple_outputs.yaml`.
"""

from inputs import read_books

from dagster_core import (
    Field,
    Int,
    Output,
    OutputDefinition,
    String,
    execute_pipeline,
    file_relative_path,
    pipeline,
    solid,
)


@solid(
    config={
        "pages": Field(Int, default_value=300, description="Longer than this is long."),
        "keep": Field(String, is_required=False, description="'short' or 'long'; both if unset."),
    },
    output_defs=[
        OutputDefinition(list, name="short_books", is_required=False),
        OutputDefinition(list, name="long_books", is_required=False),
    ],
)
def split_by_length(context, books: list):
    limit, keep = context.solid_config["pages"], context.solid_config.get("keep")
    if keep in (None, "short"):
        yield Output([b for b in books if int(b["pages"]) <= limit], "short_books")
    if keep in (None, "long"):
        yield Output([b for b in books if int(b["pages"]) > limit], "long_books")


@solid
def titles(context, books: list) -> list:
    names = sorted(book["title"] for book in books)
    context.log.info("; ".join(names))
    return names


@pipeline
def multiple_outputs_pipeline():
    short_books, long_books = split_by_length(read_books())
    titles.alias("short_titles")(short_books)
    titles.alias("long_titles")(long_books)


if __name__ == "__main__":
    environment_dict = {
        "solids": {
            "read_books": {
                "inputs": {"csv_path": {"value": file_relative_path(__file__, "data/books.csv")}}
            },
            "split_by_length": {"config": {"keep": "long"}},
        }
    }
    result = execute_pipeline(multiple_outputs_pipeline, environment_dict=environment_dict)
    assert result.success
    assert result.result_for_solid("short_titles").skipped
    print("long:", result.result_for_solid("long_titles").output_value())
