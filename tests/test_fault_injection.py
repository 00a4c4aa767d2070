"""Fault injection: SIGINT at random points of a run and of the write, SIGKILL during the write.

(A Ctrl-C while Python is still importing snnzoo is Python's own KeyboardInterrupt, before
snnzoo runs: the random points start once the run has begun.)

Afterwards no partial or temporary file may remain, every file that exists must open, and the
result and its figure exist together or not at all. The random points come from a fixed seed
(the same in every run of the suite): 6 SIGINTs during a CLI run, 6 SIGINTs and 6 SIGKILLs
during writes of a 40 MB result.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from snnzoo.cli import EXIT_INTERRUPTED
from snnzoo.results.tree import open_result

EXPERIMENT = """
dt = "0.1 ms"
duration = "2 s"
seed = 1
[models.decay]
equations = "dx/dt = -x/tau : 1"
parameters = { tau = "20 ms" }
[populations.p]
model = "decay"
size = 200
initial = { x = 1 }
[monitors.x]
population = "p"
variables = ["x"]
[[expected]]
check = "spike_count"
population = "p"
value = 0
"""

WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    import xarray as xr
    from snnzoo.results.tree import write_netcdf
    values = np.random.default_rng(0).random((5000, 1000))
    tree = xr.DataTree.from_dict({"/": xr.Dataset(attrs={"snnzoo_provenance_json": "{}"}),
                                  "p": xr.Dataset({"v": (("time", "neuron"), values, {"units": "V"})})})
    print("writing", flush=True)
    write_netcdf(tree, sys.argv[1])
    print("written", flush=True)
""")

POINTS = random.Random(12)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


def check_outputs(folder: Path, name: str) -> bool:
    """No temporary file; the result and figure both exist or neither; an existing result opens."""
    assert leftovers(folder) == []
    result, figure = folder / f"{name}.nc", folder / f"{name}.png"
    assert result.exists() == figure.exists()
    if result.exists():
        open_result(result)
        assert figure.read_bytes().startswith(b"\x89PNG")
    return result.exists()


@pytest.mark.parametrize("trial", range(6))
def test_sigint_at_a_random_point_of_a_cli_run(tmp_path, trial):
    (tmp_path / "e.toml").write_text(EXPERIMENT)
    process = subprocess.Popen([sys.executable, "-m", "snnzoo.cli", "run", "e.toml"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "simulated" not in seen:  # the progress bar: the run has begun
        chunk = os.read(process.stderr.fileno(), 4096).decode(errors="replace")
        assert chunk, seen
        seen += chunk
    time.sleep(POINTS.uniform(0.0, 4.0))  # during the run, the figure, the write, or after
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    err = seen + err
    assert "Traceback" not in err, err
    written = check_outputs(tmp_path, "e")
    if process.returncode == 0:  # finished before the signal
        assert written and "checks hold" in out
    else:
        assert process.returncode == EXIT_INTERRUPTED, err
        assert "checks hold" not in out
        if written:
            assert open_result(tmp_path / "e.nc").attrs["complete"] in (0, 1)


@pytest.mark.parametrize("fault", [signal.SIGINT] * 6 + [signal.SIGKILL] * 6)
def test_a_signal_during_the_write_leaves_a_whole_file_or_none(tmp_path, fault):
    target = tmp_path / "r.nc"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    time.sleep(POINTS.uniform(0.0, 1.5))
    process.send_signal(fault)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err or "KeyboardInterrupt" in err, err
    assert leftovers(tmp_path) == []
    if fault == signal.SIGINT:  # deferred: the file is finished first, then the interrupt arrives
        assert target.exists(), err
    if target.exists():
        assert open_result(target)["p"]["v"].shape == (5000, 1000)
