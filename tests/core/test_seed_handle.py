"""ExecutionTargetHandle as 0.7 code uses it: naming where pipelines and repositories are, building
them from there, turning a handle into plain data and back, and saying what is wrong when the
code is not where the handle says."""

import dataclasses
import importlib
import json
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

from dagster_core import (
    DagsterCodeLoadError,
    DagsterInvariantViolationError,
    ExecutionTargetHandle,
    RepositoryDefinition,
    execute_pipeline,
    lambda_solid,
    pipeline,
)

CODE = textwrap.dedent(
    """
    import json, os
    from dagster_core import (
        DagsterInstance, ExecutionTargetHandle, InputDefinition, Int, RepositoryDefinition,
        ScheduleDefinition, execute_pipeline, lambda_solid, pipeline, schedules,
    )

    @lambda_solid
    def emit():
        return 1

    @lambda_solid(input_defs=[InputDefinition("num", Int)])
    def add_one(num):
        return num + 1

    @lambda_solid(input_defs=[InputDefinition("num", Int)])
    def add_two(num):
        return num + 2

    @lambda_solid(input_defs=[InputDefinition("left", Int), InputDefinition("right", Int)])
    def total(left, right):
        return {"sum": left + right, "pid": os.getpid()}

    def define_diamond():
        @pipeline
        def diamond():
            num = emit()
            total(add_one(num), add_two(num))

        return diamond

    @pipeline
    def single():
        emit()

    def define_repo():
        return RepositoryDefinition("handle_repo", pipeline_defs=[define_diamond(), single])

    @schedules
    def define_schedules():
        return [ScheduleDefinition("every_day", "0 0 * * *", "single")]

    not_a_pipeline = 3

    def returns_three():
        return 3

    def explodes():
        raise RuntimeError("boom")

    if __name__ == "__main__":
        result = execute_pipeline(
            ExecutionTargetHandle.for_pipeline_python_file(
                __file__, "define_diamond"
            ).build_pipeline_definition(),
            environment_dict={"execution": {"multiprocess": {}}, "storage": {"filesystem": {}}},
            instance=DagsterInstance.local_temp(),
        )
        out = result.result_for_solid("total").output_value()
        print(json.dumps({"success": result.success, "sum": out["sum"], "step_pid": out["pid"],
                          "driver_pid": os.getpid()}))
    """
)


@pytest.fixture
def code(tmp_path, request):
    """A Python file of pipelines, a repository and schedules, named after the test so that
    each test imports its own module."""
    path = tmp_path / f"handle_{request.node.name.split('[')[0][5:45]}.py"
    path.write_text(CODE)
    return path


def test_a_07_script_builds_its_pipeline_from_a_handle_and_runs_it_on_multiprocess(code):
    out = subprocess.run(
        [sys.executable, str(code)],
        cwd=code.parent,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
    )
    assert out.returncode == 0, out.stderr
    ran = json.loads(out.stdout.strip().splitlines()[-1])
    assert ran["success"] and ran["sum"] == 5
    assert ran["step_pid"] != ran["driver_pid"]  # the step ran in a child process


def test_a_pipeline_handle_builds_the_pipeline_and_get_handle_finds_it(code, monkeypatch):
    handle = ExecutionTargetHandle.for_pipeline_python_file(str(code), "define_diamond")
    assert handle.is_resolved_to_pipeline
    diamond = handle.build_pipeline_definition()
    assert diamond.name == "diamond"
    assert execute_pipeline(diamond).result_for_solid("total").output_value()["sum"] == 5
    assert ExecutionTargetHandle.get_handle(diamond) == (handle, None)
    found, _ = ExecutionTargetHandle.get_handle(diamond)
    assert found.build_pipeline_definition().name == "diamond"

    monkeypatch.syspath_prepend(str(code.parent))
    by_module = ExecutionTargetHandle.for_pipeline_module(code.stem, "single")
    assert list(by_module.build_pipeline_definition().solid_order) == ["emit"]


def test_a_pipeline_made_without_a_handle_has_none():
    @lambda_solid
    def one():
        return 1

    @pipeline
    def plain():
        one()

    assert ExecutionTargetHandle.get_handle(plain) == (None, None)
    with pytest.raises(DagsterInvariantViolationError, match="got 'plain'"):
        ExecutionTargetHandle.get_handle("plain")


def test_for_pipeline_fn_holds_the_function_and_round_trips_as_its_file_and_name(code, monkeypatch):
    monkeypatch.syspath_prepend(str(code.parent))
    module = importlib.import_module(code.stem)
    handle = ExecutionTargetHandle.for_pipeline_fn(module.define_diamond)
    assert (handle.python_file, handle.fn_name) == (str(code), "define_diamond")
    assert handle.build_pipeline_definition().name == "diamond"

    as_data = json.loads(json.dumps(handle.to_dict()))
    assert as_data == {
        "data": {
            "repository_yaml": None,
            "module_name": None,
            "python_file": str(code),
            "fn_name": "define_diamond",
            "pipeline_name": None,
        },
        "mode": "PIPELINE",
        "is_resolved_to_pipeline": True,
    }
    again = ExecutionTargetHandle.from_dict(as_data)
    assert again == handle and again.fn is None  # loads the file, not the held function
    assert again.build_pipeline_definition().name == "diamond"

    repo_handle = ExecutionTargetHandle.for_repo_fn(module.define_repo)
    assert repo_handle.build_repository_definition().name == "handle_repo"
    assert ExecutionTargetHandle.from_dict(repo_handle.to_dict()) == repo_handle


def test_for_repo_yaml_round_trips_and_builds_the_repository_it_names(code, tmp_path):
    (tmp_path / "config").mkdir()
    yaml_path = tmp_path / "config" / "repository.yaml"
    yaml_path.write_text(f"repository:\n  file: ../{code.name}\n  fn: define_repo\n")
    handle = ExecutionTargetHandle.for_repo_yaml(str(yaml_path))
    assert not handle.is_resolved_to_pipeline
    assert handle.to_dict()["data"]["repository_yaml"] == str(yaml_path)
    assert ExecutionTargetHandle.from_dict(handle.to_dict()) == handle

    repository = handle.build_repository_definition()
    assert isinstance(repository, RepositoryDefinition)
    assert (repository.name, repository.pipeline_names) == ("handle_repo", ["diamond", "single"])
    assert ExecutionTargetHandle.get_handle(repository).handle == handle

    pipeline_handle = handle.with_pipeline_name("single")
    assert pipeline_handle.is_resolved_to_pipeline
    assert ExecutionTargetHandle.from_dict(pipeline_handle.to_dict()) == pipeline_handle
    assert pipeline_handle.build_pipeline_definition().name == "single"
    with pytest.raises(DagsterCodeLoadError, match="several pipelines.*: diamond, single"):
        handle.build_pipeline_definition()


def test_for_repo_module_round_trips_and_builds_the_repository(code, monkeypatch):
    monkeypatch.syspath_prepend(str(code.parent))
    handle = ExecutionTargetHandle.for_repo_module(code.stem, "define_repo")
    again = ExecutionTargetHandle.from_dict(json.loads(json.dumps(handle.to_dict())))
    assert again == handle
    assert again.build_repository_definition().pipeline_names == ["diamond", "single"]
    assert again.with_pipeline_name("diamond").build_pipeline_definition().name == "diamond"


def test_a_pipeline_handle_builds_a_repository_of_that_pipeline(code):
    handle = ExecutionTargetHandle.for_pipeline_python_file(str(code), "define_diamond")
    repository = handle.build_repository_definition()
    assert (repository.name, repository.pipeline_names) == ("<<unnamed>>", ["diamond"])


def test_code_named_without_fn_is_a_repository_of_its_pipelines_and_schedules(code):
    repository = ExecutionTargetHandle.for_repo_python_file(str(code)).build_repository_definition()
    assert repository.name == code.stem
    assert repository.pipeline_names == ["single"]  # define_diamond's pipeline is not top-level
    assert [s.name for s in repository.schedule_defs] == ["every_day"]


def test_a_handle_is_a_small_frozen_value(code):
    handle = ExecutionTargetHandle.for_pipeline_python_file(code, "define_diamond")
    assert handle.python_file == str(code)  # a path object is taken as its string
    assert pickle.loads(pickle.dumps(handle)) == handle
    assert (
        len({handle, ExecutionTargetHandle.for_pipeline_python_file(str(code), "define_diamond")})
        == 1
    )
    assert "define_diamond" in repr(handle) and str(code) in repr(handle)
    with pytest.raises(dataclasses.FrozenInstanceError):
        handle.fn_name = "other"


@pytest.mark.parametrize(
    "fn_name, message",
    [
        ("nope", "No pipeline 'nope' in {file} (nor a repository or function of that name); it defines pipelines: single"),
        ("not_a_pipeline", "not_a_pipeline in {file} is 3: -n names a pipeline, a RepositoryDefinition, or a function returning one"),
        ("returns_three", "returns_three() in {file} returned 3"),
        ("explodes", "Error in explodes() of {file}: RuntimeError: boom"),
        ("define_repo", "{file} -n define_repo defines several pipelines"),
    ],
)  # fmt: skip
def test_what_fn_name_cannot_use_raises_naming_it(code, fn_name, message):
    handle = ExecutionTargetHandle.for_pipeline_python_file(str(code), fn_name)
    with pytest.raises(DagsterCodeLoadError) as error:
        handle.build_pipeline_definition()
    assert message.format(file=code) in str(error.value)
    assert isinstance(error.value, DagsterInvariantViolationError)


def test_code_that_cannot_be_loaded_raises_naming_it(tmp_path, code):
    missing = ExecutionTargetHandle.for_pipeline_python_file(str(tmp_path / "gone.py"), "f")
    with pytest.raises(DagsterCodeLoadError, match="No such Python file: .*gone.py"):
        missing.build_pipeline_definition()
    module = ExecutionTargetHandle.for_repo_module("no_such_module_here", "define_repo")
    with pytest.raises(DagsterCodeLoadError, match="Cannot import module no_such_module_here"):
        module.build_repository_definition()
    broken = tmp_path / "broken_handle_code.py"
    broken.write_text("x = 1\n\nx / 0\n")
    with pytest.raises(DagsterCodeLoadError) as error:
        ExecutionTargetHandle.for_repo_python_file(str(broken)).build_repository_definition()
    assert f"Error while loading {broken}: {broken}:3: ZeroDivisionError" in str(error.value)
    with pytest.raises(DagsterCodeLoadError, match="No pipeline 'nope' in .* -n define_repo; it"):
        ExecutionTargetHandle.for_repo_python_file(str(code), "define_repo").with_pipeline_name(
            "nope"
        ).build_pipeline_definition()


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "No such repository file: {yaml}"),
        ("repository: [\n", "{yaml}:2: invalid YAML"),
        ("pipelines: {{}}\n", "{yaml}: expected a `repository:` key holding `file` (or `module`) and `fn`"),
        ("repository: {{file: {code}}}\n", "{yaml}: repository.fn is missing"),
        ("repository: {{file: missing.py, fn: f}}\n", "{yaml}: repository.file missing.py is not a file"),
    ],
)  # fmt: skip
def test_a_bad_repository_yaml_raises_naming_the_file_and_key(tmp_path, code, text, message):
    yaml_path = tmp_path / "repo.yaml"
    if text is not None:
        yaml_path.write_text(text.format(code=code.name))
    handle = ExecutionTargetHandle.for_repo_yaml(str(yaml_path))
    with pytest.raises(DagsterCodeLoadError) as error:
        handle.build_repository_definition()
    assert message.format(yaml=yaml_path) in str(error.value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: ExecutionTargetHandle(python_file="a.py", module_name="m"), "needs exactly one of python_file, module_name and repository_yaml, got python_file='a.py', module_name='m'"),
        (lambda: ExecutionTargetHandle(fn_name="f"), "needs exactly one of python_file, module_name and repository_yaml, got none"),
        (lambda: ExecutionTargetHandle.for_pipeline_python_file(3, "f"), "python_file must be a non-empty string, got 3"),
        (lambda: ExecutionTargetHandle.for_pipeline_module("m", ""), "fn_name must be a non-empty string, got ''"),
        (lambda: ExecutionTargetHandle(repository_yaml="r.yaml", fn_name="f"), "r.yaml names its function itself (repository.fn)"),
        (lambda: ExecutionTargetHandle.for_pipeline_fn(3), "for_pipeline_fn takes a Python function returning a pipeline definition, got 3"),
        (lambda: ExecutionTargetHandle.from_dict({"python_file": "a.py"}), "from_dict takes the dict to_dict makes"),
        (lambda: ExecutionTargetHandle.from_dict({"data": {"file": "a.py"}, "mode": "PIPELINE"}), "unknown key data.file; expected repository_yaml, module_name, python_file, fn_name, pipeline_name"),
        (lambda: ExecutionTargetHandle.from_dict({"data": {"python_file": "a.py"}, "mode": "JOB"}), "mode must be PIPELINE or REPOSITORY, got 'JOB'"),
    ],
)  # fmt: skip
def test_a_handle_made_wrongly_raises_when_made(make, message):
    with pytest.raises(DagsterCodeLoadError) as error:
        make()
    assert message in str(error.value)
