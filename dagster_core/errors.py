"""The exceptions users see; all derive from DagsterError so one except clause catches them."""

from __future__ import annotations


class DagsterError(Exception):
    """Base of every error raised by this framework (not by user code)."""


class DagsterInvalidDefinitionError(DagsterError):
    """A solid, pipeline, resource or mode is defined wrongly; raised when it is defined."""


class DagsterInvariantViolationError(DagsterError):
    """The framework was used in a way it does not support (e.g. a solid called outside a pipeline)."""


class DagsterCodeLoadError(DagsterInvariantViolationError):
    """The user's code cannot be found or loaded where a handle (or -f/-m/-y/-n) says: names the
    file, module or function and what would be accepted."""


class DagsterInvalidInvocationError(DagsterInvalidDefinitionError, DagsterInvariantViolationError):
    """A solid's output misused in a composition function (unpacked or indexed as if it were
    several): a definition mistake, and the invariant violation the seed raised for it."""


class DagsterConfigMappingFunctionError(DagsterError):
    """A composite solid's config_fn raised while the run config was resolved."""


class DagsterRunNotFoundError(DagsterError):
    """A run id that the instance does not know."""


class DagsterExecutionStepNotFoundError(DagsterInvariantViolationError):
    """Step keys that the run's plan does not have; `step_keys` lists them."""

    def __init__(self, message: str, step_keys: list[str]):
        super().__init__(message)
        self.step_keys = list(step_keys)

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), (str(self), self.step_keys))


class DagsterExecutionStepExecutionError(DagsterError):
    """A step failed; raised by the Python API after the run has been marked FAILURE, when the
    step's own exception is not at hand (the step ran in another process)."""

    def __init__(self, message: str, step_key: str, error_info: object = None):
        super().__init__(message)
        self.step_key = step_key
        self.error_info = error_info


class DagsterStepOutputNotFoundError(DagsterError):
    """An output that a step needs was never stored (for example in the parent run of a re-execution)."""


class DagsterConfigFileError(DagsterError):
    """A run config or dagster.yaml file that is missing or is not valid YAML."""


class DagsterResourceFunctionError(DagsterError):
    """A resource's function raised while the resource was built or torn down."""


class DagsterUnknownResourceError(DagsterError, AttributeError):
    """A solid used `context.resources.<name>` for a resource it does not require. An
    AttributeError too, so `hasattr` and `getattr(..., default)` work on `context.resources`."""

    def __init__(self, resource_name: str, message: str):
        super().__init__(message)
        self.resource_name = resource_name


class DagsterRunTerminated(DagsterError):
    """Raised inside the driver when `instance.terminate_run` asked the run to stop."""


class DagsterExecutionInterrupted(KeyboardInterrupt):
    """Raised in a run's main thread by SIGINT or SIGTERM while the run loop (or a child process
    running steps) has its handlers installed. A KeyboardInterrupt that user code raises itself
    is a step failure; this one cancels the run."""


class DagsterEventStorageError(DagsterError):
    """A run's events could not be stored after retrying; the run fails saying why."""


class DagsterTypeCheckDidNotPass(DagsterError):
    """A value failed the type check of a step's input or output; carries the check's
    description and metadata entries, and the type that rejected the value."""

    def __init__(
        self,
        description: str | None = None,
        metadata_entries: tuple[object, ...] = (),
        dagster_type: object = None,
    ):
        super().__init__(description)
        self.description = description
        self.metadata_entries = tuple(metadata_entries)
        self.dagster_type = dagster_type

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), (self.description, self.metadata_entries, self.dagster_type))
