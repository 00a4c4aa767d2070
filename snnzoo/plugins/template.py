"""``snnzoo new-plugin NAME``: write a ready plugin package to start from.

The package ``snnzoo-NAME`` holds the module ``snnzoo_NAME`` (entry point ``NAME`` of
group ``snnzoo``, ``HOOK_API_VERSION`` declared in the module and in ``pyproject.toml``),
an Izhikevich (2007) model ``NAME_izhikevich``, a stimulus ``NAME_ramp``, a catalog
experiment ``NAME-demo`` with a figure and an ``expected`` block, tests that call the
conformance kit, and a README. Install it with ``pip install -e snnzoo-NAME`` and it
shows up in ``snnzoo list``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from importlib.metadata import entry_points
from pathlib import Path
from string import Template

from ..errors import ConfigError
from .hookspecs import HOOK_API_VERSION
from .loader import BUILTIN_DISTRIBUTIONS, BUILTIN_PLUGINS, GROUP

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
"""A plugin name: a lowercase letter, then lowercase letters, digits or ``_`` (a Python identifier)."""

PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "snnzoo-$dashed"
version = "0.1.0"
description = "$name: neuron models, stimuli and experiments for snnzoo"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["snnzoo"]

# The loader imports the module this entry point names and calls its hooks.
[project.entry-points.snnzoo]
$name = "snnzoo_$name"

# The snnzoo hook contract this plugin is written for; the module declares the same
# HOOK_API_VERSION, which the loader checks (tests/test_plugin.py keeps the two equal).
[tool.snnzoo]
hook-api-version = $version

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
snnzoo_$name = ["catalog/*.toml"]
''')

INIT = Template('''\
"""$name: an snnzoo plugin (entry point ``$name`` of group ``snnzoo``).

Registers the model ``${name}_izhikevich`` (presets ``regular_spiking``,
``intrinsically_bursting``, ``chattering``), the stimulus ``${name}_ramp`` and the
experiments in ``catalog/``.
"""

from importlib.resources import files

from snnzoo import hookimpl

from .models import IZHIKEVICH
from .stimuli import RampCurrent

HOOK_API_VERSION = $version
"""The snnzoo hook contract this plugin is written for (checked by the loader)."""


@hookimpl
def snnzoo_register_models(registry) -> None:
    """Register the models."""
    registry.add_model(IZHIKEVICH)


@hookimpl
def snnzoo_register_stimuli(registry) -> None:
    """Register the stimuli."""
    registry.add_stimulus(RampCurrent)


@hookimpl
def snnzoo_register_catalog(registry) -> None:
    """Register every experiment file in catalog/."""
    registry.add_catalog(files(__package__) / "catalog")
''')

MODELS = Template('''\
"""Neuron models of $name, declared as equations with units."""

from snnzoo import NeuronModel, Parameter


def _cell(C_m, k, E_L, V_th, V_spike, a, b, V_reset, d) -> dict[str, str]:
    """One cell type of Izhikevich (2007), chapter 8 (pF, nS/mV, mV, mV, mV, 1/ms, nS, mV, pA)."""
    return {"C_m": f"{C_m} pF", "k": f"{k} nS/mV", "E_L": f"{E_L} mV", "V_th": f"{V_th} mV",
            "V_spike": f"{V_spike} mV", "a": f"{a} / ms", "b": f"{b} nS", "V_reset": f"{V_reset} mV", "d": f"{d} pA"}


IZHIKEVICH = NeuronModel(
    "${name}_izhikevich",
    """
    dv/dt = (k*(v - E_L)*(v - V_th) - u + I)/C_m : volt
    du/dt = a*(b*(v - E_L) - u) : amp
    I : amp
    """,
    {
        "C_m": Parameter("100 pF", "membrane capacitance", positive=True),
        "k": Parameter("0.7 nS/mV", "gain of the quadratic term"),
        "E_L": Parameter("-60 mV", "resting potential"),
        "V_th": Parameter("-40 mV", "instantaneous threshold potential"),
        "V_spike": Parameter("35 mV", "spike cut-off: v is reset when it reaches it"),
        "V_reset": Parameter("-50 mV", "reset potential (c)"),
        "a": Parameter("0.03 / ms", "recovery rate"),
        "b": Parameter("-2 nS", "sensitivity of the recovery current to v"),
        "d": Parameter("100 pA", "recovery current increment at each spike"),
    },
    threshold="v >= V_spike",
    reset="v = V_reset; u += d",
    presets={
        "regular_spiking": _cell(100, 0.7, -60, -40, 35, 0.03, -2, -50, 100),
        "intrinsically_bursting": _cell(150, 1.2, -75, -45, 50, 0.01, 5, -56, 130),
        "chattering": _cell(50, 1.5, -60, -40, 25, 0.03, 1, -40, 150),
    },
    initial={"v": "E_L"},
    integrator="euler",
    description=(
        "Izhikevich simple model with units (regular-spiking neocortical pyramidal cell).\\n"
        "C_m dv/dt = k (v - E_L)(v - V_th) - u + I; du/dt = a (b (v - E_L) - u); at v >= V_spike, "
        "v = V_reset and u += d."
    ),
    references=(
        "Izhikevich EM (2007) Dynamical Systems in Neuroscience. MIT Press, chapter 8 (regular spiking).",
    ),
)
''')

STIMULI = Template('''\
"""Stimuli of $name: each a class that snnzoo.stimulus("${name}_ramp", ...) configures."""

from typing import Any

import numpy as np

from snnzoo.language.stimulus import TARGET_UNIT, FunctionDrive, Setting
from snnzoo.units import positive_si, to_si


class RampCurrent:
    """A current rising linearly from 0 to ``amplitude`` over ``duration``, then held."""

    name = "${name}_ramp"
    description = "current rising linearly from 0 to amplitude over duration, then held"
    example = {"amplitude": "300 pA", "duration": "200 ms"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"amplitude": Setting(TARGET_UNIT, "the value the ramp reaches"),
                     "duration": Setting("s", "how long it rises, > 0")}
    """Each setting's unit and meaning, for its pages (snnzoo info)."""

    def __init__(self, amplitude: Any, duration: Any):
        self.amplitude, self.duration = amplitude, duration

    def drives(self, size: int, unit) -> list:
        """One drive: amplitude * min(t / duration, 1), the same for every neuron."""
        amplitude = to_si(self.amplitude, unit, what=f"{self.name}: amplitude")
        duration = positive_si(self.duration, "s", what=f"{self.name}: duration")
        return [FunctionDrive(lambda t, i: amplitude * np.minimum(t / duration, 1.0) + 0.0 * i)]

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain data, stored in result provenance."""
        return {"type": self.name, "amplitude": str(self.amplitude), "duration": str(self.duration)}
''')

EXPERIMENT = Template('''\
title = "$name: a regular-spiking Izhikevich neuron under a current ramp"
description = """
One ${name}_izhikevich neuron receives a current rising from 0 to 300 pA over 200 ms, then held.
It starts firing part-way up the ramp (near 90 ms, at about 135 pA) and fires regularly on
the plateau (55 Hz): 16 spikes in all with forward Euler at dt 0.1 ms.
"""
references = ["Izhikevich EM (2007) Dynamical Systems in Neuroscience. MIT Press, chapter 8."]
dt = "0.1 ms"
duration = "400 ms"
seed = 1

[populations.cell]
model = "${name}_izhikevich"
size = 1
preset = "regular_spiking"

[stimuli.ramp]
type = "${name}_ramp"
population = "cell"
amplitude = "300 pA"
duration = "200 ms"

[monitors.traces]
population = "cell"
variables = ["v", "u", "I"]

[figure]
kind = "traces"
population = "cell"
variable = "v"

[[expected]]
check = "spike_count"
population = "cell"
value = 16
tolerance = 1

[[expected]]
check = "mean_rate"
population = "cell"
start = "200 ms"
stop = "400 ms"
value = "55 Hz"
rel_tolerance = 0.1
''')

TESTS = Template('''\
"""The plugin conforms to snnzoo's plugin contract, and its experiment holds."""

import tomllib
from pathlib import Path

import snnzoo_$name
from snnzoo.testing import check_plugin

ROOT = Path(__file__).resolve().parents[1]


def test_plugin_conforms():
    registry = check_plugin(snnzoo_$name)
    assert registry.names("model") == ["${name}_izhikevich"]


def test_installed_distribution_conforms_and_its_experiments_hold_in_full():
    check_plugin("snnzoo-$dashed", full_runs=True)


def test_pyproject_declares_the_hook_api_version_of_the_module():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["snnzoo"]["hook-api-version"] == snnzoo_$name.HOOK_API_VERSION
''')

README = Template('''\
# snnzoo-$dashed

An [snnzoo](https://pypi.org/project/snnzoo/) plugin: the Izhikevich model `${name}_izhikevich`,
the stimulus `${name}_ramp` and the experiment `$name-demo`.

```bash
pip install -e .                 # then: snnzoo list, snnzoo info ${name}_izhikevich
snnzoo run $name-demo            # writes $name-demo.nc and $name-demo.png, checks the expected block
python -m pytest tests           # the conformance kit: snnzoo.testing.check_plugin
```

Layout: `pyproject.toml` declares the entry point `$name = "snnzoo_$name"` in the group
`snnzoo` and the hook API version ($version, also `HOOK_API_VERSION` in the module);
`src/snnzoo_$name/models.py` holds the models, `stimuli.py` the stimuli (each with an
`example` the conformance kit uses), `catalog/*.toml` the experiments.
''')

FILES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "src/snnzoo_$name/__init__.py": INIT,
    "src/snnzoo_$name/models.py": MODELS,
    "src/snnzoo_$name/stimuli.py": STIMULI,
    "src/snnzoo_$name/catalog/$name-demo.toml": EXPERIMENT,
    "tests/test_plugin.py": TESTS,
}
"""Path (a template) -> contents of every file of the package."""


def check_name(name: str) -> None:
    """Refuse a plugin name that is not a valid package name, is a built-in plugin's, or is the entry
    point of a plugin already installed (a second plugin of that name could never load)."""
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(
            f"plugin name {name!r}: expected a lowercase letter, then lowercase letters, digits or '_' "
            f"(it names the module snnzoo_NAME and the entry point NAME), e.g. 'izh'"
        )
    if f"snnzoo-{name.replace('_', '-')}" in BUILTIN_DISTRIBUTIONS:
        raise ConfigError(f"plugin name {name!r}: snnzoo-{name} is a built-in plugin; choose another name")
    taken = {plugin: "snnzoo" for plugin in BUILTIN_PLUGINS}
    taken.update({point.name: point.dist.name if point.dist else "?" for point in entry_points(group=GROUP)})
    if name in taken:
        raise ConfigError(f"plugin name {name!r}: the installed {taken[name]} already has a plugin {name!r}, so "
                          f"snnzoo-{name.replace('_', '-')} could never load; choose another name")


def write_plugin(name: str, parent: str | Path = ".") -> Path:
    """Write the package ``snnzoo-NAME`` into ``parent`` and return its folder.

    Nothing is written if ``name`` is invalid or the folder exists: the package is
    assembled in a temporary folder and moved into place whole.
    """
    check_name(name)
    parent = Path(parent)
    if not parent.is_dir():
        raise ConfigError(f"new-plugin: the folder {parent} does not exist")
    values = {"name": name, "dashed": name.replace("_", "-"), "version": HOOK_API_VERSION}
    target = parent / f"snnzoo-{values['dashed']}"
    try:
        if target.exists():
            raise ConfigError(f"new-plugin: {target} already exists; remove it or choose another name")
        staging = Path(tempfile.mkdtemp(prefix=".snnzoo-new-plugin-", dir=parent))
        try:
            for path, template in FILES.items():
                file = staging / Template(path).substitute(values)
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(template.substitute(values))
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:  # a name too long for the file system, no permission, disk full
        raise ConfigError(f"new-plugin: cannot write {target}: {error.strerror or error}") from None
    return target
