"""The first pipeline to run: `make demo` runs it with hello_pipeline.yaml."""

from dagster_core import (
    Field,
    InputDefinition,
    Int,
    List,
    ModeDefinition,
    OutputDefinition,
    default_executors,
    lambda_solid,
    pipeline,
    solid,
)
from dagster_dask import dask_executor


@solid(config={"count": Field(Int, default_value=3, description="How many numbers to make")})
def numbers(context):
    """Make the numbers 1..count."""
    count = context.solid_config["count"]
    context.log.info(f"making {count} numbers")
    return list(range(1, count + 1))


@solid(
    config={"factor": Field(Int, default_value=2)},
    input_defs=[InputDefinition("values", List[Int])],
    output_defs=[OutputDefinition(List[Int])],
)
def scale(context, values):
    """Multiply every number by the configured factor."""
    return [v * context.solid_config["factor"] for v in values]


@lambda_solid(input_defs=[InputDefinition("values", List[Int])])
def total(values):
    return sum(values)


@lambda_solid(input_defs=[InputDefinition("values", List[Int])])
def largest(values):
    return max(values)


@solid(input_defs=[InputDefinition("parts", List[Int])])
def report(context, parts):
    """Join the two branches (a fan-in) and report them."""
    context.log.info(f"total and largest: {parts}")
    return parts


@pipeline(mode_defs=[ModeDefinition(executor_defs=[*default_executors, dask_executor])])
def hello_pipeline():
    """numbers -> scale -> (total, largest) -> report (a fan-in)."""
    scaled = scale(numbers())
    report([total(scaled), largest(scaled)])
