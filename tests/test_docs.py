"""The documentation in docs/: it builds with MkDocs in strict mode, covers every hook, protocol
and experiment key, its gallery matches the catalog, the README links only to files that exist and
lists every page, the README's quick start and the experiment page's example run as written, quoted
errors are the ones snnzoo gives, and the design page's layers hold the modules the code has, in the
order their imports allow."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from snnzoo.catalog import schema as catalog_schema
from snnzoo.plugins import loader as plugins
from snnzoo.plugins import protocols
from snnzoo.catalog.experiment import Experiment
from snnzoo.errors import UnitError
from snnzoo.plugins.loader import get_registry

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOT_KEYS = {"cell", "synapse", "units", "experiment", "experiment_spec", "snnzoo_version"}
"""Strings catalog/experiment.py uses as dataset dimensions and result attributes, not as keys of an experiment file."""


def catalog_keys() -> set[str]:
    """Every string catalog/experiment.py reads from an experiment (subscripts, .get/.pop, 'in' tests, key sets and tuples),
    and every key of the schema in catalog/schema.py."""
    tree = ast.parse((ROOT / "snnzoo" / "catalog" / "experiment.py").read_text())

    def strings(node: ast.AST) -> list[str]:
        return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]

    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            found.update(strings(node.slice))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop"):
            found.update(strings(node.args[0]) if node.args else [])
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            found.update(strings(node.left))
        elif isinstance(node, ast.Set):
            found.update(strings(node))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and "keys" in t.id.lower() for t in node.targets):
            found.update(strings(node.value))
    schema = {key.name for table in catalog_schema.ALL_TABLES for key in table.keys}  # the keys files are checked against
    return ({key for key in found if re.fullmatch(r"[a-z_][a-z0-9_]*", key)} - NOT_KEYS) | schema


def test_every_key_the_catalog_reads_is_on_the_experiments_page():
    page = (DOCS / "experiments.md").read_text()
    keys = catalog_keys()
    assert {"populations", "preset", "rel_tolerance", "source_variable", "fixed_in_degree"} <= keys
    missing = sorted(key for key in keys if f"`{key}`" not in page)
    assert not missing, f"docs/experiments.md does not document {missing}"


def test_every_hook_and_protocol_is_in_the_author_guide():
    page = (DOCS / "plugins.md").read_text()
    names = list(plugins.HOOK_NAMES) + [
        name for name, value in vars(protocols).items()
        if isinstance(value, type) and getattr(value, "_is_protocol", False) and value.__module__ == protocols.__name__
    ]
    assert len(names) >= 12
    missing = [name for name in names if f"`{name}`" not in page]
    assert not missing, f"docs/plugins.md does not document {missing}"


def test_gallery_matches_the_catalog():
    spec = importlib.util.spec_from_file_location("docs_gallery", DOCS / "gallery.py")
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    assert (DOCS / "gallery.md").read_text() == gallery.page(), "run: python docs/gallery.py --page"
    for name in get_registry().names("experiment"):
        assert (DOCS / "gallery" / f"{name}.png").is_file(), f"no figure for {name}: run python docs/gallery.py"
    sweeps = [name for name in get_registry().names("experiment") if gallery.has_sweep_figure(Experiment.load(name))]
    assert {"fi-curve", "ei-network-rates"} <= set(sweeps)
    for name in sweeps:
        assert (DOCS / "gallery" / f"{name}-sweep.png").is_file(), f"no sweep figure for {name}: python docs/gallery.py"


def test_mkdocs_builds_without_warnings(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(tmp_path / "site")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "plugins" / "index.html").is_file()


@pytest.mark.parametrize("readme", ["README.md", "examples/README.md", "tests/reference/README.md"])
def test_readme_links_point_to_files_that_exist(readme):
    text = (ROOT / readme).read_text()
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if "://" not in link]
    missing = [link for link in local if not (ROOT / readme).parent.joinpath(link).exists()]
    assert not missing, f"{readme} links to missing files: {missing}"


def test_readme_names_the_plugin_modules_the_core_registers_in_code():
    """After the reorganisation into packages the README still called snnzoo.language.integrators the core's
    plugin; the module the loader registers is snnzoo.plugins.builtin_integrators."""
    text = (ROOT / "README.md").read_text()
    integrators = text.split("## Integrators")[1].split("\n## ")[0]
    assert f"core's own plugin (`{plugins.BUILTIN_PLUGINS['integrators']}`)" in integrators


def test_readme_unit_error_example_is_what_snnzoo_says():
    """The Units section quoted the error for adex's parameter 'C', its name before the naming convention
    made it C_m (the old name is only a deprecated alias)."""
    import snnzoo as sz

    units = (ROOT / "README.md").read_text().split("## Units")[1].split("\n## ")[0]
    quoted = re.search(r"`(population 'a' \(model 'adex'\): parameter '(\w+)': .*?)`", units)
    message, name = quoted.groups()
    assert name in get_registry().model("adex").parameters, f"the README's example uses the old name {name!r}"
    with pytest.raises(UnitError) as error:
        sz.Network(dt="0.1 ms").add_population("a", "adex", 2, parameters={name: 200})
    assert str(error.value) == message


def code_blocks(path: Path, language: str) -> list[str]:
    """The fenced code blocks of ``language`` in a Markdown file, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(), flags=re.S | re.M)


def test_readme_quick_start_runs_as_written(capsys):
    quick_start = code_blocks(ROOT / "README.md", "python")[0]
    assert "sz.NeuronModel(" in quick_start and "net.run(" in quick_start
    exec(compile(quick_start, "README.md (quick start)", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "5.0 millivolt"  # as its comment says
    assert printed[1] == "[8 4 3] V"  # spike counts of tau = 10, 20, 30 ms, and the unit of v


@pytest.mark.parametrize("page", ["README.md", "docs/sweeps.md"])
def test_the_sweep_example_names_the_dimensions_it_gives(page, monkeypatch):
    """Its comment said "dims: weight x duration x seed (x population)" of a mean over seeds at one population:
    the axis of projections.excitatory.weight is excitatory_weight, and seed and population are gone.
    The sweep is replaced by a dataset of zeros with the dimensions the real one has (9 runs are not needed)."""
    import numpy as np
    import xarray as xr

    import snnzoo as sz
    from snnzoo.sweeps.grid import make_grid

    def dataset_of_its_shape(experiment, grid, seeds, out):
        plan = make_grid(Experiment.load(experiment).spec, grid, False, seeds)
        return xr.Dataset({"mean_rate": (plan.dims + ("population",), np.zeros(plan.shape + (1,)))},
                          coords={"population": ["G"]})

    monkeypatch.setattr(sz, "sweep", dataset_of_its_shape)
    *setup, last = [block for block in code_blocks(ROOT / page, "python") if "sz.sweep(" in block][0].strip().splitlines()
    expression, comment = last.split("#")
    names = {}
    exec("\n".join(setup), names)
    found = eval(expression, names)
    assert comment.strip() == "dims: " + " x ".join(found.dims)


def test_the_experiment_page_example_runs_and_its_check_holds(tmp_path):
    from snnzoo.catalog.experiment import Experiment

    (example,) = code_blocks(DOCS / "experiments.md", "toml")
    path = tmp_path / "example.toml"
    path.write_text(example)
    experiment = Experiment.load(str(path))
    tree = experiment.run()
    assert [(check.found, check.passed) for check in experiment.check(tree)] == [(42, True)]
    experiment.figure(tree)  # its [figure] table draws


def test_the_readme_lists_every_page_of_the_docs():
    """The README's list of the pages in docs/ had left out the experiment file reference and the
    bad-input page."""
    listed = (ROOT / "README.md").read_text().split("Documentation beyond this README is in")[1].split("build it")[0]
    pages = re.findall(r"^\s*- [^:]+: (\S+\.md)$", (ROOT / "mkdocs.yml").read_text(), flags=re.M)
    assert len(pages) >= 12
    missing = [page for page in pages if page != "index.md" and f"(docs/{page})" not in listed]
    assert not missing, f"the README's list of documentation pages lacks {missing}"


def test_the_design_page_names_every_module_and_folder_of_the_package():
    """docs/design.md lists what each layer holds; it had not named pint_import.py, a top-level module
    that tests/test_architecture.py places in the bottom layer."""
    page = (DOCS / "design.md").read_text()
    package = ROOT / "snnzoo"
    modules = [path.name for path in package.glob("*.py") if path.name not in ("__init__.py", "__main__.py")]
    folders = [path.name for path in package.iterdir() if (path / "__init__.py").is_file() and not path.is_symlink()]
    assert "engine" in folders and "units.py" in modules
    missing = [name for name in modules if f"`{name}`" not in page and f"`snnzoo/{name}`" not in page]
    missing += [f"{name}/" for name in folders if f"`snnzoo/{name}/`" not in page]
    assert not missing, f"docs/design.md does not name {missing}"


def test_the_experiment_page_quotes_the_error_snnzoo_gives(tmp_path, monkeypatch):
    """Its example of a one-line experiment error stopped short of what snnzoo prints."""
    page = (DOCS / "experiments.md").read_text()
    quoted = re.search(r'"(experiment file my\.toml: \[monitors\.v\]: .*?)"', page).group(1)
    monkeypatch.chdir(tmp_path)
    Path("my.toml").write_text('duration = "10 ms"\n[populations.E]\nmodel = "lif"\nsize = 2\n'
                               '[monitors.v]\npopulation = "E"\nvariables = ["v"]\nrate = "3 ms"\n')
    with pytest.raises(UnitError) as error:
        Experiment.load("my.toml").build(seed=1)
    assert str(error.value) == quoted


def test_readme_names_every_plugin_the_core_registers_in_code():
    """The README said only the core's integrators always load; the top-level catalog is a plugin
    registered in code too, in the snnzoo distribution."""
    section = (ROOT / "README.md").read_text().split("\n## Plugins")[1].split("\n## ")[0]
    always = next(sentence for sentence in section.split(";") if "always load" in sentence)
    distributions = section.split("Built-in distributions:")[1].split("`snnzoo-lif`")[0]
    for name in plugins.BUILTIN_PLUGINS:
        assert f"`{name}`" in always, f"the README does not say that the plugin {name!r} always loads"
        assert f"`{name}`" in distributions, f"the README does not place the plugin {name!r} in the snnzoo distribution"


def test_readme_names_the_kernel_folder_under_the_cache_variable(monkeypatch, tmp_path):
    """The Engine section said kernels are written to $SNNZOO_CACHE_DIR; they go to its kernels/ folder."""
    from snnzoo.engine import kernel_cache

    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    folder = kernel_cache.cache_dir().relative_to(tmp_path).as_posix()
    engine = (ROOT / "README.md").read_text().split("\n## Engine")[1].split("\n## ")[0]
    written = re.search(r"Kernels are written to `~/\.cache/snnzoo/(.+?)` \(or `\$SNNZOO_CACHE_DIR(.*?)`\)", engine)
    assert written.groups() == (f"{folder}/", f"/{folder}/")


def test_each_layer_of_the_design_page_imports_only_layers_listed_before_it():
    """docs/design.md says a layer uses only the ones above it, but listed the command line with the
    catalog, above the sweeps that snnzoo.cli imports."""
    spec = importlib.util.spec_from_file_location("architecture", ROOT / "tests" / "test_architecture.py")
    architecture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(architecture)
    layers = (DOCS / "design.md").read_text().split("## Layers")[1].split("\n## ")[0]
    place = {}
    for number, folders in re.findall(r"^(\d+)\. \*\*[^*]+\*\* \(([^)]*)\)", layers, flags=re.M):
        for name in re.findall(r"`snnzoo/(\w+)", folders):
            place.setdefault(name, int(number))
    assert {"units", "language", "engine", "cli", "sweeps"} <= set(place)

    def layer(module: str) -> int | None:
        return place.get(module.split(".")[1]) if "." in module else None

    wrong = sorted({(module, target) for module, targets in architecture._imports().items() for target in targets
                    if layer(module) is not None and layer(target) is not None and layer(target) > layer(module)})
    assert not wrong, f"docs/design.md lists these imported modules in a later layer than their importers: {wrong}"


def test_the_experiment_page_says_which_projection_keys_take_an_expression():
    """The reference (from the schema) gives weight and p as expressions of i and j too; the experiment
    page's table said one value, one per synapse or a distribution, and a probability."""
    page = (DOCS / "experiments.md").read_text().split("## `[projections.NAME]`")[1].split("\n## ")[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*) \|$", page, flags=re.M))
    takes = [key.name for key in catalog_schema.NAMED_TABLES["projections"].keys
             if "an expression of `i` and `j`" in key.description]
    assert {"weight", "p"} <= set(takes)
    missing = [name for name in takes if "an expression of `i` and `j`" not in rows[name]]
    assert not missing, f"docs/experiments.md does not say that {missing} may be expressions of i and j"
