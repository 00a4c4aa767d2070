"""The schema of an experiment file: every table, every key, what it holds.

This is the one description of the experiment format. :func:`check_experiment`
uses it to refuse a misspelt or misplaced key (naming it and the closest known
key) and a value of the wrong kind before anything is built or run; the
reference page ``docs/experiment-schema.md`` is :func:`markdown` of it (a test
keeps the two equal; regenerate with ``python -m snnzoo.catalog.schema``).
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, PluginError, SnnzooError, a_or_an
from ..language.stimulus import constructor_settings, setting_rows
from ..units import is_whole_number

# What a key may hold: a name for the docs and a test of the TOML value.
KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "text": ("string", lambda v: isinstance(v, str)),
    "quantity": ("quantity: a number and its unit as text (`\"2 nS\"`, `\"20 ms\"`), a number for dimensionless values, "
                 "or a list",
                 lambda v: isinstance(v, (str, list, dict, numbers.Real)) and not isinstance(v, bool)),
    "one quantity": ("single quantity: a number and its unit as text (`\"2 nS\"`, `\"20 ms\"`), or a number for "
                     "dimensionless values",
                     lambda v: isinstance(v, str) or (isinstance(v, numbers.Real) and not isinstance(v, bool))
                     or (isinstance(v, dict) and not isinstance(v.get("value"), list))),
    "integer": ("whole number", is_whole_number),
    "number": ("number", lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool)),
    "probability": ("number, or an expression of `i` and `j`",
                    lambda v: isinstance(v, (str, numbers.Real)) and not isinstance(v, bool)),
    "boolean": ("boolean: true or false", lambda v: isinstance(v, bool)),
    "texts": ("list of strings", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "names": ("string or list of strings",
              lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))),
    "indices": ("index, list of indices, or `\"start:stop\"`", lambda v: isinstance(v, (str, list)) or is_whole_number(v)),
    "index list": ("list of indices (whole numbers; one may repeat)",
                   lambda v: isinstance(v, list) and all(is_whole_number(x) for x in v)),
    "size": ("[width, height] in inches (positive numbers)",
             lambda v: isinstance(v, list) and len(v) == 2 and all(
                 isinstance(x, numbers.Real) and not isinstance(x, bool) and 0 < x < math.inf for x in v)),
    "table": ("table", lambda v: isinstance(v, dict)),
    "tables": ("array of tables", lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v)),
    "value": ("any TOML value", lambda v: True),
}


@dataclass(frozen=True)
class Key:
    """One key of a table: its name, what it holds (a name in :data:`KINDS`), and what it means."""

    name: str
    kind: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One table of an experiment file, as the docs name it (``[populations.NAME]``).

    ``more`` describes keys allowed beyond ``keys`` (a stimulus's own settings),
    which are checked elsewhere; without it no other key is allowed.
    """

    title: str
    description: str
    keys: tuple[Key, ...]
    more: str = ""

    def key(self, name: str) -> Key | None:
        """The key called ``name``, if this table has one."""
        return next((k for k in self.keys if k.name == name), None)


TOP = Table("top level", "The experiment itself.", (
    Key("name", "text", "Experiment name (default: the file name without .toml); also the default output name. "
        "A plain name: no folders."),
    Key("title", "text", "One-line title, shown by `snnzoo list` and on the figure."),
    Key("description", "text", "What the experiment shows, shown by `snnzoo info`."),
    Key("references", "texts", "Papers, notebooks or tutorials the experiment reproduces."),
    Key("dt", "one quantity", "Time step (default `\"0.1 ms\"`)."),
    Key("seed", "integer", "Master random seed, a whole number from 0 to 2**63 - 1 (default: drawn and recorded)."),
    Key("integrator", "text", "Default integrator for models that name none (default: chosen as Brian2 does, `exact` for "
        "linear deterministic equations, `heun` for multiplicative noise, else `euler`)."),
    Key("precision", "text", "`\"double\"` (default) or `\"single\"`: the neuron maths in float32, about twice as "
        "fast on large populations; accuracy per experiment in `docs/precision.md`."),
    Key("duration", "one quantity", "Simulated time; an experiment with a `[[protocol]]` has none."),
    Key("models", "table", "Models written inline: `[models.NAME]` tables."),
    Key("populations", "table", "Neuron populations: `[populations.NAME]` tables.", required=True),
    Key("sources", "table", "Spike sources: `[sources.NAME]` tables."),
    Key("projections", "table", "Synaptic projections: `[projections.NAME]` tables."),
    Key("links", "table", "Linked variables: `[links.NAME]` tables."),
    Key("stimuli", "table", "Input currents: `[stimuli.NAME]` tables."),
    Key("monitors", "table", "State recording: `[monitors.NAME]` tables."),
    Key("synapse_monitors", "table", "Synaptic state recording: `[synapse_monitors.NAME]` tables."),
    Key("protocol", "tables", "Phases run in order: `[[protocol]]` tables (instead of `duration`), at least "
        "one with `run`."),
    Key("figure", "table", "The figure written next to the result: `[figure]`."),
    Key("expected", "tables", "Checked outcomes: `[[expected]]` tables."),
    Key("sweep", "table", "A parameter sweep over this experiment: `[sweep]` (see `docs/sweeps.md`)."),
))

MODEL = Table("[models.NAME]", "A neuron model written in the file (Brian-style equations with units).", (
    Key("equations", "text", "The equations, one per line (`dv/dt = (EL - v)/tau : volt`).", required=True),
    Key("parameters", "table", "Parameter defaults: `{ tau = \"20 ms\" }`."),
    Key("threshold", "text", "Spike condition, e.g. `\"v > Vt\"`."),
    Key("reset", "text", "Statements run at a spike, e.g. `\"v = Vr; w += b\"`."),
    Key("refractory", "quantity", "Refractory period: a time >= 0 (`\"2 ms\"`), an expression of parameters or "
        "declared variables (`\"tref\"`), or a condition (`\"v > -40*mV\"`: refractory until it is false)."),
    Key("initial", "table", "Initial values of state variables (quantities or expressions such as `\"EL\"`)."),
    Key("integrator", "text", "Default integrator of this model."),
    Key("description", "text", "What the model is."),
))

POPULATION = Table("[populations.NAME]", "A group of neurons of one model.", (
    Key("model", "text", "A registered model (`snnzoo list`) or a `[models.NAME]` of this file.", required=True),
    Key("size", "integer", "Number of neurons (> 0).", required=True),
    Key("preset", "text", "A named parameter set of the model (`snnzoo info MODEL` lists them)."),
    Key("parameters", "table", "Parameter values: one quantity, one per neuron (a list), or an expression."),
    Key("initial", "table", "Initial values of state variables."),
    Key("labels", "texts", "One label per neuron (shown on figures, stored in the result)."),
    Key("integrator", "text", "Integrator for this population."),
    Key("refractory", "quantity", "Overrides the model's refractory period."),
))

SOURCE = Table("[sources.NAME]", "A spike source (`spike_generator`, `poisson_group`).", (
    Key("type", "text", "A registered stimulus that is a spike source.", required=True),
), more="the settings of the stimulus `type` (see [Stimulus settings](#stimulus-settings) or `snnzoo info TYPE`), e.g. `size`, `rate`, `times`")

PROJECTION = Table("[projections.NAME]", "Synapses from a source or population onto a population.", (
    Key("source", "text", "Presynaptic population or source, optionally sliced: `\"E[:80]\"`.", required=True),
    Key("target", "text", "Postsynaptic population, optionally sliced.", required=True),
    Key("on", "text", "Target variable (`\"ge\"`), a synaptic target the model names, or statements linear "
        "in `w` (`\"ge += w\"`); needed without `synapse`."),
    Key("weight", "quantity", "Weight: one quantity, one per synapse, an expression of `i` and `j`, or a "
        "distribution table `{ distribution = \"normal\", mean = ..., std = ... }` / `\"uniform\"` with `low`, "
        "`high`; needed without `synapse`."),
    Key("synapse", "text", "A registered synapse model (plastic or dynamic synapses, `snnzoo list`)."),
    Key("parameters", "table", "The synapse model's parameter values."),
    Key("initial", "table", "Initial values of the synapse model's variables."),
    Key("post_delay", "quantity", "Delay of the postsynaptic spikes seen by the synapse model."),
    Key("delay", "quantity", "Delay (a multiple of dt, >= 0; default 0 ms), or a distribution table."),
    Key("op", "text", "`\"+=\"` (default) or `\"-=\"`."),
    Key("round_delays", "boolean", "Round delays and `post_delay` to the nearest multiple of dt (default false: "
        "other delays are refused)."),
    Key("autapses", "boolean", "Whether a neuron may connect to itself (default true)."),
    Key("p", "probability", "Connection probability in [0, 1], or an expression of `i` and `j` such as "
                            "`\"exp(-abs(i - j)/20)\"` (each pair with its own)."),
    Key("condition", "text", "Condition on `i` (pre) and `j` (post), e.g. `\"i != j\"`; may go with `p`."),
    Key("fixed_in_degree", "integer", "Each target neuron gets this many distinct random inputs (never itself with autapses = false)."),
    Key("fixed_out_degree", "integer", "Each source neuron makes this many random connections to distinct targets."),
    Key("one_to_one", "boolean", "Connect neuron k to neuron k."),
    Key("all_to_all", "boolean", "Connect every pair."),
    Key("i", "index list", "Explicit presynaptic indices, one per synapse (with `j`)."),
    Key("j", "index list", "Explicit postsynaptic indices, one per synapse (with `i`)."),
))

LINK = Table("[links.NAME]", "A `(linked)` variable that reads another population's variable every step.", (
    Key("population", "text", "The population whose variable is linked.", required=True),
    Key("variable", "text", "Its variable, declared `(linked)`.", required=True),
    Key("source", "text", "The population it reads from.", required=True),
    Key("source_variable", "text", "The variable it reads.", required=True),
))

STIMULUS = Table("[stimuli.NAME]", "An input current (or a Poisson layer) fed into a population.", (
    Key("type", "text", "A registered stimulus (`snnzoo list`).", required=True),
    Key("population", "text", "The population it feeds.", required=True),
    Key("target", "text", "The input variable or synaptic target (default `\"I\"`)."),
), more="the settings of the stimulus `type` (see [Stimulus settings](#stimulus-settings) or `snnzoo info TYPE`), e.g. `amplitude`, `times`, `mean`")

MONITOR = Table("[monitors.NAME]", "Recording of state variables.", (
    Key("population", "text", "The population recorded.", required=True),
    Key("variables", "names", "Variables to record (state variables, inputs or subexpressions).", required=True),
    Key("neurons", "indices", "Neuron indices to record (default all)."),
    Key("rate", "one quantity", "Sampling rate 1/(k*dt) for a whole k, i.e. every k-th step (default every step)."),
))

SYNAPSE_MONITOR = Table("[synapse_monitors.NAME]", "Recording of a projection's synaptic variables.", (
    Key("projection", "text", "The projection recorded.", required=True),
    Key("variables", "names", "Synaptic variables to record.", required=True),
    Key("synapses", "indices", "Synapse indices to record (default all)."),
    Key("rate", "one quantity", "Sampling rate 1/(k*dt) for a whole k, i.e. every k-th step (default every step)."),
))

PHASE = Table("[[protocol]]", "One phase of the protocol: set values, then run.", (
    Key("set", "table", "Values to set before running: `{ \"POPULATION.VARIABLE\" = value }`."),
    Key("run", "one quantity", "How long to run this phase (a time)."),
))

_PANEL_KEYS = (
    Key("kind", "text", "`traces`, `raster`, `rates`, `currents`, `weights`, `synapse_values` or "
        "`synapse_traces` (default: traces if `variable` was recorded, else raster)."),
    Key("title", "text", "Panel title."),
    Key("population", "text", "The population shown (default: the first)."),
    Key("populations", "texts", "Several populations (`rates` panels)."),
    Key("variable", "text", "`traces`: the variable shown (default `v`)."),
    Key("neurons", "indices", "`traces`: the neurons shown."),
    Key("titles", "texts", "`traces`: one title per neuron."),
    Key("unit", "text", "`traces`, `currents`: the unit of the axis (e.g. `\"mV\"`)."),
    Key("spike_peak", "one quantity", "`traces`: draw spikes as lines up to this value."),
    Key("start", "one quantity", "`traces`, `raster`, `rates`: first time shown."),
    Key("stop", "one quantity", "`traces`, `raster`, `rates`: last time shown."),
    Key("every", "integer", "`raster`: show every k-th neuron."),
    Key("bin", "one quantity", "`rates`: bin width (a time).", ),
    Key("smooth", "one quantity", "`rates`: Gaussian smoothing width (a time)."),
    Key("conductances", "table", "`currents`: conductance -> reversal potential, `{ ge = \"0 mV\" }`."),
    Key("v", "text", "`currents`: the membrane potential variable (default `v`)."),
    Key("neuron", "integer", "`currents`: the neuron shown."),
    Key("projection", "text", "`weights`, `synapse_values`, `synapse_traces`: the projection shown."),
    Key("monitor", "text", "`synapse_traces`: the synapse monitor shown."),
    Key("bins", "integer", "`weights`: number of histogram bins."),
    Key("scale", "one quantity", "`weights`: values are divided by this."),
    Key("x", "value", "`synapse_values`: the x value of each synapse (default its index)."),
    Key("xlabel", "text", "`synapse_values`: the x axis label."),
    Key("offset", "number", "`synapse_values`: subtracted from the values."),
)

#: The panel keys each figure kind accepts (beyond kind, title, population(s)).
PANEL_KINDS: dict[str, tuple[str, ...]] = {
    "traces": ("variable", "neurons", "titles", "unit", "spike_peak", "start", "stop"),
    "raster": ("start", "stop", "every"),
    "rates": ("bin", "smooth", "start", "stop"),
    "currents": ("conductances", "v", "neuron", "unit"),
    "weights": ("projection", "variable", "bins", "scale"),
    "synapse_values": ("projection", "variable", "x", "xlabel", "offset"),
    "synapse_traces": ("projection", "monitor", "variable"),
}

#: The keys a panel of each kind needs.
PANEL_NEEDS: dict[str, tuple[str, ...]] = {"rates": ("bin",), "weights": ("projection",),
                                           "synapse_values": ("projection",), "synapse_traces": ("projection",)}

FIGURE = Table("[figure]", "The figure: one panel (panel keys here) or a column of `[[figure.panels]]`.", (
    Key("size", "size", "Figure size in inches."),
    Key("panels", "tables", "Panels, top to bottom: `[[figure.panels]]` tables with the panel keys below."),
    *_PANEL_KEYS,
))

PANEL = Table("[[figure.panels]]", "One panel of a multi-panel figure.", _PANEL_KEYS)

CHECK = Table("[[expected]]", "One checked outcome, evaluated on the result (and validated before the run).", (
    Key("check", "text", "`spike_count`, `mean_rate`, `isi_cv`, `mean_value`, `value_at`, `synapse_count`, "
        "`synapse_value` or `synapse_fraction`.", required=True),
    Key("population", "text", "The population checked (every check but `synapse_count`)."),
    Key("projection", "text", "`synapse_count`: the projection counted."),
    Key("neuron", "indices", "One neuron (or a list) the check is about."),
    Key("neurons", "indices", "Neurons the check is about: a list or `\"start:stop\"` (default all)."),
    Key("variable", "text", "`mean_value`, `value_at`: the recorded variable."),
    Key("time", "one quantity", "`value_at`: the time."),
    Key("start", "one quantity", "`mean_rate`, `mean_value`: window start."),
    Key("stop", "one quantity", "`mean_rate`, `mean_value`: window end."),
    Key("value", "one quantity", "Expected value (in the unit of what is checked)."),
    Key("tolerance", "one quantity", "Absolute tolerance around `value`."),
    Key("rel_tolerance", "number", "Relative tolerance around `value` (0.1 = 10 %)."),
    Key("min", "one quantity", "Lower bound."),
    Key("max", "one quantity", "Upper bound."),
    Key("monitor", "text", "`synapse_value`: read a synapse monitor at `time` instead of the final values."),
    Key("synapses", "indices", "`synapse_value`, `synapse_fraction`: the synapses (default all)."),
    Key("low", "one quantity", "`synapse_fraction`: lower end of the range counted."),
    Key("high", "one quantity", "`synapse_fraction`: upper end of the range counted."),
))

SWEEP = Table("[sweep]", "The sweep `snnzoo sweep NAME` runs when no `--grid` is given.", (
    Key("grid", "table", "Swept paths (as `--set` takes them) and their values: `{ \"sources.P.rate\" = "
        "[\"2 Hz\", \"4 Hz\"] }` or `{ values = [2, 4], unit = \"Hz\" }` per path."),
    Key("zip", "value", "`true` to vary every path together, or a list of groups of paths that vary together."),
    Key("seeds", "value", "A number of runs (seeds 0 to N-1) or a list of distinct seeds."),
    Key("record", "text", "What each run keeps: `summary` (default), `spikes` or `traces`."),
    Key("figure", "table", "The sweep's figure, `[sweep.figure]`, drawn when the sweep runs its own grid."),
    Key("expected", "tables", "The checks of each run of a sweep, `[[sweep.expected]]`: they replace the "
        "experiment's `[[expected]]`, which describe its own point."),
))

SWEEP_CHECK = Table("[[sweep.expected]]", "One checked outcome of each run of a sweep: an `[[expected]]` item whose "
                    "`value`, `tolerance`, `min` and `max` may be expressions of the grid's values at the run's point, "
                    "named as in the result (`\"1/(2*ms + 20*ms*log(...))\"`).", (
    *CHECK.keys,
    Key("at", "table", "Where the check applies: grid values by name, one or a list, each a value of the grid: "
        "`{ afferents_rate = \"10 Hz\" }`, `{ afferents_rate = [\"10 Hz\", \"20 Hz\"] }` (default: every point)."),
))

SWEEP_FIGURE = Table("[sweep.figure]", "A summary value against one swept axis, mean ± sd over the seeds.", (
    Key("x", "text", "The swept axis along x, by its name in the result (`lif_input_amplitude` for "
        "`stimuli.lif_input.amplitude`).", required=True),
    Key("variable", "text", "`mean_rate` (default), `total_spikes` or `isi_cv`."),
    Key("populations", "texts", "The populations drawn (default all)."),
    Key("xlabel", "text", "The x axis label (default the swept path)."),
    Key("size", "size", "Figure size in inches."),
))

#: The keys each check takes beyond ``check`` and its bounds (``value``, ``tolerance``, ``rel_tolerance``,
#: ``min``, ``max``); a key of another check is refused, as on a figure panel.
CHECK_KEYS: dict[str, tuple[str, ...]] = {
    "spike_count": ("population", "neuron", "neurons"),
    "mean_rate": ("population", "neuron", "neurons", "start", "stop"),
    "isi_cv": ("population", "neuron", "neurons"),
    "mean_value": ("population", "variable", "neuron", "neurons", "start", "stop"),
    "value_at": ("population", "variable", "neuron", "neurons", "time"),
    "synapse_count": ("projection",),
    "synapse_value": ("projection", "variable", "synapses", "monitor", "time"),
    "synapse_fraction": ("projection", "variable", "synapses", "low", "high"),
}

#: The keys each check needs, beyond ``check``.
CHECK_NEEDS: dict[str, tuple[str, ...]] = {
    "spike_count": ("population",), "mean_rate": ("population",), "isi_cv": ("population",),
    "mean_value": ("population", "variable"), "value_at": ("population", "variable", "time"),
    "synapse_count": ("projection",), "synapse_value": ("projection",),
    "synapse_fraction": ("projection", "low", "high"),
}

#: The unit of what each check finds, where that does not depend on a recorded variable.
CHECK_UNITS: dict[str, str] = {"spike_count": "1", "mean_rate": "Hz", "isi_cv": "1", "synapse_count": "1",
                               "synapse_fraction": "1"}

#: Named tables under the top level: ``[populations.NAME]`` and so on.
NAMED_TABLES: dict[str, Table] = {"models": MODEL, "populations": POPULATION, "sources": SOURCE,
                                  "projections": PROJECTION, "links": LINK, "stimuli": STIMULUS, "monitors": MONITOR,
                                  "synapse_monitors": SYNAPSE_MONITOR}
ALL_TABLES: tuple[Table, ...] = (TOP, *NAMED_TABLES.values(), PHASE, FIGURE, PANEL, CHECK, SWEEP, SWEEP_FIGURE,
                                 SWEEP_CHECK)


def unknown_key_error(where: str, key: str, known: Iterable[str], noun: str = "key") -> ConfigError:
    """The error for a key that is not in ``known``: names it, suggests the closest, lists the rest."""
    known = sorted(known)
    listing = f"known: {', '.join(known)}" if known else f"it takes no {noun}s"
    return ConfigError(f"{where}: unknown {noun} {key!r}{did_you_mean(key, known)} ({listing})")


def check_table(table: Table, values: Any, where: str, *, extra: Iterable[str] | None = None) -> None:
    """Check one table against ``table``: only known keys (plus ``extra`` when ``table.more``),
    every required key, every value of its kind."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: expected a table, got {values!r}")
    allowed = {k.name for k in table.keys}
    for name, value in values.items():
        key = table.key(name)
        if key is None:
            if table.more and (extra is None or name in extra):
                continue
            raise unknown_key_error(where, name, allowed | set(extra or ()),
                                    noun="top-level key" if table is TOP else "key")
        label, accepts = KINDS[key.kind]
        if not accepts(value):
            raise ConfigError(f"{where}: {name!r} must be {a_or_an(label)}, got {value!r}")
    missing = [k.name for k in table.keys if k.required and k.name not in values]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(map(repr, missing))}")


def check_experiment(spec: Mapping[str, Any], where: str) -> None:
    """Check every table of an experiment against the schema (stimulus settings are checked
    when the stimulus is made, against its own signature: :func:`check_settings`); ``where``
    names the experiment in the errors (``experiment 'NAME'``)."""
    check_table(TOP, spec, where)
    for section, table in NAMED_TABLES.items():
        for item, values in spec.get(section, {}).items():
            check_table(table, values, f"{where}: [{section}.{item}]")
    for k, phase in enumerate(spec.get("protocol", [])):
        check_table(PHASE, phase, f"{where}: [[protocol]] #{k + 1}")
    if "protocol" in spec:
        if "duration" in spec:
            raise ConfigError(f"{where}: give 'duration' or [[protocol]], not both (the protocol's 'run' "
                              "phases set the simulated time)")
        if not any("run" in phase for phase in spec["protocol"]):
            raise ConfigError(f"{where}: [[protocol]] has no phase with 'run', so nothing would be simulated")
        if spec["protocol"] and "run" not in spec["protocol"][-1]:
            raise ConfigError(f"{where}: [[protocol]] #{len(spec['protocol'])}: its 'set' comes after the last run, "
                              "so it would change nothing; end with a phase that has 'run'")
    figure = spec.get("figure", {})
    check_table(FIGURE, figure, f"{where}: [figure]")
    if "panels" in figure:
        if not figure["panels"]:
            raise ConfigError(f"{where}: [figure]: 'panels' is empty; give at least one [[figure.panels]] table "
                              "(or the keys of one panel in [figure])")
        for key in set(figure) - {"size", "panels"}:
            raise ConfigError(f"{where}: [figure]: {key!r} belongs in each [[figure.panels]] table (a figure with "
                              "panels takes only 'size' and 'panels'; its title is the experiment's)")
    else:
        _check_panel(figure, f"{where}: [figure]")
    for k, panel in enumerate(figure.get("panels", [])):
        check_table(PANEL, panel, f"{where}: [[figure.panels]] #{k + 1}")
        _check_panel(panel, f"{where}: [[figure.panels]] #{k + 1}")
    for k, item in enumerate(spec.get("expected", [])):
        _check_item(CHECK, item, f"{where}: [[expected]] #{k + 1}")
    sweep = spec.get("sweep", {})
    check_table(SWEEP, sweep, f"{where}: [sweep]")
    if "figure" in sweep:
        check_table(SWEEP_FIGURE, sweep["figure"], f"{where}: [sweep.figure]")
    for k, item in enumerate(sweep.get("expected", [])):
        _check_item(SWEEP_CHECK, item, f"{where}: [[sweep.expected]] #{k + 1}")


def _check_item(table: Table, item: Any, where: str) -> None:
    """An ``[[expected]]`` (or ``[[sweep.expected]]``) item: a known check with the keys it takes."""
    check_table(table, item, where)
    kind = item["check"]
    if kind not in CHECK_NEEDS:
        raise ConfigError(f"{where}: unknown check {kind!r}{did_you_mean(kind, CHECK_NEEDS)} "
                          f"(known: {', '.join(CHECK_NEEDS)})")
    _check_check_keys({key: value for key, value in item.items() if key != "at"}, kind, where)


def _check_check_keys(item: Mapping[str, Any], kind: str, where: str) -> None:
    """An ``[[expected]]`` item has the keys its check needs and only keys its check takes."""
    bounds = {"check", "value", "tolerance", "rel_tolerance", "min", "max"}
    for key in item:
        if key not in bounds and key not in CHECK_KEYS[kind]:
            raise ConfigError(f"{where}: {key!r} does not apply to {a_or_an(repr(kind))} check "
                              f"(it takes: {', '.join(CHECK_KEYS[kind])})")
    needs = CHECK_NEEDS[kind] + (("time",) if kind == "synapse_value" and "monitor" in item else ())
    missing = [key for key in needs if key not in item]
    if missing:
        raise ConfigError(f"{where}: check {kind!r}{' with a monitor' if 'monitor' in item else ''} needs "
                          f"{', '.join(map(repr, missing))}")
    if "value" not in item and not {"min", "max"} & set(item):
        raise ConfigError(f"{where}: give 'value' (with tolerance) or 'min'/'max'")
    for given, needed in (("tolerance", "value"), ("rel_tolerance", "value"), ("time", "monitor")):
        if given in item and needed not in item and not (given == "time" and kind == "value_at"):
            raise ConfigError(f"{where}: {given!r} goes with {needed!r}, which this check lacks")
    if "neuron" in item and "neurons" in item:
        raise ConfigError(f"{where}: give 'neuron' or 'neurons', not both")


def _check_panel(panel: Mapping[str, Any], where: str) -> None:
    """Panel keys must suit the panel's kind (a ``rates`` panel has no ``variable``)."""
    kind = panel.get("kind")
    if kind is None:
        return
    if kind not in PANEL_KINDS:
        raise ConfigError(f"{where}: unknown figure kind {kind!r}{did_you_mean(kind, PANEL_KINDS)} "
                          f"(known: {', '.join(PANEL_KINDS)})")
    general = {"kind", "title", "population", "populations", "size", "panels"}
    for key in panel:
        if key not in general and key not in PANEL_KINDS[kind]:
            raise ConfigError(f"{where}: {key!r} does not apply to {a_or_an(repr(kind))} panel "
                              f"(it takes: {', '.join(PANEL_KINDS[kind])})")
    missing = [key for key in PANEL_NEEDS.get(kind, ()) if key not in panel]
    if missing:
        raise ConfigError(f"{where}: {a_or_an(repr(kind))} panel needs {', '.join(map(repr, missing))}")


def stimulus_settings(factory: Callable) -> dict[str, bool] | None:
    """The settings a stimulus type takes, from the signature of its constructor: name -> whether it
    is required; None when the signature is unknown or takes any keyword."""
    settings = constructor_settings(factory)
    if settings is None:
        return None
    return {name: p.default is inspect.Parameter.empty for name, p in settings.items()}


def check_settings(factory: Callable, settings: Mapping[str, Any], where: str, noun: str = "key") -> None:
    """Check a stimulus's settings against the signature of its constructor: unknown ones
    (with the closest suggested) and missing required ones are errors."""
    known = stimulus_settings(factory)
    if known is None:
        return
    for key in settings:
        if key not in known:
            raise unknown_key_error(where, key, list(known), noun=noun)
    missing = [name for name, required in known.items() if required and name not in settings]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(map(repr, missing))}")


def configured_stimulus(factory: Callable, settings: Mapping[str, Any], where: str, noun: str = "key") -> Any:
    """``factory(**settings)`` once :func:`check_settings` passes: a TypeError is a ConfigError, and any
    other exception but an snnzoo error (a bug of the stimulus's code) a PluginError, naming ``where``."""
    check_settings(factory, settings, where, noun)
    try:
        return factory(**settings)
    except SnnzooError:
        raise
    except TypeError as error:
        raise ConfigError(f"{where}: {error}") from None
    except Exception as error:
        raise PluginError(f"{where}: making it raised {type(error).__name__}: {' '.join(str(error).split())}") from error


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'rate'?"`` for the known name closest to ``word``, or ``""``."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def markdown() -> str:
    """The reference page of the experiment format (``docs/experiment-schema.md``)."""
    lines = ["# Experiment file reference", "",
             "<!-- Generated from snnzoo/catalog/schema.py by `python -m snnzoo.catalog.schema`; "
             "a test checks it is current. -->", "",
             "Every table of an experiment TOML file and every key it may hold. A key not listed here is an "
             "error that names it and suggests the closest known key; so is a missing required key or a "
             "value of the wrong kind. All of this is checked before anything is built or run.", ""]
    for table in ALL_TABLES:
        lines += [f"## {table.title}", "", table.description, "", "| key | holds | required | meaning |",
                  "| --- | --- | --- | --- |"]
        for key in table.keys:
            lines.append(f"| `{key.name}` | {KINDS[key.kind][0]} | {'yes' if key.required else ''} | "
                         f"{key.description} |")
        if table.more:
            lines += ["", f"Other keys: {table.more}; an unknown one is an error naming the closest setting."]
        if table is FIGURE or table is PANEL:
            lines += ["", "Keys by panel kind: " + "; ".join(
                f"`{kind}`: {', '.join(f'`{k}`' for k in keys)}" for kind, keys in PANEL_KINDS.items()) + ". Needed: "
                + "; ".join(f"`{kind}`: {', '.join(f'`{k}`' for k in keys)}" for kind, keys in PANEL_NEEDS.items())
                + (". A figure with `panels` takes only `size` besides them." if table is FIGURE else ".")]
        if table is CHECK:
            lines += ["", "Keys each check needs: " + "; ".join(
                f"`{kind}`: {', '.join(f'`{k}`' for k in keys)}" for kind, keys in CHECK_NEEDS.items())
                + ". Every check needs `value` or `min`/`max`; `tolerance` and `rel_tolerance` go with `value`, "
                "`min` is at most `max`; `synapse_value` with a `monitor` needs `time`.",
                "", "Keys by check (beyond the bounds): " + "; ".join(
                f"`{kind}`: {', '.join(f'`{k}`' for k in keys)}" for kind, keys in CHECK_KEYS.items())
                + "; `neuron` or `neurons`, not both."]
        lines.append("")
    return "\n".join(lines + stimulus_settings_markdown())


SHIPPED_STIMULI = "stimuli"
"""The plugin whose stimuli the reference page lists (the one distributed with snnzoo)."""


def stimulus_settings_markdown() -> list[str]:
    """The reference page's section on the settings of the shipped stimuli, each with its default, unit and
    meaning, from the stimulus's constructor and ``setting_specs`` (what ``snnzoo info TYPE`` prints)."""
    from ..plugins.loader import get_registry

    lines = ["## Stimulus settings", "",
             f"The settings of each stimulus of the plugin `snnzoo-{SHIPPED_STIMULI}`: the other keys of its "
             "`[sources.NAME]` or `[stimuli.NAME]` table, and the keywords of `snnzoo.stimulus(TYPE, ...)`. The unit "
             "`(target)` is the unit of the variable the stimulus drives; `-` marks a setting that holds no quantity. "
             "`snnzoo info TYPE` prints the same table for any stimulus.", ""]
    for entry in sorted(get_registry().plugin_entries(SHIPPED_STIMULI), key=lambda entry: entry.name):
        if entry.kind != "stimulus":
            continue
        lines += [f"### `{entry.name}`", "", f"{entry.description[:1].upper()}{entry.description[1:]}.", "",
                  "| setting | default | unit | meaning |", "| --- | --- | --- | --- |"]
        lines += [f"| `{name}` | {default} | {unit} | {meaning} |" for name, default, unit, meaning in
                  setting_rows(entry.obj) or []]
        lines.append("")
    return lines


if __name__ == "__main__":
    print(markdown(), end="")
