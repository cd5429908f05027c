"""Every shell command the docs show runs as shown, so the docs cannot drift from the code.

The docs are README.md, docs/*.md and the READMEs of the top-level directories. A command is a
line of a ```sh or ```bash block, or a line starting with `$ ` in any other fenced block
(```console, plain ```: there, other lines are output or synopsis); a trailing `\\` continues it
on the next line. Each block runs as one bash script (so an `export` holds for the rest of the
block) in a copy of the repository, with HOME and DAGSTER_HOME in a temporary directory and this
environment's `dagster` first on PATH; every command must exit 0. Placeholders are filled in with
what the suite has; the commands in SKIPPED cannot run here, each for the reason given.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("[!.]*/README.md")],
    key=lambda path: path.relative_to(ROOT),
)
SHELL_LANGUAGES = frozenset({"sh", "bash"})
PROMPT = "$ "

# Commands (by how they begin) that cannot run here, and why.
SKIPPED = {
    "make ": "builds the venv and runs the demo or the suite: `make test` is what runs this test",
    "dask scheduler": "a long-running server, started on another machine",
    "dask worker": "a long-running server, started on another machine",
    "dagster pipeline execute -f my_pipelines.py": "your own pipeline on the scheduler above",
    "dagster run list; dagster run logs RUN_ID": "the logs of your own run above",
    "exec /opt/venv/bin/dagster schedule run": "a line of the script cron runs, shown not typed",
    ".venv/bin/python -m benchmarks": "the throughput suite; tests/test_benchmarks_smoke.py runs it",
}

# The id of the newest run, for commands that show `RUN_ID`.
LATEST_RUN_ID = "$(dagster run list --limit 1 | awk 'NR == 2 {print $1}')"
# The docs' example database, replaced by a throwaway database on the suite's server.
EXAMPLE_POSTGRES_URL = "postgresql://user:password@dbhost/dagster"


@dataclass(frozen=True)
class Block:
    """The commands of one fenced block, and where it is."""

    path: Path
    line: int
    commands: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _commands(language: str, body: list[str]) -> tuple[str, ...]:
    """The block's commands: continuation lines joined, prompts dropped, comments left out."""
    logical: list[str] = []
    for line in body:
        if logical and logical[-1].endswith("\\"):
            logical[-1] = logical[-1][:-1].rstrip() + " " + line.strip()
        else:
            logical.append(line.strip())
    commands = []
    for line in logical:
        if line.startswith(PROMPT):
            commands.append(line[len(PROMPT) :])
        elif language in SHELL_LANGUAGES and line and not line.startswith("#"):
            commands.append(line)
    return tuple(commands)


def _blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file that show commands."""
    blocks = []
    language, start, body = None, 0, []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if language is None and line.startswith("```"):
            language, start, body = line[3:].strip(), number, []
        elif language is not None and line.strip() == "```":
            commands = _commands(language, body)
            if commands:
                blocks.append(Block(path, start, commands))
            language = None
        elif language is not None:
            body.append(line)
    return blocks


BLOCKS = [block for path in DOCS for block in _blocks(path)]


def _runnable(block: Block) -> list[str]:
    return [c for c in block.commands if not any(c.startswith(prefix) for prefix in SKIPPED)]


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """The repository's files as a user has them, where commands may write what they like."""
    copy = tmp_path_factory.mktemp("docs") / "repo"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "tests", "results"),
    )
    return copy


@pytest.mark.slow
@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if _runnable(b)], ids=lambda block: block.where
)
def test_the_commands_of_a_docs_block_run(block, repo_copy, tmp_path, request):
    script = "\n".join(_runnable(block)).replace("RUN_ID", LATEST_RUN_ID)
    if EXAMPLE_POSTGRES_URL in script:
        script = script.replace(EXAMPLE_POSTGRES_URL, request.getfixturevalue("fresh_postgres_url"))
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
    }
    completed = subprocess.run(
        ["bash", "-e", "-x", "-o", "pipefail", "-c", script],
        cwd=repo_copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, (
        f"{block.where}: a command exited {completed.returncode}\n"
        f"{completed.stdout[-3000:]}\n{completed.stderr[-6000:]}"
    )


def test_every_skipped_command_is_one_the_docs_show():
    shown = [command for block in BLOCKS for command in block.commands]
    unused = [p for p in SKIPPED if not any(command.startswith(p) for command in shown)]
    assert not unused, f"SKIPPED names commands no doc shows any more: {unused}"
