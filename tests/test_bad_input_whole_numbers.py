"""Whole numbers in an experiment file follow the Python API's rule (``units.whole_number``): ``2.0`` is 2, and
``2.5``, ``inf`` or ``true`` are refused. The schema refused ``seed = 2.0`` and ``size = 3.0`` while
``Network(seed=2.0)``, ``add_population(..., 3.0)`` and a sweep's ``seeds=[2.0]`` took them."""

from __future__ import annotations

import numpy as np
import pytest

from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main

SPEC = """duration = "20 ms"
seed = {seed}
[populations.p]
model = "lif"
size = {size}
[sources.s]
type = "poisson_group"
size = 4
rate = "400 Hz"
[projections.in]
source = "s"
target = "p"
on = "v"
weight = "8 mV"
fixed_in_degree = {degree}
[projections.pairs]
source = "s"
target = "p"
on = "v"
weight = "4 mV"
i = [{i}]
j = [{j}]
[monitors.v]
population = "p"
variables = ["v"]
neurons = [{neurons}]
[figure]
[[figure.panels]]
kind = "raster"
population = "p"
every = {every}
"""

WHOLE = {"seed": "2", "size": "3", "degree": "2", "i": "0, 3", "j": "1, 2", "neurons": "0, 2", "every": "1"}


def _experiment(tmp_path, **changed) -> Experiment:
    path = tmp_path / "whole.toml"
    path.write_text(SPEC.format(**{**WHOLE, **changed}))
    return Experiment.load(str(path))


def test_whole_numbers_written_as_floats_give_the_run_the_integers_give(tmp_path):
    integers = _experiment(tmp_path).run()
    floats = _experiment(tmp_path, seed="2.0", size="3.0", degree="2.0", i="0.0, 3.0", j="1.0, 2.0",
                         neurons="0.0, 2.0", every="1.0").run()
    assert integers.attrs["seed"] == floats.attrs["seed"] == 2
    assert floats["p"]["spike_count"].values.sum() > 0
    for group in ("p", "projections/in", "projections/pairs"):
        for name, variable in integers[group].dataset.data_vars.items():
            np.testing.assert_array_equal(floats[group].dataset[name].values, variable.values, err_msg=name)
    np.testing.assert_array_equal(floats["p"]["v"].values, integers["p"]["v"].values)


@pytest.mark.parametrize("key, value, message", [
    ("seed", "2.5", "whole.toml: 'seed' must be a whole number, got 2.5"),
    ("size", "2.5", "[populations.p]: 'size' must be a whole number, got 2.5"),
    ("size", "inf", "[populations.p]: 'size' must be a whole number, got inf"),
    ("degree", "1.5", "[projections.in]: 'fixed_in_degree' must be a whole number, got 1.5"),
    ("i", "0.5, 3", "[projections.pairs]: 'i' must be a list of indices (whole numbers; one may repeat), got [0.5, 3]"),
    ("every", "true", "'every' must be a whole number, got True"),
    ("neurons", "0, 1.5", "[monitors.v]: neurons: expected an index, a list of indices"),
])
def test_a_number_that_is_not_whole_is_refused_in_one_line(tmp_path, capsys, key, value, message):
    path = tmp_path / "whole.toml"
    path.write_text(SPEC.format(**{**WHOLE, key: value}))
    assert main(["run", str(path), "-q", "-o", str(tmp_path / "r.nc")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("snnzoo: error: experiment file ") and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whole.toml"]
