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
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import site
import sys
import sysconfig
from types import ModuleType

import cloudpickle

_code_directories: set[str] = set()


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


def pickle_with_user_code(obj: object) -> bytes:
    """`obj` pickled with cloudpickle for another process, the user's code in it by value.

    A module registered by value stays so in this process: later pickles of its functions and
    classes (such as outputs the intermediate store writes here) go by value too."""
    for module in user_code_modules():
        cloudpickle.register_pickle_by_value(module)
    return cloudpickle.dumps(obj)
