"""The operations `dagster-graphql -p NAME` runs, as the seed's command had them: each takes its
variables as `-v` gives them (`{"executionParams": {...}}`) and selects what a script needs from
the answer (the run, or every error with its message)."""

from __future__ import annotations

_ERRORS = """
    ... on PipelineConfigValidationInvalid {
      pipelineName
      errors { message path reason }
    }
    ... on PipelineNotFoundError { pipelineName message }
    ... on ModeNotFoundError { mode message }
    ... on PresetNotFoundError { preset message }
    ... on PipelineRunNotFoundError { runId message }
    ... on InvalidStepError { invalidStepKey message }
    ... on RunConflict { message }
    ... on PythonError { message stack }
"""

_RUN = "run { runId pipelineName status mode tags { key value } }"

PREDEFINED: dict[str, str] = {
    "startPipelineExecution": f"""
mutation ($executionParams: ExecutionParams!) {{
  startPipelineExecution(executionParams: $executionParams) {{
    __typename
    ... on StartPipelineExecutionSuccess {{ {_RUN} }}
{_ERRORS}
  }}
}}
""",
    "launchPipelineExecution": f"""
mutation ($executionParams: ExecutionParams!) {{
  launchPipelineExecution(executionParams: $executionParams) {{
    __typename
    ... on LaunchPipelineExecutionSuccess {{ {_RUN} }}
{_ERRORS}
  }}
}}
""",
    "executePlan": f"""
mutation ($executionParams: ExecutionParams!) {{
  executePlan(executionParams: $executionParams) {{
    __typename
    ... on ExecutePlanSuccess {{
      pipeline {{ name }}
      hasFailures
      stepEvents {{
        __typename
        ... on MessageEvent {{ runId message level stepKey }}
      }}
    }}
{_ERRORS}
  }}
}}
""",
}
