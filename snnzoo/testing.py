"""Conformance kit for plugin authors: what the loader checks, and that everything runs.

Call it from your plugin's own tests::

    from snnzoo.testing import check_plugin
    import my_plugin

    def test_conforms():
        check_plugin(my_plugin)          # or check_plugin("snnzoo-izh"): every entry point of a distribution

:func:`check_plugin` fails (``AssertionError`` naming the plugin and the thing at fault) unless:

1. the plugin loads exactly as the loader loads it (:func:`snnzoo.plugins.loader.load_plugin`): it
   declares a supported ``HOOK_API_VERSION``, every ``snnzoo_*`` function is a known hook
   decorated with ``@hookimpl``, and every registered object fits the protocol of its kind;
   and no name it registers is taken by another plugin whose entry the plain name means;
2. every model is documented (description, references, a default and a description for
   every parameter), uses every parameter it declares, names its parameters by the convention
   (docs/naming.md, :mod:`snnzoo.plugins.naming`: ``V_th``, not ``Vt``; names kept on purpose are given as
   ``published_names``), and runs finite from its defaults and from each preset with its default
   integrator;
   every synapse model is documented the same way;
3. every stimulus class has an ``example`` (a dict of settings, plus an optional ``target``
   variable of the probe neuron below); the configured stimulus drives the probe neuron
   (``drives``, checked by :func:`snnzoo.language.stimulus.checked_drives`), connects to it as a spike
   source (``source``) or attaches to it (``attach``, adding something), and the run stays finite;
4. every integrator integrates ``dx/dt = -x/tau`` to within 1 % of the exact decay;
5. every catalog experiment loads and builds (its models and stimuli exist), its
   ``expected`` items use known keys, its ``[sweep]`` grid is one a sweep takes and its
   ``[[sweep.expected]]`` items can be worked out at every point of it, and a shortened run (every run and every time of the
   checks and the figure scaled by one factor) evaluates every check and draws the figure
   (``full_runs=True`` runs each experiment in full and requires every check to hold).

The probe neuron (:data:`PROBE`) has a voltage ``v`` (spike sources connect onto it with
1 mV weights; composite stimuli target it unless their example names another ``target``)
and an input current ``I`` (current stimuli drive it).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, distribution
from types import ModuleType
from typing import Any

import numpy as np

from .catalog.experiment import Experiment, sampling_interval
from .catalog.schema import configured_stimulus
from .errors import SnnzooError
from .language.integrators import integrated, ode_system
from .language.model import NeuronModel
from .language.stimulus import checked_drives
from .language.synapse_model import SynapseModel
from .network.network import Network
from .plugins import loader as plugins
from .plugins.naming import unconventional_parameters
from .plugins.protocols import IntegratorSpec, stimulus_form
from .plugins.registry import Registry
from .units import to_si, ureg

PROBE = NeuronModel(
    "conformance_probe",
    """
    dv/dt = (E_L - v + R_m*I)/tau_m : volt
    I : amp
    """,
    {"E_L": "-70 mV", "R_m": "100 Mohm", "tau_m": "10 ms", "V_th": "-50 mV", "V_reset": "-70 mV"},
    threshold="v > V_th",
    reset="v = V_reset",
    initial={"v": "E_L"},
    description="Leaky integrate-and-fire neuron the conformance kit drives with each stimulus.",
)
"""The neuron every stimulus is tried on: ``v`` (volt) and the input ``I`` (amp)."""

DT = 0.1 * ureg.ms


def check_plugin(plugin: ModuleType | str, *, max_duration: Any = "100 ms", full_runs: bool = False,
                 published_names: Mapping[str, Iterable[str]] | None = None) -> Registry:
    """Check a plugin module, or every entry point of the distribution named ``plugin``.

    Returns a registry holding what the plugin (or the distribution's plugins) registered.
    ``max_duration`` caps each catalog experiment's run unless ``full_runs``. ``published_names``
    maps a model to parameter names it keeps on purpose although the naming convention gives them
    another meaning (``{"hh_traub": ["VT"]}``: the rate offset, not the threshold).
    """
    if isinstance(plugin, str):
        return _check_distribution(plugin, max_duration, full_runs, published_names)
    name, dist, version = _identity(plugin)
    assert any(attribute.startswith("snnzoo_register_") for attribute in dir(plugin)), (
        f"plugin {name!r}: implements no snnzoo_register_* hook (known hooks: {', '.join(plugins.HOOK_NAMES)})")
    registry = Registry()
    info = plugins.load_plugin(plugin, name, registry, dist, version)
    assert info.failure is None, f"plugin {name!r} does not load: {info.failure}"
    with _reachable(plugin, name, registry), _named_failures(f"plugin {name!r}"):
        hidden = [str(clash) for clash in plugins.get_registry().clashes() if clash.ignored.plugin == name]
        assert not hidden, f"{hidden[0]}; give it a name of its own"
        for entry in registry.entries("model"):
            unconventional = unconventional_parameters(entry.obj, (published_names or {}).get(entry.name, ()))
            assert not unconventional, unconventional[0]
            check_model(entry.obj)
        for entry in registry.entries("synapse"):
            check_synapse_model(entry.obj)
        for entry in registry.entries("stimulus"):
            check_stimulus_kind(entry.obj)
        for entry in registry.entries("integrator"):
            check_integrator(entry.obj)
        for entry in registry.entries("experiment"):
            check_experiment(entry.obj.path, max_duration=None if full_runs else max_duration)
    return registry


@contextmanager
def _named_failures(where: str) -> Iterator[None]:
    """An AssertionError raised in the block names ``where`` first (``plugin 'izh': model 'izh_lif': ...``):
    the checks of one model, stimulus or experiment name that object, not the plugin it came from."""
    try:
        yield
    except AssertionError as failure:
        raise AssertionError(_prefixed(where, str(failure))) from None


def _prefixed(where: str, message: str) -> str:
    """``where: message``, unless ``message`` already begins with ``where``."""
    return message if message.startswith(where) else f"{where}: {message}"


def check_model(model: NeuronModel, *, steps: int = 100) -> None:
    """A model documents itself and runs: description, references, documented
    parameters with defaults, each used in the model, and ``steps`` steps from its initial state stay finite."""
    assert isinstance(model, NeuronModel), f"{model!r} is not a snnzoo.NeuronModel"
    _check_documented(model, f"model {model.name!r}")
    net = Network(dt=DT, seed=0)
    net.add_population("p", model, 2)
    net.record("p", model.recordables)
    for k, preset in enumerate(model.presets):
        net.add_population(f"preset{k}", model, 1, preset=preset)
        net.record(f"preset{k}", model.recordables)
    _run(net, steps * DT, f"model {model.name!r}")
    _assert_finite(net, f"model {model.name!r} (integrator {net.populations['p'].integrator.name!r}, "
                        f"defaults and presets {list(model.presets)})")


def check_synapse_model(model: SynapseModel) -> None:
    """A synapse model documents itself: description, references, documented parameters with defaults, each
    used in the model."""
    assert isinstance(model, SynapseModel), f"{model!r} is not a snnzoo.SynapseModel"
    _check_documented(model, f"synapse model {model.name!r}")


def _check_documented(model: NeuronModel | SynapseModel, where: str) -> None:
    """``model`` has a description, references, a default and a description for every parameter, uses every
    parameter, and has a page."""
    unused = model.unused_parameters()
    assert not unused, unused[0]
    assert model.description, f"{where}: give it a description"
    assert model.references, f"{where}: give at least one reference"
    for spec in model.parameters.values():
        assert spec.default is not None, f"{where}: parameter {spec.name!r} has no default"
        assert spec.description, f"{where}: parameter {spec.name!r} has no description"
    assert model.describe().startswith(model.name)


def check_stimulus_kind(kind: Any) -> None:
    """A stimulus class has an ``example`` of settings, and the stimulus it makes works (see :func:`check_stimulus`)."""
    example = getattr(kind, "example", None)
    assert isinstance(example, Mapping), (
        f"stimulus {kind.name!r}: give the class an 'example' dict of settings (e.g. "
        "example = {'amplitude': '0.1 nA'}) so that the conformance kit can make one")
    settings = dict(example)
    target = settings.pop("target", None)
    try:
        stimulus = configured_stimulus(kind, settings, f"stimulus {kind.name!r}", noun="setting")
    except SnnzooError as error:
        raise AssertionError(f"stimulus {kind.name!r}: its example {dict(example)} does not make one: {error}") from None
    check_stimulus(stimulus, target=target)


def check_stimulus(stimulus: Any, size: int = 3, unit: str = "A", *, target: str | None = None) -> None:
    """A configured stimulus describes itself and acts on the probe neuron in its form.

    ``drives``: its drives pass :func:`snnzoo.language.stimulus.checked_drives` and drive ``I``; ``source``: it is
    added as a source and connected onto ``v``; ``attach``: it attaches to ``target``
    (default ``v``) and adds something to the network. A short run must stay finite.
    """
    name = getattr(stimulus, "name", None)
    assert name and getattr(stimulus, "description", None), f"{stimulus!r}: a stimulus needs a name and a description"
    form = stimulus_form(stimulus)
    assert form is not None, f"stimulus {name!r}: has none of drives(), source(), attach()"
    where = f"stimulus {name!r} ({form})"
    net = Network(dt=DT, seed=0)
    net.add_population("probe", PROBE, size)
    try:
        if form == "drives":
            assert checked_drives(stimulus, size, ureg.Unit(unit)), f"{where}: drives() returned nothing"
            net.add_stimulus(stimulus, "probe", target or "I")
        elif form == "source":
            net.add_source("input", stimulus)
            net.connect("input", "probe", on="v", weight=1 * ureg.mV, all_to_all=True)
        else:
            parts = _parts(net)
            net.add_stimulus(stimulus, "probe", target or "v")
            assert _parts(net) != parts, f"{where}: attach() added nothing to the network (no source, projection or drive)"
    except SnnzooError as error:
        raise AssertionError(f"{where}: cannot act on the probe neuron: {error}") from None
    net.record("probe", ["v", "I"])
    _run(net, 20 * DT, where)
    _assert_finite(net, where)


def check_integrator(integrator: IntegratorSpec) -> None:
    """An integrator's ``update`` gives assignments of every variable's new value
    (:func:`snnzoo.language.integrators.integrated`), and it advances ``dx/dt = -x/tau`` (tau = 10 ms,
    dt = 0.1 ms, 100 steps) to within 1 % of exp(-1)."""
    decay = NeuronModel("conformance_decay", "dx/dt = -x/tau : 1", {"tau": "10 ms"}, initial={"x": 1})
    where = f"integrator {integrator.name!r}"
    try:
        integrated(integrator, ode_system(decay))
    except SnnzooError as error:
        raise AssertionError(str(error)) from None
    net = Network(dt=DT, seed=0)
    pop = net.add_population("decay", decay, 1, integrator=integrator)
    _run(net, 100 * DT, where)
    x = float(pop.get("x").magnitude[0])
    assert math.isclose(x, math.exp(-1), rel_tol=0.01), f"{where}: dx/dt = -x/tau gave x(tau) = {x:.6g}, not exp(-1)"


def check_experiment(path: Any, *, max_duration: Any = "100 ms") -> None:
    """A catalog experiment loads, builds, has well-formed ``expected`` items, runs and draws its figure.

    With ``max_duration`` (a time) each run is cut to it and the checks only have to
    evaluate; with ``max_duration=None`` the full experiment runs and every check must hold.
    """
    try:
        experiment = Experiment.load(str(path))  # errors name the file (loading checked every table against the schema)
    except SnnzooError as error:
        raise AssertionError(_prefixed(f"experiment file {path}", str(error))) from None
    where = experiment.where
    try:
        _check_sweep_table(experiment)
    except SnnzooError as error:
        raise AssertionError(_prefixed(where, str(error))) from None
    if max_duration is not None:
        experiment = Experiment(experiment.name, _shortened(experiment.spec, to_si(max_duration, "s", what="max_duration")),
                                experiment.source, where)
    try:
        tree = experiment.run()
        with warnings.catch_warnings():
            if max_duration is not None:  # a shortened run may leave a statistic undefined (mean of no ISIs)
                warnings.simplefilter("ignore", RuntimeWarning)
            checks = experiment.check(tree)
        experiment.figure(tree)
    except SnnzooError as error:
        raise AssertionError(_prefixed(where, str(error))) from None
    if max_duration is None:
        failed = [f"{check.description} (found {check.shown})" for check in checks if not check.passed]
        assert not failed, f"{where}: expected checks fail: {'; '.join(failed)}"


def _check_sweep_table(experiment: Experiment) -> None:
    """The experiment's own ``[sweep]`` grid is one a sweep takes, and its ``[[sweep.expected]]`` items can be
    worked out at every point of it (names, units, finite values), as ``snnzoo sweep NAME`` checks them."""
    from .sweeps.grid import make_grid
    from .sweeps.point_checks import PointChecks

    table = experiment.spec.get("sweep", {})
    if not table.get("grid"):
        return
    grid = make_grid(experiment.spec, table["grid"], table.get("zip", False), table.get("seeds"))
    if table.get("expected"):
        checks = PointChecks(experiment.spec, experiment.where)
        for run in grid.runs():
            checks.at_point(run.settings)


def _shortened(spec: dict[str, Any], seconds: float) -> dict[str, Any]:
    """A copy of an experiment spec whose runs last at most ``seconds`` in all.

    Every run is scaled by the same factor, and so are the times of the ``expected`` items
    (``start``, ``stop``, ``time``) and of the figure (also ``bin``, ``smooth``), so that their
    windows stay inside the run.
    """
    spec = copy.deepcopy(spec)
    phases = spec["protocol"] if "protocol" in spec else [{"run": spec.get("duration", "0 s")}]
    total = sum(to_si(phase["run"], "s", what="run") for phase in phases if "run" in phase)
    factor = min(1.0, seconds / total) if total > 0 else 1.0

    def scaled(table: dict[str, Any], keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in table:
                table[key] = f"{float(to_si(table[key], 's', what=key)) * factor:.12g} s"

    for phase in spec.get("protocol", []):
        scaled(phase, ("run",))
    scaled(spec, ("duration",))
    figure = spec.get("figure", {})
    for table in spec.get("expected", []):
        scaled(table, ("start", "stop", "time"))
        if table.get("check") == "value_at" and "time" in table:  # a time between samples is refused: the one before
            interval = sampling_interval(spec, table.get("population"), table.get("variable"))
            steps = math.floor(to_si(table["time"], "s", what="time") / interval * (1 + 1e-9))
            table["time"] = f"{steps * interval:.12g} s"
    for table in [figure, *figure.get("panels", [])]:
        scaled(table, ("start", "stop", "time", "bin", "smooth"))
    return spec


def _check_distribution(name: str, max_duration: Any, full_runs: bool,
                        published_names: Mapping[str, Iterable[str]] | None) -> Registry:
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise AssertionError(f"distribution {name!r} is not installed (install it, e.g. pip install -e "
                             "the folder holding its pyproject.toml)") from None
    entry_points = [ep for ep in dist.entry_points if ep.group == plugins.GROUP]
    groups = sorted({entry_point.group for entry_point in dist.entry_points})
    assert entry_points, (f"distribution {name!r} declares no entry point in group {plugins.GROUP!r} (its groups: "
                          f"{', '.join(groups) or 'none'}); declare [project.entry-points.snnzoo] in pyproject.toml")
    combined = Registry()
    for entry_point in entry_points:
        try:
            module = entry_point.load()
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            raise AssertionError(f"plugin {entry_point.name!r} of {name}: importing {entry_point.value}: {error}") from None
        registry = check_plugin(module, max_duration=max_duration, full_runs=full_runs, published_names=published_names)
        plugins.load_plugin(module, entry_point.name, combined, dist.name, dist.version)
        assert registry.qualified_names() <= combined.qualified_names()
    return combined


def _identity(module: object) -> tuple[str, str | None, str | None]:
    """The plugin name (its entry point's, if installed), distribution and version of ``module``."""
    from importlib.metadata import entry_points

    module_name = getattr(module, "__name__", type(module).__name__)
    for name, builtin in plugins.BUILTIN_PLUGINS.items():
        if builtin == module_name:
            return name, "snnzoo", None
    for entry_point in entry_points(group=plugins.GROUP):
        if entry_point.value == module_name:
            dist = entry_point.dist
            return entry_point.name, dist.name if dist else None, dist.version if dist else None
    return module_name, None, None


@contextmanager
def _reachable(plugin: object, name: str, registry: Registry) -> Iterator[None]:
    """Make the plugin's entries reachable by name while it is checked (experiments look models up).

    An installed plugin already is; one that is not is registered for the duration.
    """
    added = not registry.qualified_names() <= plugins.get_registry().qualified_names()
    if added:
        plugins.register_plugin(plugin, name)
    try:
        yield
    finally:
        if added:
            plugins.refresh()


def _parts(net: Network) -> tuple[int, ...]:
    """How many groups, projections, drives, Poisson inputs and regular operations ``net`` has."""
    return (len(net.groups), len(net.projections), len(net._drives), len(net._poisson_inputs),
            len(net._regular_operations))


def _run(net: Network, duration: Any, where: str) -> None:
    try:
        net.run(duration)
    except SnnzooError as error:
        raise AssertionError(f"{where}: the run failed: {error}") from None


def _assert_finite(net: Network, where: str) -> None:
    for record in net.records():
        for state in record.states:
            for var, data in state.data.items():
                assert np.all(np.isfinite(data)), f"{where}: {var} is not finite"
