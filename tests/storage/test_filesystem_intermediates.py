"""The filesystem intermediate store: the documented layout, and writes that are all or nothing."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from storage_backends.filesystem import FilesystemIntermediateStore


def _files_under(base) -> set[str]:
    return {
        os.path.relpath(os.path.join(root, name), base)
        for root, _dirs, names in os.walk(base)
        for name in names
    }


def test_an_output_is_stored_at_the_documented_path_readable_by_its_owner_only(tmp_path):
    store = FilesystemIntermediateStore(str(tmp_path))
    location = store.set_output("r1", "s.compute", "out", {"a": [1, 2]})
    assert location == str(tmp_path / "r1" / "intermediates" / "s.compute" / "out")
    assert store.get_output("r1", "s.compute", "out") == {"a": [1, 2]}
    assert stat.S_IMODE(os.stat(location).st_mode) == 0o600
    assert _files_under(tmp_path) == {"r1/intermediates/s.compute/out"}


def test_a_failed_write_leaves_the_stored_value_and_no_partial_file(tmp_path):
    store = FilesystemIntermediateStore(str(tmp_path))
    store.set_output("r1", "s.compute", "out", "first")
    with pytest.raises(TypeError, match="lock"):  # pickling fails after the list's first item
        store.set_output("r1", "s.compute", "out", [os.urandom(1 << 20), threading.Lock()])
    with pytest.raises(TypeError, match="lock"):
        store.set_output("r1", "t.compute", "out", [os.urandom(1 << 20), threading.Lock()])
    assert store.get_output("r1", "s.compute", "out") == "first"
    assert not store.has_output("r1", "t.compute", "out")
    assert _files_under(tmp_path) == {"r1/intermediates/s.compute/out"}


def test_steps_writing_at_once_each_store_their_own_output(tmp_path):
    store = FilesystemIntermediateStore(str(tmp_path))
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            store.set_output("r1", f"s{index % 4}.compute", f"out{index}", index)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for index in range(32):
        assert store.get_output("r1", f"s{index % 4}.compute", f"out{index}") == index
    assert len(_files_under(tmp_path)) == 32
