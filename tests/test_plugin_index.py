"""The plugin index: names from the cache, objects from the plugins, never a stale answer."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from snnzoo.plugins import index as plugin_index
from snnzoo.plugins import loader as plugins
from snnzoo.plugins.registry import IndexedEntry

PLUGIN = """
from snnzoo import NeuronModel
from snnzoo.plugins.hookspecs import hookimpl

HOOK_API_VERSION = 1

@hookimpl
def snnzoo_register_models(registry):
    for name in {names!r}:
        registry.add_model(NeuronModel(name, "dv/dt = -v/tau : volt", {{"tau": "10 ms"}}, description="{description}"))
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of its own; the registry is loaded afresh before and after."""
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path / "cache"))
    plugins.refresh()
    yield tmp_path / "cache"
    plugins.refresh()


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path to install fake plugin distributions into: ``site(module, names, ...)``."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    written = []

    def install(module: str, names: list[str], description: str = "indexed", entry_points: list[str] = ()) -> None:
        info = folder / f"zoo_{module}-1.0.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: zoo_{module}\nVersion: 1.0\n")
        lines = [f"{entry} = {module}" for entry in entry_points or [module]]
        (info / "entry_points.txt").write_text("[snnzoo]\n" + "\n".join(lines) + "\n")
        (folder / f"{module}.py").write_text(textwrap.dedent(PLUGIN.format(names=names, description=description)))
        sys.modules.pop(module, None)
        written.append(module)
        plugins.refresh()

    install.folder = folder
    yield install
    for module in written:
        sys.modules.pop(module, None)


def index_file() -> Path:
    """The index file of the plugins as this process sees them now."""
    return plugin_index.index_path(plugin_index.fingerprint(entry_points(group="snnzoo"), plugins.BUILTIN_PLUGINS.values()))


def listing() -> tuple:
    """Everything ``snnzoo list`` and ``snnzoo plugins`` show, without loading any object."""
    registry = plugins.get_registry()
    entries = [(e.kind, e.name, e.description, e.plugin, e.builtin) for kind in ("model", "synapse", "stimulus",
               "integrator", "experiment") for e in registry.entries(kind)]
    return entries, sorted(registry.qualified_names()), plugins.plugin_report(), plugins.clash_report()


def fresh_listing() -> tuple:
    """The listing of a full load (index deleted first)."""
    plugin_index.forget(index_file().stem)
    plugins.refresh()
    found = listing()
    plugins.refresh()
    return found


def test_second_load_comes_from_the_index_and_gives_what_a_full_load_gives(cache):
    full = listing()
    assert not isinstance(plugins.get_registry().entries("model")[0], IndexedEntry)
    assert index_file().is_file()
    plugins.refresh()
    registry = plugins.get_registry()
    assert all(isinstance(e, IndexedEntry) for e in registry.entries("model"))
    assert listing() == full
    model = registry.model("adex")  # loads the adex plugin alone
    assert (model.name, type(model).__name__) == ("adex", "NeuronModel")
    assert registry.model("adex:adex") is model and registry.entry("model", "adex").obj is model
    assert not isinstance(registry.entry("model", "adex_tau"), IndexedEntry)  # the whole plugin is in
    assert isinstance(registry.entries("model")[-1], IndexedEntry)  # the others are not loaded
    assert listing() == full


@pytest.mark.filterwarnings("ignore:model 'first_model' from plugin:RuntimeWarning")  # two entry points, one model
def test_installing_changing_and_removing_a_plugin_distribution_invalidates_the_index(cache, site):
    listing()
    site("zoo_one", ["first_model"])
    assert "first_model" in plugins.get_registry().names("model")
    plugins.refresh()
    assert plugins.get_registry().model("first_model").description == "indexed"  # from the index, then loaded
    module = site.folder / "zoo_one.py"  # the plugin's source changes (an editable install), nothing else
    module.write_text(module.read_text().replace("'first_model'", "'first_model', 'second_model'"))
    sys.modules.pop("zoo_one")
    plugins.refresh()
    assert listing() == fresh_listing()
    assert plugins.get_registry().entry("model", "second_model").description == "indexed"
    site("zoo_one", ["first_model"], entry_points=["zoo_one", "zoo_again"])  # one more entry point
    assert {"zoo_one", "zoo_again"} <= {info.name for info in plugins.plugin_report()}
    assert listing() == fresh_listing()
    shutil.rmtree(site.folder / "zoo_zoo_one-1.0.dist-info")
    plugins.refresh()
    assert "first_model" not in plugins.get_registry().names("model")
    assert listing() == fresh_listing()


def test_two_environments_sharing_a_cache_folder_keep_their_own_index(cache, monkeypatch):
    # with one plugins.json, another virtual environment's command rewrote it, and the next command here
    # found it stale and loaded every plugin again (a warm run then imported sympy; seen in the test suite,
    # whose plugin-template test runs commands in a venv of its own with the same cache folder)
    listing()
    here = index_file()
    written = here.read_bytes()
    monkeypatch.setattr(sys, "prefix", str(cache / "another-venv"))
    elsewhere = plugin_index.index_path(here.stem)
    plugin_index.save(here.stem, [])
    assert elsewhere.parent != here.parent and elsewhere.is_file()
    monkeypatch.undo()
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(cache))
    assert here.read_bytes() == written
    plugins.refresh()
    assert all(isinstance(e, IndexedEntry) for e in plugins.get_registry().entries("model"))  # read from the index


def test_commands_that_see_another_sys_path_keep_their_own_index(cache, tmp_path):
    # a folder holding an .egg-info on sys.path changes the fingerprint: python started in a source checkout
    # (or pytest, which puts its root folder on sys.path). With one index per environment, such a command and
    # a plain one rewrote it for each other, and a warm run loaded every plugin (sympy included) again
    # (failed the suite's warm-run test once, in CI, with the tests running in two processes)
    listing()
    plain = index_file()
    checkout = tmp_path / "checkout"
    (checkout / "other.egg-info").mkdir(parents=True)
    (checkout / "other.egg-info" / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    sys.path.insert(0, str(checkout))
    try:
        plugins.refresh()
        assert listing() == fresh_listing()
        assert index_file() != plain and index_file().is_file()
    finally:
        sys.path.remove(str(checkout))
    plugins.refresh()
    assert all(isinstance(e, IndexedEntry) for e in plugins.get_registry().entries("model"))  # still indexed


def test_an_environment_keeps_its_newest_indexes_only(cache):
    keys = [f"{number:032x}" for number in range(plugin_index.KEPT_PER_ENVIRONMENT + 1)]
    past = time.time() - 100
    for age, key in enumerate(keys):
        plugin_index.save(key, [])
        os.utime(plugin_index.index_path(key), (past + age, past + age))
    kept = sorted(path.stem for path in plugin_index.index_path(keys[0]).parent.iterdir())
    assert kept == keys[1:] and plugin_index.read(keys[-1]) == []


def test_a_corrupt_index_is_ignored_and_rewritten(cache):
    full = listing()
    index = index_file()
    for damage in ("{not json", json.dumps({"format": 1, "fingerprint": json.loads(index.read_text())["fingerprint"],
                                             "plugins": [{"name": "adex", "entries": [["model", 3]]}]})):
        index.write_text(damage)
        plugins.refresh()
        assert listing() == full
        assert json.loads(index.read_text())["plugins"][0]["name"] == "integrators"  # rewritten whole


def test_an_index_that_no_longer_matches_its_plugin_is_dropped_when_the_plugin_loads(cache):
    full = listing()
    index = index_file()
    stored = json.loads(index.read_text())
    adex = next(p for p in stored["plugins"] if p["name"] == "adex")
    adex["entries"] = [e for e in adex["entries"] if e[1] != "adex_tau"] + [["model", "ghost", "not there", None]]
    index.write_text(json.dumps(stored))
    plugins.refresh()
    registry = plugins.get_registry()
    assert "ghost" in registry.names("model")  # the index is believed for names ...
    assert registry.model("adex").name == "adex"  # ... until the plugin loads and disagrees
    assert "ghost" not in registry.names("model") and "adex_tau" in registry.names("model")
    assert listing() == full
    assert "ghost" not in index.read_text()


def test_no_index_is_kept_while_a_plugin_fails_so_the_failure_is_reported_every_time(cache, site):
    site("zoo_broken", [])
    (site.folder / "zoo_broken.py").write_text("raise ImportError('needs libfoo')\n")
    for _ in range(2):
        plugins.refresh()
        with pytest.warns(RuntimeWarning, match="failed to load"):
            plugins.get_registry()
        (info,) = [info for info in plugins.plugin_report() if info.name == "zoo_broken"]
        assert "ImportError: needs libfoo" in info.failure
        assert not index_file().exists()


def test_threads_asking_for_one_indexed_plugin_load_it_once(cache, site):
    from concurrent.futures import ThreadPoolExecutor

    site("zoo_slow", ["slow_model"])
    module = site.folder / "zoo_slow.py"  # its hook takes a while, so that the threads overlap
    module.write_text(module.read_text().replace("    for name in", "    import time\n    time.sleep(0.3)\n    for name in"))
    listing()
    plugins.refresh()
    registry = plugins.get_registry()
    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: registry.model("slow_model"), range(4)))
    assert all(model is models[0] for model in models) and models[0].name == "slow_model"
