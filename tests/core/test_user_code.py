"""The rule for what goes to other processes by value: modules sitting directly in a code directory
(a `-f` file's, the script's) that no installed distribution provides."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import cloudpickle
import pytest

import dagster_core
from dagster_core import user_code
from storage_backends.filesystem import FilesystemIntermediateStore

_NAMES = ("ucjob", "ucsibling", "ucpkg", "ucpkg.inner", "ucdeep")
UCJOB = """
import threading

import ucdeep
import ucsibling
from ucpkg.inner import double


class Thing:
    def __init__(self, x):
        self.x = x


class Locked:  # compute never uses it, and it does not pickle
    lock = threading.Lock()


def compute(x):
    return ucdeep.neg(double(ucsibling.inc(Thing(x).x)))
"""


@pytest.fixture
def code(tmp_path, monkeypatch) -> Path:
    """A code directory: ucjob.py importing ucsibling.py and the package ucpkg beside it, and
    ucdeep from a virtualenv-like directory below it. Imported; forgotten after the test."""
    directory = tmp_path / "code"
    deep = directory / "venv" / "site-packages"
    (directory / "ucpkg").mkdir(parents=True)
    deep.mkdir(parents=True)
    (directory / "ucpkg" / "__init__.py").write_text("")
    (directory / "ucpkg" / "inner.py").write_text("def double(x):\n    return 2 * x\n")
    (directory / "ucsibling.py").write_text("def inc(x):\n    return x + 1\n")
    (directory / "ucjob.py").write_text(UCJOB)
    (deep / "ucdeep.py").write_text("def neg(x):\n    return -x\n")
    monkeypatch.syspath_prepend(str(deep))
    monkeypatch.syspath_prepend(str(directory))
    monkeypatch.setattr(user_code, "_code_directories", set())
    yield directory
    for name in _NAMES:
        sys.modules.pop(name, None)


def _installed_only(code: Path) -> dict[str, str]:
    """An environment whose Python finds ucdeep, as if installed, and none of the code beside it."""
    return {**os.environ, "PYTHONPATH": str(code / "venv" / "site-packages")}


def _names() -> set[str]:
    return {m.__name__ for m in user_code.user_code_modules()}


def test_the_file_and_what_sits_beside_it_are_user_code(code):
    importlib.import_module("ucjob")
    assert not {"ucjob", "ucsibling", "ucpkg"} & _names()  # not a code directory yet
    user_code.add_code_directory(str(code))
    # ucpkg.inner goes with its package; ucdeep is below the directory, not in it
    assert {"ucjob", "ucsibling", "ucpkg"} <= _names()
    assert not {"ucpkg.inner", "ucdeep", "__main__"} & _names()


def test_installed_code_is_never_user_code_even_in_a_code_directory(code):
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(dagster_core.__file__)))
    user_code.add_code_directory(checkout)  # a -f file at the root of an editable checkout
    # the standard library: where `python -m a_stdlib_tool` has its script
    user_code.add_code_directory(sysconfig.get_paths()["stdlib"])
    assert not {"dagster_core", "dagster_dask", "storage_backends", "os", "json"} & _names()


_LOAD_RUN = """
import pickle, sys
store, compute = pickle.load(sys.stdin.buffer)
print(compute(4), sorted(store._user_classes))
print(store._user_classes["ucjob", "Thing"] is compute.__globals__["Thing"])
"""


def test_a_run_with_user_code_unpickles_where_it_cannot_be_imported(code, tmp_path):
    user_code.add_code_directory(str(code))
    store = FilesystemIntermediateStore(str(tmp_path / "intermediates"))
    run = (store, importlib.import_module("ucjob").compute)  # as a RunContext holds them
    payload = user_code.pickle_with_user_code(run)
    assert not cloudpickle.list_registry_pickle_by_value()  # by value only while pickling
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    loaded = subprocess.run(
        [sys.executable, "-c", _LOAD_RUN],
        input=payload,
        cwd=elsewhere,
        env=_installed_only(code),
        capture_output=True,
    )
    assert loaded.returncode == 0, loaded.stderr.decode()
    # the store knows the run's Thing (the very class compute uses), not the unused Locked
    assert loaded.stdout.decode().splitlines() == ["-10 [('ucjob', 'Thing')]", "True"]


@pytest.mark.parametrize(
    "how", ["script", "interactive"], ids=["python run.py", "python -c in the directory"]
)
def test_a_scripts_directory_is_a_code_directory(code, how):
    (code / "run.py").write_text(
        "import ucjob\nfrom dagster_core.user_code import user_code_modules\n"
        "print(sorted(m.__name__ for m in user_code_modules()))\n"
    )
    command = [sys.executable, "run.py"]
    if how == "interactive":
        command = [sys.executable, "-c", (code / "run.py").read_text()]
    shown = subprocess.run(
        command, cwd=code, env=_installed_only(code), capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split("\n")[0] == "['ucjob', 'ucpkg', 'ucsibling']"


def test_a_stored_instance_of_a_user_class_reads_back_as_the_readers_class(code):
    thing = importlib.import_module("ucjob").Thing
    shipped = type("Thing", (), {"__module__": "ucjob"})  # as a worker's by-value copy of Thing
    stored = io.BytesIO()
    user_code.dump_value([thing(1)], stored, {("ucjob", "Thing"): thing})
    for classes, read_as in (({("ucjob", "Thing"): shipped}, shipped), ({}, thing)):
        stored.seek(0)
        (value,) = user_code.load_value(stored, classes)
        assert type(value) is read_as and value.x == 1
