"""0.7 definition helpers as ported code uses them: is_required outputs, pipeline tags, modes from
resources, ready-made resources, presets, Materialization.file, file_relative_path."""

import os

import cloudpickle
import pytest
import yaml

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    InputDefinition,
    Int,
    Materialization,
    ModeDefinition,
    Output,
    OutputDefinition,
    PipelineDefinition,
    PresetDefinition,
    ResourceDefinition,
    execute_pipeline,
    file_relative_path,
    lambda_solid,
    pipeline,
    script_relative_path,
    solid,
)

# is_required= on OutputDefinition


def test_an_output_that_is_not_required_may_be_left_out_and_skips_what_needs_it():
    @solid(
        output_defs=[
            OutputDefinition(Int, "always"),
            OutputDefinition(Int, "maybe", is_required=False),
        ]
    )
    def emit(_):
        yield Output(1, "always")

    @lambda_solid(input_defs=[InputDefinition("x", Int)])
    def use(x):
        return x

    @pipeline
    def p():
        outs = emit()
        use.alias("use_always")(outs.always)
        use.alias("use_maybe")(outs.maybe)

    result = execute_pipeline(p)
    assert result.success
    assert result.result_for_solid("use_always").output_value() == 1
    skipped = [
        e.step_key for e in result.event_list if e.event_type is DagsterEventType.STEP_SKIPPED
    ]
    assert skipped == ["use_maybe.compute"]


def test_output_is_required_reads_both_spellings():
    assert OutputDefinition(Int).is_required is True
    assert OutputDefinition(Int, is_required=False).is_optional is True
    assert OutputDefinition(Int, is_optional=True).is_required is False
    assert OutputDefinition(Int, is_optional=False, is_required=True).is_required is True


def test_contradictory_output_flags_are_a_definition_error_naming_the_output():
    with pytest.raises(DagsterInvalidDefinitionError, match="Output 'out'.*contradict"):
        OutputDefinition(Int, "out", is_optional=True, is_required=True)


def test_a_dict_as_an_output_type_is_a_definition_error_naming_it():
    with pytest.raises(DagsterInvalidDefinitionError, match=r"\{'foo': 'bar'\} is not a type"):
        OutputDefinition({"foo": "bar"})
    with pytest.raises(DagsterInvalidDefinitionError, match=r"\['a'\] is not a type"):
        InputDefinition("x", ["a"])


# Pipeline tags


@lambda_solid
def noop():
    return None


def run_tags(pipeline_def, **kwargs):
    instance = DagsterInstance.ephemeral()
    result = execute_pipeline(pipeline_def, instance=instance, **kwargs)
    return instance.get_run_by_id(result.run_id).tags


def test_every_run_carries_the_pipeline_tags_under_its_own():
    @pipeline(tags={"owner": "ml_team", "source": "pipeline", "priority": 3})
    def tagged():
        noop()

    assert tagged.tags == {"owner": "ml_team", "source": "pipeline", "priority": "3"}
    assert run_tags(tagged) == {"owner": "ml_team", "source": "pipeline", "priority": "3"}
    assert run_tags(tagged, tags={"source": "run", "extra": "x"}) == {
        "owner": "ml_team",
        "source": "run",
        "priority": "3",
        "extra": "x",
    }


def test_pipeline_definition_takes_tags_and_a_subset_run_keeps_them():
    p = PipelineDefinition(
        [noop, lambda_solid(name="other")(lambda: 2)],
        name="p",
        tags={"config": {"nested": [1, 2]}},
    )
    assert p.tags == {"config": '{"nested": [1, 2]}'}
    assert run_tags(p, solid_subset=["other"]) == {"config": '{"nested": [1, 2]}'}


@pytest.mark.parametrize(
    "value", [object(), (1, 2), float("nan"), {"a": {1, 2}}], ids=["object", "tuple", "nan", "set"]
)
def test_tag_values_json_cannot_hold_unchanged_are_definition_errors(value):
    with pytest.raises(DagsterInvalidDefinitionError, match="Tag 'bad' of pipeline 'p'"):
        PipelineDefinition([noop], name="p", tags={"bad": value})

    with pytest.raises(DagsterInvalidDefinitionError, match="Tag 'bad' of solid 's'"):

        @solid(name="s", tags={"bad": value})
        def _s(_):
            pass


def test_a_tag_key_that_is_not_a_str_is_a_definition_error():
    with pytest.raises(DagsterInvalidDefinitionError, match="Tag key 1 of pipeline 'p'"):

        @pipeline(name="p", tags={1: "a"})
        def _p():
            noop()


def test_solid_tags_keep_their_structured_values():
    @solid(tags={"dask/resources": {"GPU": 1}, "team": "a"})
    def gpu(_):
        pass

    assert gpu.tags == {"dask/resources": {"GPU": 1}, "team": "a"}


# ModeDefinition.from_resources and ready-made resources


@solid(required_resource_keys={"greeting", "nothing"})
def greet(context):
    return (context.resources.greeting, context.resources.nothing)


def test_mode_from_resources_uses_the_objects_as_they_are():
    mode = ModeDefinition.from_resources({"greeting": "hello", "nothing": None})
    assert mode.name == "default"
    assert ModeDefinition.from_resources({}, name="test").name == "test"

    p = PipelineDefinition([greet], name="p", mode_defs=[mode])
    assert execute_pipeline(p).result_for_solid("greet").output_value() == ("hello", None)


def test_mode_from_resources_needs_a_dict():
    with pytest.raises(DagsterInvalidDefinitionError, match="dict of resource key"):
        ModeDefinition.from_resources(["hello"])


def test_hardcoded_none_and_string_resources():
    mode = ModeDefinition(
        resource_defs={
            "greeting": ResourceDefinition.string_resource(),
            "nothing": ResourceDefinition.none_resource(),
        }
    )
    p = PipelineDefinition([greet], name="p", mode_defs=[mode])
    cfg = {"resources": {"greeting": {"config": "hi from config"}}}
    assert execute_pipeline(p, cfg).result_for_solid("greet").output_value() == (
        "hi from config",
        None,
    )
    with pytest.raises(DagsterInvalidConfigError, match="expected String, got 3"):
        execute_pipeline(p, {"resources": {"greeting": {"config": 3}}})

    hard = ModeDefinition(
        resource_defs={
            "greeting": ResourceDefinition.hardcoded_resource("fixed"),
            "nothing": ResourceDefinition.none_resource(),
        }
    )
    p = PipelineDefinition([greet], name="p", mode_defs=[hard])
    assert execute_pipeline(p).result_for_solid("greet").output_value() == ("fixed", None)


# Presets


@solid(config={"n": Int})
def config_n(context):
    return context.solid_config["n"]


def test_preset_environment_dict_and_yaml():
    cfg = {"solids": {"config_n": {"config": {"n": 4}}}}
    preset = PresetDefinition("four", environment_dict=cfg)
    assert preset.environment_dict == cfg
    assert yaml.safe_load(preset.get_environment_yaml()) == cfg
    assert preset.mode == "default"

    p = PipelineDefinition([config_n], name="p", preset_defs=[preset])
    result = execute_pipeline(p, preset="four")
    assert result.result_for_solid("config_n").output_value() == 4


def test_preset_from_files_reads_and_merges_them_when_defined(tmp_path):
    (tmp_path / "base.yaml").write_text(
        "solids: {config_n: {config: {n: 1}}}\nstorage: {in_memory: {}}\n"
    )
    (tmp_path / "override.yaml").write_text("solids: {config_n: {config: {n: 2}}}\n")
    preset = PresetDefinition.from_files(
        "merged", [str(tmp_path / "base.yaml"), str(tmp_path / "override.yaml")]
    )
    (tmp_path / "base.yaml").unlink()  # read already: the preset no longer needs the files
    assert preset.environment_dict == {
        "solids": {"config_n": {"config": {"n": 2}}},
        "storage": {"in_memory": {}},
    }
    p = PipelineDefinition([config_n], name="p", preset_defs=[preset])
    shipped = cloudpickle.loads(cloudpickle.dumps(p))
    assert (
        execute_pipeline(shipped, preset="merged").result_for_solid("config_n").output_value() == 2
    )


def test_preset_from_files_takes_glob_patterns(tmp_path):
    (tmp_path / "a.yaml").write_text("solids: {config_n: {config: {n: 1}}}\n")
    (tmp_path / "b.yaml").write_text("solids: {config_n: {config: {n: 2}}}\n")
    preset = PresetDefinition.from_files("globbed", [str(tmp_path / "*.yaml")])
    assert preset.environment_dict == {"solids": {"config_n": {"config": {"n": 2}}}}


def test_preset_from_a_missing_file_fails_when_defined_naming_the_file():
    with pytest.raises(DagsterInvalidDefinitionError, match=r"Preset 'p'.*'/missing\.yaml'"):
        PresetDefinition.from_files("p", ["/missing.yaml"])


# Materialization.file and file_relative_path


def test_materialization_file_is_labelled_with_the_file_name(tmp_path):
    target = tmp_path / "out" / "table.csv"

    @solid
    def write(_):
        target.parent.mkdir()
        target.write_text("a,b\n")
        yield Materialization.file(str(target), description="the table")
        yield Output(None)

    result = execute_pipeline(PipelineDefinition([write], name="p"))
    (materialization,) = result.result_for_solid("write").materializations
    assert materialization.label == "table.csv"
    assert materialization.description == "the table"
    assert materialization.metadata == {"path": str(target)}
    assert Materialization.file("/data/dir/").label == "dir"


def test_file_relative_path_is_taken_from_the_files_directory():
    here = os.path.dirname(__file__)
    assert file_relative_path(__file__, "data/x.yaml") == os.path.join(here, "data/x.yaml")
    assert file_relative_path("/a/b/repo.py", "../c.yaml") == "/a/b/../c.yaml"


def test_script_relative_path_is_taken_from_the_calling_files_directory(tmp_path, monkeypatch):
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.chdir(tmp_path)
    assert script_relative_path("data/x.yaml") == os.path.join(here, "data/x.yaml")


def test_file_relative_path_finds_preset_files_wherever_the_code_runs_from(tmp_path, monkeypatch):
    code = tmp_path / "repo.py"
    (tmp_path / "preset.yaml").write_text("solids: {config_n: {config: {n: 7}}}\n")
    monkeypatch.chdir(os.path.dirname(__file__))
    preset = PresetDefinition.from_files("p", [file_relative_path(str(code), "preset.yaml")])
    assert preset.environment_dict == {"solids": {"config_n": {"config": {"n": 7}}}}
