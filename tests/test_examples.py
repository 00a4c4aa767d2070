"""Every example script runs, exits 0 and writes its netCDF result and PNG figure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_examples_are_found():
    names = {p.stem for p in SCRIPTS}
    assert {"adex_firing_patterns", "adex_firing_patterns_snnjl", "hh_current_step", "lif_decay",
            "inline_model_units", "sinusoidal_current"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    for suffix in (".nc", ".png"):
        written = out / f"{script.stem}{suffix}"
        assert written.is_file() and written.stat().st_size > 0, f"{written.name} not written"
