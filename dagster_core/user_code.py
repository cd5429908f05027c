"""Which code travels by value when a run goes to other processes (multiprocess children, Dask
workers), so that they need no copy of the user's files and never run an outdated one.

cloudpickle pickles a function or class by reference (module name and attribute) whenever its
module is importable here. A worker without that module then fails with ModuleNotFoundError, and
a worker that can import an older copy silently runs the old code. So the user's code is pickled
by value instead; everything else stays by reference.

The rule. A module is the user's code when its top-level module or package sits directly in a
*code directory* and no installed distribution declares it. The code directories are:

- the directory of each file the CLI loads with `-f FILE.py` (`add_code_directory`), so the file
  and the modules and packages beside it that it imports count;
- the directory of the script Python is running (`python run.py`), so a script that imports its
  pipeline from a module beside it works the same way; for an interactive `__main__` (a notebook,
  the REPL, `python -c`), the working directory.

Everything else goes by reference and must be installed where steps run: installed packages
(`pip install`, `pip install -e` of a setuptools project too, and so this framework), the
standard library, a module named with `-m`, and modules found through PYTHONPATH outside the
code directories. Packages of a virtualenv kept below a code directory do not sit directly in
it, and site-packages or the standard library are never code directories, so installed code is
never taken for the user's.
`__main__` itself always goes by value (cloudpickle's own rule).

The user's modules are registered with cloudpickle only while a run is pickled for other
processes (`pickle_with_user_code`); this process's own pickles keep naming its classes by
reference.

Outputs. On a worker, a class of the user's code exists by value only, one copy per run. So the
intermediate stores write instances of such classes naming the class by module and name
(`dump_value`), and read them back as instances of the reading run's own class (`load_value`):
a step re-executed by a later run, edited code included, gets the classes it checks against.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import importlib.metadata
import os
import pickle
import site
import sys
import sysconfig
import threading
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType, ModuleType
from typing import IO, Any

import cloudpickle

UserClasses = Mapping[tuple[str, str], type]  # classes of the user's code by (module, name)

_code_directories: set[str] = set()
_registering = threading.Lock()
_shipped_classes: contextvars.ContextVar[UserClasses] = contextvars.ContextVar(
    "_shipped_classes", default=MappingProxyType({})
)


def add_code_directory(directory: str) -> None:
    """Count the modules sitting directly in `directory` as the user's code from now on."""
    _code_directories.add(os.path.abspath(directory))


def _both_forms(directories: set[str]) -> set[str]:
    """Each directory as given and with symbolic links resolved: modules found through either
    form of a directory sit in it."""
    return directories | {os.path.realpath(d) for d in directories}


@functools.cache
def _installation_directories() -> frozenset[str]:
    """Where installed code lives (site-packages, the standard library): never code directories,
    even when the script run is there (`python -m a_tool`)."""
    paths = sysconfig.get_paths()
    found = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return frozenset(_both_forms(found | set(site.getsitepackages())))


def _script_directory() -> str:
    """The directory of the script Python runs, or the working directory when interactive."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.dirname(os.path.abspath(main_file)) if main_file else os.getcwd()


@functools.cache
def _installed_top_level_names() -> frozenset[str]:
    """Top-level modules and packages that installed distributions declare (top_level.txt, as
    setuptools writes for regular and editable installs). Only editable installs can sit in a
    code directory, so reading that small file of each is enough, and far cheaper than
    importlib.metadata.packages_distributions, which parses every RECORD."""
    names: set[str] = set()
    for distribution in importlib.metadata.distributions():
        names.update((distribution.read_text("top_level.txt") or "").split())
    return frozenset(names)


def _is_top_level(name: str) -> bool:
    """True for a module whose parent package is not imported (a top-level module or package;
    also a file loaded under a dotted name, such as `my.job` for my.job.py)."""
    parent = name.rpartition(".")[0]
    return not parent or parent not in sys.modules


def _sits_in(module: ModuleType, directories: set[str]) -> bool:
    """True when the module's file, or a package's directory, is directly in one of
    `directories` (builtin modules have neither)."""
    locations = list(getattr(module, "__path__", None) or ()) or [getattr(module, "__file__", None)]
    return any(os.path.dirname(os.path.abspath(p)) in directories for p in locations if p)


def user_code_modules() -> list[ModuleType]:
    """The imported top-level modules and packages that are the user's code (see the rule)."""
    directories = _both_forms(_code_directories | {_script_directory()})
    directories -= _installation_directories()
    found = [
        module
        for name, module in list(sys.modules.items())
        if isinstance(module, ModuleType)
        and module.__name__ != "__main__"  # also listed as __mp_main__ by multiprocessing
        and _is_top_level(name)
        and _sits_in(module, directories)
    ]
    installed = _installed_top_level_names() if found else frozenset()
    return [m for m in found if m.__name__ not in installed]


class _Sink:
    """A file that keeps nothing."""

    def write(self, data: bytes) -> int:
        return len(data)


class _ClassRecorder(cloudpickle.Pickler):
    """Pickles into nothing, noting which of `candidates` (classes by id: their module and
    name) the pickle holds."""

    def __init__(self, candidates: Mapping[int, tuple[str, str]]):
        super().__init__(_Sink(), protocol=5)
        self.candidates = candidates
        self.met: dict[tuple[str, str], type] = {}

    def reducer_override(self, obj: Any) -> Any:
        key = self.candidates.get(id(obj))
        if key is not None:
            self.met[key] = obj
        return super().reducer_override(obj)


def _top_level_classes(modules: Iterable[ModuleType]) -> dict[int, tuple[str, str]]:
    """The classes defined at the top level of `modules` and of their imported submodules, by
    id: their module and name."""
    names = {m.__name__ for m in modules}
    prefixes = tuple(f"{name}." for name in names)
    found: dict[int, tuple[str, str]] = {}
    for name, module in list(sys.modules.items()):
        if isinstance(module, ModuleType) and (name in names or name.startswith(prefixes)):
            for attribute, value in list(vars(module).items()):
                if (
                    isinstance(value, type)
                    and value.__module__ == module.__name__
                    and value.__qualname__ == attribute
                ):
                    found[id(value)] = (module.__name__, attribute)
    return found


@contextlib.contextmanager
def _by_value(modules: Iterable[ModuleType]) -> Iterator[None]:
    """cloudpickle pickles `modules` by value inside the block, and only there, so that this
    process's own writes (in-process runs) keep naming its importable classes by reference.
    Modules registered by someone else stay registered."""
    with _registering:
        registered = cloudpickle.list_registry_pickle_by_value()
        added = [m for m in modules if m.__name__ not in registered]
        for module in added:
            cloudpickle.register_pickle_by_value(module)
        try:
            yield
        finally:
            for module in added:
                cloudpickle.unregister_pickle_by_value(module)


def pickle_with_user_code(obj: object) -> bytes:
    """`obj` (a run) pickled with cloudpickle for another process, the user's code in it by value.

    Intermediate stores in it take along the classes of the user's code that it holds
    (`shipped_classes`): learning which needs one pickling pass more, and taking only those
    keeps a class the run never uses, which may not pickle, out of it. Where the user's code
    defines no class, there is nothing to learn and no pass more."""
    modules = user_code_modules()
    with _by_value(modules):
        candidates = _top_level_classes([*modules, sys.modules["__main__"]])
        met: dict[tuple[str, str], type] = {}
        if candidates:
            recorder = _ClassRecorder(candidates)
            recorder.dump(obj)
            met = recorder.met
        token = _shipped_classes.set(MappingProxyType(met))
        try:
            return cloudpickle.dumps(obj)
        finally:
            _shipped_classes.reset(token)


def shipped_classes() -> UserClasses:
    """While pickle_with_user_code pickles a run: the classes of the user's code in it, by
    (module, name); else none."""
    return _shipped_classes.get()


def user_class(module: str, name: str) -> type:
    """Class `name` of `module`, imported. Stored outputs name the classes of the user's code with
    it (dump_value); a reader holding the run's own classes resolves them to those instead."""
    return getattr(importlib.import_module(module), name)


class _ValuePickler(cloudpickle.Pickler):
    """cloudpickle, with the classes in `classes` named (module, name) through user_class."""

    def __init__(self, file: IO[bytes], classes: UserClasses):
        super().__init__(file, protocol=5)
        self._keys = {id(cls): key for key, cls in classes.items()}

    def reducer_override(self, obj: Any) -> Any:
        key = self._keys.get(id(obj))
        if key is not None:
            return user_class, key
        return super().reducer_override(obj)


class _ValueUnpickler(pickle.Unpickler):
    """Resolves user_class references to the classes in `classes` first."""

    def __init__(self, file: IO[bytes], classes: UserClasses):
        super().__init__(file)
        self._classes = classes

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, user_class.__name__):
            return self._user_class
        return super().find_class(module, name)

    def _user_class(self, module: str, name: str) -> type:
        return self._classes.get((module, name)) or user_class(module, name)


def dump_value(value: object, file: IO[bytes], classes: UserClasses) -> None:
    """Pickle a step output to `file` (cloudpickle, protocol 5). Instances of `classes` (the run's
    classes of the user's code, which on a worker exist by value only) name their class, so a later
    run, re-executing a step, reads them back as instances of its own classes."""
    if classes:
        _ValuePickler(file, classes).dump(value)
    else:
        cloudpickle.dump(value, file, protocol=5)


def load_value(file: IO[bytes], classes: UserClasses) -> Any:
    """Unpickle a step output that dump_value wrote, naming the classes of `classes` with them."""
    return _ValueUnpickler(file, classes).load()
