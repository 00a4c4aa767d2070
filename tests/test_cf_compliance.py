"""Result files pass the CF checker (cfchecker, CF-1.8, udunits) on every group.

cfchecker reads one group per file, so each group of a result is copied, with the
root's global attributes, into a file of its own and checked. The CF standard name
table comes from the compliance-checker package (cfchecker would download it); the
area-type and region tables are empty, since snnzoo's files use neither (a file that
did would then fail). cfchecker needs the udunits2 C library (Debian: libudunits2-0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.results.tree import open_results, write_netcdf

import compliance_checker
from cfchecker import cfchecks

STANDARD_NAMES = Path(compliance_checker.__file__).parent / "data" / "cf-standard-name-table.xml"


def rich_result(tmp_path: Path, seed: int = 3) -> Path:
    """A result with every kind of group and variable snnzoo writes: populations with labels and two
    monitors, a spike source, projections with per-synapse and shared weights in composite units, and
    a projection with a synapse model and a synapse monitor."""
    net = sz.Network(dt=0.1 * u.ms, seed=seed)
    model = sz.NeuronModel("leaky", "dv/dt = (I*R - v)/tau + x/ms : volt\ndx/dt = -x/tau : volt\nI : amp",
                           {"tau": "10 ms", "R": "100 Mohm"}, threshold="v > 10*mV", reset="v = 0*mV")
    net.add_population("cells", model, 3, labels=["a", "bb", "ccc"])
    net.add_source("input", sz.stimulus("spike_generator", times=[1, 2, 3] * u.ms, indices=[0, 1, 0]))
    net.connect("input", "cells", "v += w*ms/ms", weight=[2, 3, 4, 5, 6, 7] * u.mV, all_to_all=True)
    net.connect("cells", "cells", "x += w/ms", weight=1 * u.mV * u.ms, delay=0.5 * u.ms, p=1.0)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=50 * u.pA), "cells")
    net.record("cells", ["v", "x"])
    net.record("cells", ["I"], neurons=[1], rate=1 * u.kHz, name="current")
    net.add_population("plastic", sz.NeuronModel("conductance", "dge/dt = -ge/(5*ms) : 1"), 2)
    net.connect("input", "plastic", synapse="stdp", weight=0.005, all_to_all=True, name="learning")
    net.record_synapses("learning", ["w", "Apre"], synapses=[0, 3], name="trace")
    net.run(5 * u.ms)
    return write_netcdf(net.result(), tmp_path / f"rich-{seed}.nc")


def group_files(path: Path, folder: Path) -> list[Path]:
    """Each group of ``path`` (holding variables) as a flat netCDF file with the root's attributes."""
    files = []
    with xr.open_datatree(path, decode_times=False, decode_timedelta=False, mask_and_scale=False) as tree:
        for node in tree.subtree:
            if not node.dataset.variables:
                continue
            ds = node.to_dataset(inherit=False)
            ds.attrs = {**tree.attrs, **ds.attrs}
            name = node.path.strip("/").replace("/", "_") or "root"
            files.append(folder / f"group_{name}.nc")
            ds.to_netcdf(files[-1], engine="netcdf4")
    return files


def cf_messages(file: Path, folder: Path) -> list[str]:
    """The errors and warnings cfchecker reports for ``file`` (CF-1.8)."""
    (folder / "area.xml").write_text("<area_type_table><version_number>0</version_number>"
                                     "<date>2020-01-01</date></area_type_table>")
    (folder / "regions.xml").write_text("<standardized_region_list><version_number>0</version_number>"
                                        "<date>2020-01-01</date></standardized_region_list>")
    checker = cfchecks.CFChecker(cfStandardNamesXML=str(STANDARD_NAMES), cfAreaTypesXML=str(folder / "area.xml"),
                                 cfRegionNamesXML=str(folder / "regions.xml"), version=cfchecks.CFVersion((1, 8)),
                                 silent=True)
    results = checker.checker(str(file))
    found = []
    for where, messages in [("global", results["global"]), *results["variables"].items()]:
        for level in ("FATAL", "ERROR", "WARN"):
            found += [f"{file.name}: {where}: {level}: {m}" for m in messages.get(level, [])]
    return found


def test_every_group_of_a_result_passes_the_cf_checker(tmp_path):
    path = rich_result(tmp_path)
    files = group_files(path, tmp_path)
    assert {f.name for f in files} >= {"group_cells.nc", "group_input.nc", "group_projections_input_to_cells.nc",
                                       "group_projections_cells_to_cells.nc", "group_projections_learning_trace.nc"}
    problems = [message for file in files for message in cf_messages(file, tmp_path)]
    assert problems == []


def test_stacked_results_pass_the_cf_checker(tmp_path):
    """open_results' root had no long_name on source_file and the seed coordinate, and no units on the seeds."""
    paths = [rich_result(tmp_path, seed) for seed in (3, 4)]
    for stacked in (open_results(paths), open_results(paths, dim="run"), open_results(paths, dim="rate", values=[2, 4])):
        path = write_netcdf(stacked, tmp_path / "stacked.nc")
        files = group_files(path, tmp_path)
        assert [message for file in files for message in cf_messages(file, tmp_path)
                if "rate" not in message or "units attribute" not in message] == []  # values given: unit unknown


def test_the_checker_sees_what_was_wrong_before(tmp_path):
    """The checker and the group split really check: the old attributes (time with a time
    standard_name but no reference time, a pint-style unit, a variable-length string) fail."""
    bad = xr.Dataset(
        {"w": ("s", np.ones(2), {"units": "A ** 2 * s ** 2 / kg / m ** 2", "long_name": "weight"})},
        coords={"time": ("time", [0.0, 1.0], {"units": "s", "standard_name": "time"})},
        attrs={"Conventions": "CF-1.8"})
    bad.to_netcdf(tmp_path / "bad.nc", engine="netcdf4")
    problems = cf_messages(tmp_path / "bad.nc", tmp_path)
    assert any("time" in p and "ERROR" in p for p in problems)
    assert any(": w: ERROR" in p for p in problems)
