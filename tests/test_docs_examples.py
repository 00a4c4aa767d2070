"""The code examples of the README and the docs pages work as written.

Every ```python block of a page runs, in the page's order, in one namespace per page (later
blocks build on the names earlier ones made), in a temporary working folder, starting from the
names the README's quick start imports (``sz``, ``u``). A failure names the page and the line of
the block. Every ``snnzoo`` command of a ```bash or ```console block, and of the README's command
summary, is read by the command line's own parser, with each optional part in brackets tried in
turn. Every dotted ``snnzoo.`` name the pages mention is there after ``import snnzoo``.

Blocks left out of the run, and why (each is still compiled, so its syntax is checked):

- README's quick start, and the experiment page's TOML example: ``tests/test_docs.py`` runs them
  and checks what they print and find.
- The sweep examples (README, docs/sweeps.md): nine runs of a 100-neuron network for 2 s each, in
  worker processes (one per core); ``tests/test_docs.py`` runs them with the sweep replaced by a dataset
  of its shape and checks the dimensions their comment names.
- README's Networks block: a sketch whose models, source and linked populations are "made
  elsewhere", as its first comment says.
- The plugin modules (README, docs/plugins.md): their equations and parameters are ``...``.
- docs/plugins.md's conformance test: it imports the plugin ``snnzoo new-plugin izh`` writes;
  ``tests/test_template.py`` installs one and runs that test.

Some blocks need names a sentence before them describes; ``SETUP`` gives them, explicitly.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "docs").glob("*.md"))]

QUICK_START_NAMES = "import snnzoo as sz\nfrom snnzoo import ureg as u\n"
"""What the README's quick start imports, and every later example takes as given."""

NOT_RUN = {
    "sz.NeuronModel(\n    \"my_lif\"": "the quick start: tests/test_docs.py runs it",
    "sz.sweep(\"coba-adex-network\"": "nine runs in worker processes: tests/test_docs.py checks its dimensions",
    "# A sketch: coba_model": "a sketch: its models and sources are made elsewhere",
    "HOOK_API_VERSION = 1": "a plugin module whose equations are '...'",
    "import snnzoo_izh": "imports the generated plugin: tests/test_template.py runs it",
}
"""A text that starts or is in a block -> why the block is compiled but not run."""

SETUP = {
    "xr.open_mfdataset(paths": """
import xarray as xr
paths = []
for seed in (1, 2):
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    net.add_population("G", "lif", 3)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=1 * u.nA), "G")
    net.run(20 * u.ms)
    Path("runs").mkdir(exist_ok=True)
    paths.append(f"runs/{seed}.nc")
    snnzoo.results.tree.write_netcdf(net.result(), paths[-1])
""",
    'net.connect("input", "n", synapse="stdp"': """
import numpy as np
net = sz.Network(dt=0.1 * u.ms, seed=1)
net.add_source("input", sz.stimulus("poisson_group", size=1000, rate=15 * u.Hz))
net.add_population("n", "lif_song", 1)
""",
    'net.add_population("cells", "adex", 4, preset=': "net = sz.Network(dt=0.1 * u.ms)\n",
}
"""A text in a block -> what the sentences before it take as made."""


def fenced_blocks(page: str) -> Iterator[tuple[int, str, str]]:
    """The fenced blocks of a page: (line of the opening fence, language, text)."""
    opened = None
    for number, line in enumerate((ROOT / page).read_text().splitlines(keepends=True), start=1):
        if not line.startswith("```"):
            if opened:
                opened[2].append(line)
        elif opened:
            yield opened[0], opened[1], "".join(opened[2])
            opened = None
        else:
            opened = (number, line[3:].strip(), [])


def python_blocks(page: str) -> list[tuple[str, str]]:
    """The page's ```python blocks: (page:line, text)."""
    return [(f"{page}:{line}", text) for line, language, text in fenced_blocks(page) if language == "python"]


def marked(block: str, table: dict[str, str]) -> str | None:
    """The value of the first text of ``table`` found in ``block``."""
    return next((value for text, value in table.items() if text in block), None)


@pytest.mark.parametrize("page", [page for page in PAGES if python_blocks(page)])
def test_every_python_example_compiles(page):
    for where, block in python_blocks(page):
        compile(block, where, "exec")


@pytest.mark.parametrize("page", [page for page in PAGES
                                  if any(not marked(block, NOT_RUN) for _, block in python_blocks(page))])
def test_python_examples_run_as_written(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names: dict = {"Path": Path}
    exec(QUICK_START_NAMES + "import snnzoo\n", names)
    for where, block in python_blocks(page):
        if marked(block, NOT_RUN):
            continue
        setup = marked(block, SETUP)
        try:
            if setup:
                exec(compile(setup, f"the setup of {where}", "exec"), names)
            exec(compile(block, where, "exec"), names)
        except Exception as error:
            pytest.fail(f"the example at {where} fails: {type(error).__name__}: {error}")


def command_lines(page: str) -> Iterator[tuple[str, str]]:
    """Each ``snnzoo`` command of the page's shell blocks and command summaries: (page:line, command),
    continuation lines joined, prompts, comments and what comes before ``&&`` removed."""
    for line, language, block in fenced_blocks(page):
        if language not in ("bash", "console", "") or (language == "" and not block.startswith("snnzoo ")):
            continue
        for number, text in enumerate(re.sub(r"\\\n\s*", " ", block).splitlines()):
            command = text.split(" #")[0].split(" && ")[-1].strip().removeprefix("$ ").removeprefix(".venv/bin/")
            if command.startswith("snnzoo "):
                yield f"{page}:{line + 1 + number}", command


def variants(command: str) -> Iterator[list[str]]:
    """The arguments of a command without its optional parts, then with each alternative of each part
    in turn and each value of an ``a|b`` choice; the placeholders ``N`` and ``K`` stand for a count."""
    words = re.sub(r"\b[NK]\b", "2", command.replace(" ...", ""))
    base = shlex.split(re.sub(r"\s*\[[^\[\]]*\]", "", words))[1:]
    yield base
    for part in re.findall(r"\[([^\[\]]*)\]", words):
        for alternative in part.split(" | "):
            options = shlex.split(alternative)
            for place, word in enumerate(options):
                for choice in word.split("|"):
                    yield base + options[:place] + [choice] + [w.split("|")[0] for w in options[place + 1:]]


@pytest.mark.parametrize("page", [page for page in PAGES if any(command_lines(page))])
def test_commands_are_ones_the_command_line_takes(page, capsys):
    from snnzoo import cli

    for where, command in command_lines(page):
        for argv in variants(command):
            try:
                cli.parser().parse_args(argv)
            except SystemExit:
                pytest.fail(f"{where}: snnzoo does not take {' '.join(argv)!r}: {capsys.readouterr().err.strip()}")


def test_every_dotted_snnzoo_name_on_the_pages_is_there_after_import_snnzoo():
    """In a fresh interpreter, as a user's script has it: the pages wrote snnzoo.results.tree.write_netcdf,
    which was not there until something imported snnzoo.results.tree."""
    names = sorted({name for page in PAGES
                    for name in re.findall(r"\bsnnzoo(?:\.[A-Za-z_]\w*)+", (ROOT / page).read_text())})
    assert "snnzoo.results.tree.write_netcdf" in names
    script = ("import functools, sys\nimport snnzoo\nfor name in sys.argv[1:]:\n    try:\n"
              "        functools.reduce(getattr, name.split('.')[1:], snnzoo)\n"
              "    except AttributeError as error:\n        print(name, error)\n")
    done = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not done.stdout, f"names the pages give that a script cannot reach after import snnzoo:\n{done.stdout}"
