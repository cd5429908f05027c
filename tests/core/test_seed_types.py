# ruff: noqa: UP006, UP007, UP045 - 0.7 code spells types typing.List[int], typing.Optional[...]
"""The seed-era (0.7) type toolkit, as a user porting 0.7 pipelines and tests exercises it:
DagsterType with type checks returning TypeCheck, EventMetadataEntry, PythonObjectDagsterType,
@usable_as_dagster_type, check_dagster_type, Path / Set / Tuple / Dict, typing hints and builtins
as types, and the definition mistakes that are caught when a pipeline is defined."""

import pickle
import typing

import cloudpickle
import pytest

from dagster_core import (
    DagsterError,
    DagsterEventType,
    DagsterInstance,
    DagsterInvalidDefinitionError,
    DagsterType,
    DagsterTypeCheckDidNotPass,
    Dict,
    EventMetadataEntry,
    ExpectationResult,
    Failure,
    Field,
    InputDefinition,
    Int,
    List,
    Materialization,
    ModeDefinition,
    Nothing,
    Optional,
    Output,
    OutputDefinition,
    Path,
    PythonObjectDagsterType,
    ResourceDefinition,
    SerializationStrategy,
    Set,
    String,
    Tuple,
    TypeCheck,
    check_dagster_type,
    execute_pipeline,
    execute_solid,
    lambda_solid,
    make_python_type_usable_as_dagster_type,
    pipeline,
    solid,
    usable_as_dagster_type,
)

E = DagsterEventType


def run_one(dagster_type, value, as_input=True):
    """Feed `value` through an input (or out of an output) of `dagster_type`; the solid's
    result (success or failure data) from a run that does not raise."""

    @lambda_solid(output_def=OutputDefinition(None if as_input else dagster_type))
    def emit():
        return value

    @lambda_solid(input_defs=[InputDefinition("x", dagster_type if as_input else None)])
    def take(x):
        return x

    @pipeline
    def p():
        take(emit())

    result = execute_pipeline(p, raise_on_error=False)
    return result.result_for_solid("take" if as_input else "emit")


# DagsterType and TypeCheck


def is_even_with_metadata(_context, value):
    return TypeCheck(
        success=isinstance(value, int) and value % 2 == 0,
        description=f"{value!r} is not an even int",
        metadata_entries=[
            EventMetadataEntry.text(str(value), "value", "what was checked"),
            EventMetadataEntry.int(2, "divisor"),
        ],
    )


EvenInt = DagsterType(
    key="EvenInt", name="EvenInt", type_check_fn=is_even_with_metadata, description="even"
)


def test_a_passing_type_check_lets_the_value_through():
    result = run_one(EvenInt, 4)
    assert result.success
    assert result.output_value() == 4


def test_a_failing_type_check_fails_the_step_with_its_description_and_metadata():
    failure = run_one(EvenInt, 3).failure_data
    assert "input 'x'" in failure.message and "expected EvenInt" in failure.message
    assert "int" in failure.message and "3 is not an even int" in failure.message
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"
    assert failure.data["metadata_entries"] == (
        EventMetadataEntry.text("3", "value", "what was checked"),
        EventMetadataEntry.int(2, "divisor"),
    )


def test_a_failing_output_type_check_names_the_output():
    failure = run_one(EvenInt, 5, as_input=False).failure_data
    assert "output 'result'" in failure.message and "expected EvenInt" in failure.message
    assert failure.error.cls_name == "DagsterTypeCheckDidNotPass"


def test_type_check_metadata_survives_the_event_log():
    instance = DagsterInstance.local_temp()

    @lambda_solid(output_def=OutputDefinition(EvenInt))
    def odd():
        return 7

    @pipeline
    def p():
        odd()

    result = execute_pipeline(p, instance=instance, raise_on_error=False)
    (stored,) = [e for e in instance.all_logs(result.run_id) if e.event_type == E.STEP_FAILURE]
    assert stored.data["metadata_entries"] == (
        EventMetadataEntry.text("7", "value", "what was checked"),
        EventMetadataEntry.int(2, "divisor"),
    )


def test_type_check_fn_may_take_the_value_alone_and_return_a_bool():
    Positive = DagsterType("Positive", lambda value: value > 0)
    assert run_one(Positive, 1).success
    assert "expected Positive" in run_one(Positive, -1).failure_data.message


def test_type_check_fn_with_context_sees_the_run_and_its_log():
    seen = []

    def check(context, value):
        context.log.info(f"checking {value}")
        seen.append(context.run_id)
        return True

    Logged = DagsterType(name="Logged", type_check_fn=check)

    @lambda_solid
    def emit():
        return 1

    @lambda_solid(input_defs=[InputDefinition("x", Logged)])
    def take(x):
        return x

    @pipeline
    def p():
        take(emit())

    result = execute_pipeline(p)
    assert seen == [result.run_id]
    assert any(e.message == "checking 1" for e in result.step_event_list if e.is_log_message)


def test_type_check_returning_neither_bool_nor_typecheck_fails_the_step_saying_so():
    Sloppy = DagsterType("Sloppy", lambda value: "yes")
    message = run_one(Sloppy, 1).failure_data.message
    assert "type_check_fn of DagsterType Sloppy returned 'yes'" in message
    assert "bool or a TypeCheck" in message


def test_type_check_that_raises_fails_the_step_naming_the_error():
    def boom(_context, value):
        raise ValueError("cannot tell")

    message = run_one(DagsterType("Boom", boom), 1).failure_data.message
    assert "input 'x'" in message and "ValueError: cannot tell" in message


def test_type_check_fn_of_another_shape_is_a_definition_error():
    with pytest.raises(DagsterInvalidDefinitionError, match="must take \\(context, value\\)"):
        DagsterType("NoArgs", lambda: True)
    with pytest.raises(DagsterInvalidDefinitionError, match="must be a function, got 3"):
        DagsterType("NotAFunction", 3)


def test_dagster_type_name_defaults_to_its_key_and_needs_one_of_them():
    assert DagsterType(key="OnlyKey").name == "OnlyKey"
    assert DagsterType("OnlyName").key == "OnlyName"
    with pytest.raises(DagsterInvalidDefinitionError, match="non-empty name"):
        DagsterType()


def test_type_check_did_not_pass_is_a_dagster_error_that_pickles():
    error = DagsterTypeCheckDidNotPass("bad", (EventMetadataEntry.text("t", "l"),), Int)
    assert isinstance(error, DagsterError)
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.description, clone.metadata_entries) == ("bad", error.metadata_entries)
    assert clone.dagster_type.name == "Int"


# EventMetadataEntry, on materializations, expectations and failures


ALL_ENTRIES = [
    EventMetadataEntry.text("hello", "text", "a text"),
    EventMetadataEntry.url("http://example.com", "url", "a url"),
    EventMetadataEntry.path("/tmp/out.csv", "path", "a path"),
    EventMetadataEntry.json({"rows": [1, 2]}, "json", "some json"),
    EventMetadataEntry.md("# Title", "md", "markdown"),
    EventMetadataEntry.float(0.5, "float", "a float"),
    EventMetadataEntry.int(3, "int", "an int"),
]


def test_metadata_entries_keep_label_description_and_data():
    text, url, path, json_, md, float_, int_ = ALL_ENTRIES
    assert (text.label, text.description, text.entry_data.text) == ("text", "a text", "hello")
    assert url.entry_data.url == "http://example.com"
    assert path.entry_data.path == "/tmp/out.csv"
    assert json_.entry_data.data == {"rows": [1, 2]}
    assert md.entry_data.md_str == "# Title"
    assert float_.entry_data.value == 0.5
    assert int_.entry_data.value == 3
    assert EventMetadataEntry.text("x", "label").description is None


def test_metadata_entries_reject_bad_values_naming_them():
    with pytest.raises(DagsterError, match="EventMetadataEntry.int 'rows' needs a int, got '3'"):
        EventMetadataEntry.int("3", "rows")
    with pytest.raises(DagsterError, match="non-empty str label"):
        EventMetadataEntry.text("x", None)
    with pytest.raises(DagsterError, match="must be EventMetadataEntry objects"):
        Materialization("table", metadata_entries=[{"rows": 3}])


def test_materializations_expectations_and_failures_carry_metadata_entries():
    @solid
    def report(_):
        yield Materialization("table", "written", metadata_entries=ALL_ENTRIES)
        yield ExpectationResult(True, "non_empty", metadata_entries=ALL_ENTRIES[:2])
        raise Failure("stop here", metadata_entries=[EventMetadataEntry.text("why", "reason")])

    @pipeline
    def p():
        report()

    instance = DagsterInstance.local_temp()
    result = execute_pipeline(p, instance=instance, raise_on_error=False)
    by_type = {e.event_type: e for e in instance.all_logs(result.run_id)}
    materialization = by_type[E.STEP_MATERIALIZATION].data["materialization"]
    assert materialization.metadata_entries == tuple(ALL_ENTRIES)
    expectation = by_type[E.STEP_EXPECTATION_RESULT].data["expectation_result"]
    assert expectation.metadata_entries == tuple(ALL_ENTRIES[:2])
    failure = by_type[E.STEP_FAILURE]
    assert failure.message == "stop here"
    assert failure.data["metadata_entries"] == (EventMetadataEntry.text("why", "reason"),)


# PythonObjectDagsterType and @usable_as_dagster_type


class Frame:
    def __init__(self, rows):
        self.rows = rows


def test_python_object_dagster_type_checks_instances_and_is_named_after_the_class():
    FrameType = PythonObjectDagsterType(Frame)
    assert FrameType.name == "Frame"
    assert PythonObjectDagsterType(Frame, name="DataFrame").name == "DataFrame"
    assert PythonObjectDagsterType(list, "PoorMansFrame").name == "PoorMansFrame"
    assert run_one(FrameType, Frame([])).success
    message = run_one(FrameType, [1]).failure_data.message
    assert "expected Frame" in message and "list" in message


def test_python_object_dagster_type_of_several_classes_needs_a_name():
    Number = PythonObjectDagsterType((int, float), name="Number")
    assert check_dagster_type(Number, 1.5).success
    with pytest.raises(DagsterInvalidDefinitionError, match="needs a name="):
        PythonObjectDagsterType((int, float))
    with pytest.raises(DagsterInvalidDefinitionError, match="needs a Python class"):
        PythonObjectDagsterType("Frame")


def test_usable_as_dagster_type_makes_a_class_a_type():
    @usable_as_dagster_type
    class Table:
        pass

    @usable_as_dagster_type(name="TableList", description="rows")
    class Rows(list):
        pass

    @lambda_solid(output_def=OutputDefinition(Table))
    def make():
        return Table()

    @lambda_solid(input_defs=[InputDefinition("t", Table)], output_def=OutputDefinition(Rows))
    def use(t):
        return Rows([t])

    @pipeline
    def p():
        use(make())

    result = execute_pipeline(p)
    assert result.success
    assert isinstance(result.result_for_solid("make").output_value(), Table)
    assert InputDefinition("t", Table).dagster_type is InputDefinition("u", Table).dagster_type
    assert OutputDefinition(Rows).dagster_type.name == "TableList"
    assert OutputDefinition(Rows).dagster_type.description == "rows"
    assert "expected Table" in run_one(Table, "not a table").failure_data.message


# check_dagster_type


@pytest.mark.parametrize(
    ("type_", "good", "bad"),
    [
        (Int, 1, "1"),
        (int, 1, True),
        (str, "a", b"a"),
        (float, 1.5, "1.5"),
        (bool, False, 0),
        (list, [1, "a"], (1,)),
        (dict, {"a": 1}, [("a", 1)]),
        (set, {1}, [1]),
        (tuple, (1, "a"), [1, "a"]),
        (Path, "/tmp/x", 3),
        (Set, {1, "a"}, [1]),
        (Set[Int], frozenset({1, 2}), {1, "2"}),
        (Tuple, (), []),
        (Tuple[Int, String], (1, "a"), (1, 2)),
        (Tuple[Int, String], (1, "a"), (1, "a", 3)),
        (Dict, {}, []),
        (Dict[String, Int], {"a": 1}, {"a": "1"}),
        (Dict[String, Int], {"a": 1}, {1: 1}),
        (List, [None, 1], None),
        (List[Int], [1, 2], [1, "2"]),
        (Optional[Int], None, "1"),
        (typing.List[int], [1], ["1"]),
        (typing.List, [1, "a"], "a"),
        (typing.Dict[str, int], {"a": 1}, {"a": None}),
        (typing.Dict, {"a": object()}, ()),
        (typing.Optional[str], None, 1),
        (typing.Set[int], {1}, {"1"}),
        (typing.Tuple[int, str], (1, "a"), ("a", 1)),
        (list[int], [1], [1.5]),
        (dict[str, typing.List[int]], {"a": [1]}, {"a": ["1"]}),
        (str | None, "a", 1),
        (typing.Any, object(), None),
        (None, object(), None),
    ],
)
def test_check_dagster_type_of_types_hints_and_builtins(type_, good, bad):
    assert check_dagster_type(type_, good) == TypeCheck(success=True)
    if bad is not None:  # None: every value passes
        assert not check_dagster_type(type_, bad).success


def test_check_dagster_type_says_which_element_failed():
    check = check_dagster_type(List[Int], [1, "2"])
    assert check.description == "element [1] (a str) is not Int"
    check = check_dagster_type(Dict[String, Int], {"a": 1.5})
    assert check.description == "value of 'a' (a float) is not Int"


def test_check_dagster_type_returns_the_types_own_typecheck():
    check = check_dagster_type(EvenInt, 3)
    assert not check.success
    assert check.description == "3 is not an even int"
    assert check.metadata_entries[1] == EventMetadataEntry.int(2, "divisor")


def test_check_dagster_type_of_a_type_needing_resources_says_to_run_it():
    Needy = DagsterType("Needy", lambda ctx, v: True, required_resource_keys={"db"})
    with pytest.raises(DagsterError, match="requires resource\\(s\\) db"):
        check_dagster_type(Needy, 1)


def test_typing_hints_and_builtins_type_solid_inputs_and_outputs():
    @lambda_solid(output_def=OutputDefinition(typing.Dict[str, typing.List[int]]))
    def make():
        return {"a": [1, 2], "b": [3]}

    @lambda_solid(
        input_defs=[InputDefinition("d", dict), InputDefinition("n", typing.Optional[int])],
        output_def=OutputDefinition(typing.Tuple[int, int]),
    )
    def count(d, n):
        return (len(d), sum(map(len, d.values())))

    @pipeline
    def p():
        count(make())

    result = execute_pipeline(p)
    assert result.result_for_solid("count").output_value() == (2, 3)
    assert OutputDefinition(typing.List[int]).dagster_type is List[Int]
    assert InputDefinition("x", list).dagster_type is InputDefinition("y", List).dagster_type


def test_wrapped_types_are_made_once():
    assert List[Int] is List[int] is List[typing.List[int]].inner_types[0]
    assert Dict[str, int] is Dict[String, Int]
    assert Tuple[int, str] is Tuple[Int, String]
    assert Set is not Set[Int]


def test_dict_is_a_runtime_type_and_a_config_schema():
    @solid(
        config={"limits": Field(Dict({"low": Field(Int), "high": Field(Int, default_value=9)}))},
        input_defs=[InputDefinition("counts", Dict[String, Int])],
        output_defs=[OutputDefinition(Dict)],
    )
    def clamp(context, counts):
        low, high = context.solid_config["limits"]["low"], context.solid_config["limits"]["high"]
        return {k: min(max(v, low), high) for k, v in counts.items()}

    result = execute_solid(
        clamp,
        {"solids": {"clamp": {"config": {"limits": {"low": 1}}}}},
        input_values={"counts": {"a": 0, "b": 20}},
    )
    assert result.output_value() == {"a": 1, "b": 9}


# Resources of types


def test_a_type_check_uses_the_resources_it_requires():
    def in_vocabulary(context, value):
        return value in context.resources.vocabulary

    Word = DagsterType("Word", in_vocabulary, required_resource_keys={"vocabulary"})

    @lambda_solid(input_defs=[InputDefinition("w", Word)])
    def say(w):
        return w

    @lambda_solid
    def hello():
        return "hello"

    @pipeline(
        mode_defs=[
            ModeDefinition(
                resource_defs={"vocabulary": ResourceDefinition.hardcoded_resource({"hello"})}
            )
        ]
    )
    def p():
        say(hello())

    assert execute_pipeline(p).result_for_solid("say").output_value() == "hello"

    with pytest.raises(DagsterInvalidDefinitionError, match="requires resource\\(s\\) vocabulary"):

        @pipeline
        def missing():
            say(hello())


# Definition mistakes, caught when the pipeline or solid is defined


def test_nothing_output_into_a_value_input_is_a_definition_error():
    @lambda_solid(output_def=OutputDefinition(Nothing))
    def ready():
        return None

    @lambda_solid(input_defs=[InputDefinition("n", Int)])
    def use(n):
        return n

    with pytest.raises(DagsterInvalidDefinitionError) as raised:

        @pipeline
        def p():
            use(ready())

    message = str(raised.value)
    assert "Input 'n' of solid 'use'" in message and "of type Int" in message
    assert "output 'result' of solid 'ready', which is of type Nothing" in message


def test_nothing_outputs_still_order_nothing_inputs():
    order = []

    @lambda_solid(output_def=OutputDefinition(Nothing))
    def first():
        order.append("first")

    @lambda_solid(input_defs=[InputDefinition("after", Nothing)])
    def second():
        order.append("second")

    @pipeline
    def p():
        second([first(), first.alias("first_again")()])

    assert execute_pipeline(p).success
    assert order == ["first", "first", "second"]


@pytest.mark.parametrize(
    "make", [lambda: List[Nothing], lambda: Optional[Nothing], lambda: Set[Nothing]]
)
def test_containers_of_nothing_are_definition_errors(make):
    with pytest.raises(DagsterInvalidDefinitionError, match=r"\[Nothing\] is not a type"):
        make()


def test_two_different_types_of_one_name_in_a_pipeline_is_a_definition_error():
    FooA = DagsterType("Foo", lambda v: True)
    FooB = DagsterType("Foo", lambda v: False)

    @lambda_solid(output_def=OutputDefinition(FooA))
    def make():
        return 1

    @lambda_solid(input_defs=[InputDefinition("x", List[FooB])])
    def use(x):
        return x

    with pytest.raises(DagsterInvalidDefinitionError) as raised:

        @pipeline
        def p():
            use([make()])

    assert "two different types named 'Foo'" in str(raised.value)
    assert "solid 'make'" in str(raised.value) and "solid 'use'" in str(raised.value)


def test_one_type_used_in_many_places_is_fine():
    @lambda_solid(output_def=OutputDefinition(EvenInt))
    def make():
        return 2

    @lambda_solid(input_defs=[InputDefinition("x", EvenInt)], output_def=OutputDefinition(Int))
    def use(x):
        return x

    @pipeline
    def p():
        use(make())
        use.alias("again")(make.alias("make_again")())

    assert execute_pipeline(p).success


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: InputDefinition("x", 5), "Input 'x': 5 is not a type"),
        (lambda: OutputDefinition({"foo": "bar"}), "Output 'result': {'foo': 'bar'} is not"),
        (lambda: OutputDefinition(Frame([])), "Frame object at"),
        (lambda: InputDefinition("x", Optional), "Optional needs its inner type"),
        (lambda: InputDefinition("x", List["Int"]), "'Int' is not a type"),
        (lambda: InputDefinition("x", typing.Union[int, str]), "cannot be used as a type"),
        (lambda: InputDefinition("x", Dict[String]), "takes a key type and a value type"),
    ],
)
def test_a_non_type_where_a_type_is_expected_names_what_was_given(make, expected):
    with pytest.raises(DagsterInvalidDefinitionError) as raised:
        make()
    assert expected in str(raised.value)


def test_types_travel_with_cloudpickle():
    for type_ in (EvenInt, List[Int], Dict[String, Int], Tuple[Int, String], Path):
        clone = cloudpickle.loads(cloudpickle.dumps(type_))
        assert clone.name == type_.name
        assert clone.type_check(None, 2) == type_.type_check(None, 2)


# Types from annotations, as the seed inferred them


def test_solid_inputs_and_output_take_their_types_from_annotations():
    @solid
    def add(_context, x: int, y: "int") -> EvenInt:  # a string annotation is evaluated too
        return x + y

    @lambda_solid
    def halve(n: EvenInt) -> typing.List[int]:
        return [n // 2]

    assert [d.dagster_type for d in add.input_defs] == [Int, Int]
    assert add.output_defs[0].dagster_type is EvenInt
    assert halve.input_defs[0].dagster_type is EvenInt
    assert halve.output_defs[0].dagster_type is List[Int]

    @lambda_solid
    def one() -> int:
        return 1

    @lambda_solid
    def text() -> str:
        return "2"

    @pipeline
    def p():
        halve(add(one(), one.alias("another")()))
        add.alias("bad")(one.alias("third")(), text())

    result = execute_pipeline(p, raise_on_error=False)
    assert result.result_for_solid("halve").output_value() == [1]
    assert "input 'y'" in result.result_for_solid("bad").failure_data.message
    assert "expected Int" in result.result_for_solid("bad").failure_data.message


def test_a_generator_solids_return_annotation_is_not_its_output_type():
    @solid
    def emit(_context) -> typing.Iterator[Output]:
        yield Output(1)

    assert emit.output_defs[0].dagster_type.name == "Any"
    assert execute_solid(emit).output_value() == 1


def test_a_check_that_raises_failure_rejects_the_value_with_its_description():
    def rows_share_columns(_context, value):
        if len({tuple(row) for row in value}) > 1:
            raise Failure("rows have different columns")
        return True

    Table = DagsterType(name="SameColumns", type_check_fn=rows_share_columns)
    assert check_dagster_type(Table, [{"a": 1}, {"a": 2}]).success
    check = check_dagster_type(Table, [{"a": 1}, {"b": 2}])
    assert not check.success
    assert check.description == "rows have different columns"


def test_a_class_from_elsewhere_can_be_made_to_stand_for_a_type():
    class Meters(float):
        pass

    positive = DagsterType(name="PositiveMeters", type_check_fn=lambda _, v: v > 0)
    make_python_type_usable_as_dagster_type(Meters, positive)

    @lambda_solid(input_defs=[InputDefinition("distance", Meters)])
    def walk(distance):
        return distance

    assert execute_solid(walk, input_values={"distance": Meters(3.0)}).success
    failed = execute_solid(walk, input_values={"distance": Meters(-1.0)}, raise_on_error=False)
    assert failed.failure_data.error.cls_name == "DagsterTypeCheckDidNotPass"


class _LinesStrategy(SerializationStrategy):
    """Lists of strings as text, one per line (a custom format for the intermediate files)."""

    def __init__(self):
        super().__init__("lines", read_mode="r", write_mode="w")

    def serialize(self, value, write_file_obj):
        write_file_obj.write("\n".join(value))

    def deserialize(self, read_file_obj):
        return Lines(read_file_obj.read().split("\n"))


@usable_as_dagster_type(serialization_strategy=_LinesStrategy())
class Lines(list):
    pass


@pytest.mark.parametrize("execution", [{"in_process": {}}, {"multiprocess": {}}])
def test_a_types_serialization_strategy_writes_its_intermediates(tmp_path, execution):
    @lambda_solid(output_def=OutputDefinition(Lines))
    def words():
        return Lines(["to", "be"])

    @lambda_solid(input_defs=[InputDefinition("lines", Lines)])
    def shout(lines):
        return [line.upper() for line in lines]

    @pipeline
    def p():
        shout(words())

    config = {"execution": execution, "storage": {"filesystem": {"base_dir": str(tmp_path)}}}
    result = execute_pipeline(p, config, instance=DagsterInstance.local_temp())
    assert result.result_for_solid("shout").output_value() == ["TO", "BE"]
    path = tmp_path / result.run_id / "intermediates" / "words.compute" / "result"
    assert path.read_text() == "to\nbe"
    assert result.result_for_solid("words").output_value() == ["to", "be"]


def test_a_serialization_strategy_must_be_one():
    with pytest.raises(DagsterInvalidDefinitionError, match="expected a SerializationStrategy"):
        DagsterType("Bad", serialization_strategy="csv")
