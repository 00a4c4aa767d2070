"""Start-up: what ``import snnzoo`` and the light commands load."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("matplotlib", "numba", "sympy", "scipy", "netCDF4")
"""Libraries that only a command needing them may load."""


def loaded_modules(code: str) -> set[str]:
    """The top-level module names a fresh interpreter holds after running ``code``."""
    report = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@functools.cache
def baseline_modules() -> frozenset[str]:
    return frozenset(loaded_modules("import numpy, pint, xarray"))


def heavy_modules(code: str) -> set[str]:
    """The heavy libraries ``code`` loads beyond what numpy, pint and xarray load themselves
    (pint imports the top of scipy when it is installed: that one is theirs, not ours)."""
    return {name for name in HEAVY if name in loaded_modules(code) - baseline_modules()}


def test_import_snnzoo_loads_no_heavy_library_and_still_registers_the_accessor():
    assert heavy_modules("import snnzoo, xarray\nassert hasattr(xarray.Dataset(), 'snn')") == set()


def test_snnzoo_help_loads_no_heavy_library():
    code = "from snnzoo import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass"
    assert heavy_modules(code) == set()


def test_snnzoo_list_loads_no_heavy_library_once_the_plugin_index_is_written():
    code = "import contextlib, io\nfrom snnzoo import cli\nwith contextlib.redirect_stdout(io.StringIO()):\n    cli.main(['list'])"
    loaded_modules(code)  # writes the plugin index if the session's cache has none yet
    assert heavy_modules(code) == set()


def test_names_are_imported_on_first_use():
    code = ("import sys, snnzoo\nassert 'sympy' not in sys.modules\n"
            "assert snnzoo.Network.__module__ == 'snnzoo.network.network' and 'numba' in sys.modules\n"
            "assert callable(snnzoo.model) and callable(snnzoo.stimulus) and callable(snnzoo.synapse_model)\n"
            "from snnzoo.sweeps import sweep\nimport snnzoo.sweeps.sweep\nassert callable(sweep)")
    assert "numba" in loaded_modules(code)


def test_dir_of_the_package_lists_what_it_offers_without_its_own_imports():
    """Tab completion lists ``dir(snnzoo)``: it showed ``TYPE_CHECKING``, ``annotations`` and the helpers
    ``__init__`` imports for itself."""
    import snnzoo

    listed = dir(snnzoo)
    assert set(snnzoo.__all__) <= set(listed) and "__version__" in listed and "__doc__" in listed
    assert not {"TYPE_CHECKING", "annotations", "import_pint_without_dask", "lazy_package", "checked_function"} & \
        set(listed)


def test_import_as_gives_every_submodule_and_the_lookup_functions_stay_functions():
    """`import snnzoo.stimulus as s` once gave the function snnzoo.stimulus, which shadowed the module (so did
    snnzoo.model, snnzoo.synapse_model and snnzoo.sweeps.sweep): `s.checked_drives` was an AttributeError.
    The specs now live in snnzoo.language, so importing them leaves the package's functions alone."""
    code = textwrap.dedent("""
        import importlib, pkgutil, sys, types
        import snnzoo, snnzoo.language, snnzoo.sweeps
        for package in (snnzoo, snnzoo.language, snnzoo.sweeps):
            for found in pkgutil.iter_modules(package.__path__):
                if found.name != "__main__":
                    name = f"{package.__name__}.{found.name}"
                    exec(f"import {name} as imported")
                    assert imported is sys.modules[name], (name, imported)
        import snnzoo.language.stimulus as stimulus_module
        assert stimulus_module.checked_drives
        for name in ("model", "synapse_model", "stimulus", "integrator"):
            assert isinstance(getattr(snnzoo, name), types.FunctionType), name
        assert type(snnzoo.stimulus("constant_current", amplitude="1 nA")).__name__ == "ConstantCurrent"
        assert snnzoo.model("lif").name == "lif" and snnzoo.synapse_model("stdp").name == "stdp"
        from snnzoo.sweeps import sweep
        assert sweep is sys.modules["snnzoo.sweeps.sweep"] and callable(sweep)
        print("ok")""")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_help_on_a_function_named_like_its_module_shows_the_function_first():
    """help(snnzoo.sweeps.sweep), a module called as its function, showed the module first, and
    inspect.signature gave (*args, **kwargs). snnzoo.stimulus and snnzoo.model were such modules too;
    they are plain functions now, so help shows them as functions."""
    import inspect
    import pydoc

    import snnzoo
    import snnzoo.sweeps

    module = snnzoo.sweeps.sweep
    function = sys.modules["snnzoo.sweeps.sweep"].sweep
    shown = pydoc.render_doc(module, renderer=pydoc.plaintext)
    assert shown.index(inspect.getdoc(function).splitlines()[0]) < shown.index("The module snnzoo.sweeps.sweep (import it")
    assert inspect.signature(module) == inspect.signature(function, eval_str=True)
    for name in ("stimulus", "model", "synapse_model"):
        shown = pydoc.render_doc(getattr(snnzoo, name), renderer=pydoc.plaintext)
        assert f"function {name} in module snnzoo" in shown
        assert inspect.getdoc(getattr(snnzoo, name)).splitlines()[0] in shown


def test_writing_a_result_does_not_load_dask_distributed_and_leaves_it_importable():
    code = ("import snnzoo as sz\nfrom snnzoo.results.tree import netcdf_bytes\n"
            "net = sz.Network(seed=1)\nnet.add_population('p', 'lif', 2)\nnet.run(sz.ureg('1 ms'))\n"
            "assert netcdf_bytes(net.result()).startswith(b'\\x89HDF')")
    assert "distributed" not in loaded_modules(code)
    assert "distributed" in loaded_modules(code + "\nimport distributed")


def test_png_from_the_agg_canvas_is_byte_for_byte_what_savefig_writes():
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    from snnzoo.results.plotting import PNG_COMPRESSION, png_bytes

    def figure(dpi: float) -> Figure:
        fig = Figure(figsize=(6, 3), layout="constrained", dpi=dpi)
        for k, ax in enumerate(fig.subplots(2, 2).flat):
            ax.plot(np.sin(np.linspace(0, k + 1, 200)), label=f"panel {k}")
            ax.set_title(f"panel {k}")
            ax.legend()
        return fig

    for dpi in (100, 72):
        expected, default = io.BytesIO(), io.BytesIO()
        figure(dpi).savefig(expected, format="png", dpi=100, pil_kwargs={"compress_level": PNG_COMPRESSION})
        figure(dpi).savefig(default, format="png", dpi=100)  # Pillow's own compression level
        fig = figure(dpi)
        canvas = fig.canvas
        made = png_bytes(fig)
        assert made == expected.getvalue()
        assert fig.dpi == dpi and fig.canvas is canvas
        # the faster compression changes the bytes, not the pixels
        assert made != default.getvalue()
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(made))), np.asarray(Image.open(default)))


def test_a_truncated_unit_cache_is_dropped_and_written_again(tmp_path):
    """pint writes its parsed definitions in place: a process stopped meanwhile leaves a truncated
    file, which must not stop every later start (it did: 'pickle data was truncated')."""
    import os

    import pint

    env = {**os.environ, "SNNZOO_CACHE_DIR": str(tmp_path)}
    check = [sys.executable, "-c", "import snnzoo; print(snnzoo.ureg('3 mV').to('V').magnitude)"]
    assert subprocess.run(check, env=env, capture_output=True, text=True, check=True).stdout.strip() == "0.003"
    cached = [path for path in (tmp_path / f"pint-{pint.__version__}").rglob("*") if path.is_file()]
    assert cached
    for path in cached:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    done = subprocess.run(check, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "0.003", done.stderr
    assert subprocess.run(check, env=env, capture_output=True, text=True, check=True).stdout.strip() == "0.003"
    assert any(path.is_file() for path in (tmp_path / f"pint-{pint.__version__}").rglob("*"))


@pytest.fixture(scope="module")
def modules_after_a_run(tmp_path_factory) -> set[str]:
    """Every module a fresh interpreter holds after ``snnzoo run adex-firing-patterns -q`` (run once
    before, so that the kernel and the plugin index are cached)."""
    code = textwrap.dedent("""
        import contextlib, io, json, sys
        from snnzoo import cli
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["run", "adex-firing-patterns", "-q"]) == 0
        print(json.dumps(sorted(name for name, module in sys.modules.items() if module is not None)))""")
    folder = tmp_path_factory.mktemp("run")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_warm_network_whose_projections_act_on_variables_loads_no_sympy():
    """Connecting onto a variable (``on="ge"``, as nearly every catalog network does) parsed the target's
    model to look for named synaptic targets, and imported sympy for the coefficient 1: 0.3-0.4 s of a warm
    run of coba-adex-network. A named target (statements in w) still parses."""
    code = textwrap.dedent("""
        import sys
        import snnzoo as sz
        net = sz.Network(seed=1, threads=1)
        net.add_population("p", "lif", 3)
        projection = net.connect("p", "p", "v", all_to_all=True, weight="1 mV", delay="0.2 ms")
        net.run(sz.ureg("2 ms"))
        print("sympy" in sys.modules, projection.statement)""")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "v", "+=", "w"]


def test_a_run_does_not_load_dask_array_and_dask_arrays_are_still_told_apart(modules_after_a_run):
    """xarray imported dask.array (with scipy.fft and scipy.special, 0.3 s) to tell whether the data of
    the result's variables were dask arrays."""
    assert "dask.array" not in modules_after_a_run
    code = textwrap.dedent("""
        import sys
        import snnzoo as sz
        from snnzoo.results.tree import netcdf_bytes
        net = sz.Network(seed=1)
        net.add_population("p", "lif", 2)
        net.run(sz.ureg("1 ms"))
        assert netcdf_bytes(net.result()).startswith(b"\\x89HDF") and "dask.array" not in sys.modules
        import dask.array, numpy, xarray
        masked = dask.array.from_array(numpy.ma.masked_array([1.0, 2.0], mask=[False, True]))
        print(xarray.Variable("x", masked).values.tolist())""")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[1.0, nan]"


def test_import_snnzoo_and_a_warm_run_load_no_dask(modules_after_a_run):
    """pint imported dask.base whenever dask is installed (with yaml, jinja2, toolz, psutil: 0.1-0.15 s), and
    xarray imported it to ask whether arrays were dask collections, and to write the labels of adex-firing-patterns."""
    assert "dask" not in loaded_modules("import snnzoo")
    assert not {name for name in modules_after_a_run if name.partition(".")[0] in ("dask", "toolz", "jinja2")}


DASK_QUANTITIES = textwrap.dedent("""
    import sys
    {first}
    import snnzoo
    print("dask" in sys.modules)
    import dask, dask.array, numpy, xarray
    from pint import compat
    quantity = snnzoo.ureg.Quantity(dask.array.arange(6.0, chunks=3), "mV")
    print(quantity.compute().to("V").magnitude.tolist(), dask.compute(quantity * 2)[0].magnitude.tolist(),
          type(quantity.persist().magnitude).__name__, dask.is_dask_collection(quantity),
          compat.compute(quantity)[0].magnitude.tolist(), sys.modules["dask.base"] is dask.base,
          dask.base.compute is dask.compute, xarray.DataArray(dask.array.ones(3, chunks=2)).chunks)""")


def test_quantities_of_dask_arrays_behave_as_when_pint_imported_dask_itself():
    """snnzoo imports pint without dask: a user who makes quantities of dask arrays afterwards gets what
    pint gives with dask imported before snnzoo."""
    outputs = {first: subprocess.run([sys.executable, "-c", DASK_QUANTITIES.format(first=first)], capture_output=True,
                                     text=True, check=True).stdout.splitlines() for first in ("", "import dask")}
    assert outputs[""][0] == "False" and outputs["import dask"][0] == "True"
    assert outputs[""][1:] == outputs["import dask"][1:] == [
        "[0.0, 0.001, 0.002, 0.003, 0.004, 0.005] [0.0, 2.0, 4.0, 6.0, 8.0, 10.0] Array True "
        "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0] True True ((2, 1),)"]


def test_pint_asking_for_more_of_dask_base_is_imported_with_dask():
    """A pint that imports other names from dask.base than the three deferred gets dask's own module."""
    code = textwrap.dedent("""
        import importlib.abc, importlib.machinery, sys
        class Compat(importlib.abc.MetaPathFinder, importlib.abc.Loader):  # pint.compat asking for one name more
            def find_spec(self, name, path=None, target=None):
                return importlib.machinery.ModuleSpec(name, self) if name == "pint.compat" else None
            def exec_module(self, module):
                exec(compile(self.source + "\\nfrom dask.base import tokenize", self.origin, "exec"), module.__dict__)
        import importlib.util, os
        finder = Compat()
        finder.origin = os.path.join(os.path.dirname(importlib.util.find_spec("pint").origin), "compat.py")
        finder.source = open(finder.origin).read()
        sys.meta_path.insert(0, finder)
        assert "pint" not in sys.modules
        import snnzoo
        from pint import compat
        dask_base = sys.modules["dask.base"]
        print(compat.tokenize is dask_base.tokenize, compat.compute is dask_base.compute)""")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_a_run_without_a_connectivity_matrix_does_not_load_scipy_sparse(modules_after_a_run):
    assert "scipy.sparse" not in modules_after_a_run
    code = ("import numpy as np, snnzoo as sz\nnet = sz.Network(seed=1)\nnet.add_population('p', 'lif', 2)\n"
            "projection = net.connect('p', 'p', 'v', matrix=np.array([[0, 1], [1, 0]]), weight='1 mV')\n"
            "print(type(projection.matrix()).__name__, projection.matrix().toarray().tolist())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["csr_matrix", "[[0.0,", "0.001],", "[0.001,", "0.0]]"]


def test_a_quiet_run_does_not_load_tqdm(modules_after_a_run):
    assert "tqdm" not in modules_after_a_run


def test_a_run_imports_matplotlib_without_the_set_docstrings_and_puts_the_step_back(tmp_path):
    """matplotlib worked out the signature and docstring of every drawn class's ``set`` method from the
    docstrings of its setters as it was imported: 0.12-0.15 s of CPU in every run, for docstrings no run shows."""
    code = textwrap.dedent("""
        import contextlib, io
        from snnzoo import cli
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["run", "lif-decay", "-q"]) == 0
        from matplotlib.artist import Artist
        from matplotlib.lines import Line2D
        class Later(Line2D):
            pass
        print(Line2D.set.__doc__, Line2D.set.__qualname__, "Supported properties" in Later.set.__doc__,
              Artist.__dict__["_update_set_signature_and_docstring"].__func__.__module__)""")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["None", "Line2D.set", "True", "matplotlib.artist"]


FIGURE_PNG = textwrap.dedent("""
    import hashlib
    {first}
    from matplotlib.lines import Line2D
    from snnzoo.catalog.experiment import Experiment
    from snnzoo.results.plotting import png_bytes
    experiment = Experiment.load("adex-firing-patterns")
    figure = experiment.figure(experiment.run(progress=False))
    line = figure.axes[0].lines[0]
    line.set(lw=2, color="C1")  # set takes aliases and properties as matplotlib's own does
    print(hashlib.sha256(png_bytes(figure)).hexdigest(), line.get_linewidth(), Line2D.set is not Line2D.__base__.set)""")


def test_the_figure_of_a_run_is_the_same_with_matplotlib_imported_without_the_set_docstrings():
    lean = "from snnzoo.results.matplotlib_import import import_matplotlib_without_set_docs\n" \
           "import_matplotlib_without_set_docs()"
    outputs = {first: subprocess.run([sys.executable, "-c", FIGURE_PNG.format(first=first)], capture_output=True,
                                     text=True, check=True).stdout.split() for first in ("", lean)}
    assert outputs[lean] == outputs[""] and outputs[""][1:] == ["2.0", "True"]


@pytest.mark.parametrize("command", ["list", "--help"])
def test_the_command_frees_python_s_shutdown_from_collecting_its_objects(command):
    """Python's shutdown ran full garbage collections over the whole heap while unloading modules:
    0.7 s of CPU after a warm run. The command freezes its objects out of the collector's reach first."""
    code = textwrap.dedent(f"""
        import atexit, contextlib, gc, io, os, sys
        atexit.register(lambda: os.write(2, f"frozen objects: {{gc.get_freeze_count()}}\\n".encode()))
        from snnzoo import cli
        sys.argv = ["snnzoo", {command!r}]
        with contextlib.redirect_stdout(io.StringIO()):
            cli.entry()""")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stderr.rpartition("frozen objects: ")[2])
    assert frozen > 10_000


def test_a_run_keeps_its_loaded_modules_out_of_collections_and_gives_them_back(tmp_path):
    """The garbage collector's full collections traversed the million objects of sympy, numba and
    matplotlib again and again during a run (0.3 s of CPU): they are frozen once loaded, and
    unfrozen when the command returns to a caller in the same process."""
    code = textwrap.dedent("""
        import contextlib, gc, io
        from snnzoo import cli
        from snnzoo.catalog import experiment as catalog
        frozen_while_running = []
        run = catalog.Experiment.run
        def recording_run(*args, **kwargs):
            frozen_while_running.append(gc.get_freeze_count())
            return run(*args, **kwargs)
        catalog.Experiment.run = recording_run
        with contextlib.redirect_stdout(io.StringIO()):
            assert cli.main(["run", "adex-firing-patterns", "-q"]) == 0
        print(frozen_while_running[0], gc.get_freeze_count(), gc.isenabled())""")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    while_running, after, enabled = done.stdout.split()
    assert int(while_running) > 100_000 and after == "0" and enabled == "True"


def test_a_warm_run_loads_no_sympy(modules_after_a_run):
    """A warm run imported sympy (0.2 s) and parsed the models the adex plugin registers (0.1 s) to find a
    kernel it already had: the models now read what their first parse found from the cache folder."""
    assert "sympy" not in modules_after_a_run



def test_a_warm_run_loads_its_kernel_without_numba_s_registries_or_scipy_linalg(modules_after_a_run):
    """numba refreshed its registries before loading the cached kernel (importing every implementation
    module, 0.1-0.15 s), and its BLAS check then imported all of scipy.linalg (0.15-0.2 s); the machine
    code loaded from the cache needs neither."""
    assert "numba.core.dispatcher" in modules_after_a_run and "snnzoo.engine.cached_load" in modules_after_a_run
    assert not {"numba.np.arraymath", "numba.typed.typeddict", "scipy.linalg"} & modules_after_a_run


WARM_THEN_COMPILE = textwrap.dedent("""
    import sys
    import numpy as np
    import snnzoo as sz
    from numba import njit, typed
    net = sz.Network(seed=4, threads={threads})
    net.add_population("p", "adex", 40)
    net.add_source("s", sz.stimulus("poisson_group", size=30, rate="300 Hz"))
    net.connect("s", "p", "v", weight="3 mV", p=0.3)
    net.record("p", "v", neurons=[0, 39])
    net.run(sz.ureg("60 ms"))
    ds = net.result()["p"].to_dataset()
    refreshed = "numba.np.arraymath" in sys.modules
    total = njit(lambda a: np.sum(np.sort(a)))(np.arange(4.0))  # a compile after the loads: numba refreshes then
    squares = typed.Dict()
    squares[3] = 9
    print(ds.spike_count.values.tolist(), ds.spike_time.values.tolist()[:20], ds.v.values.sum().hex())
    print(refreshed, total, squares[3])""")


@pytest.mark.parametrize("threads", [1, 2])
def test_kernels_loaded_from_the_cache_run_as_compiled_and_numba_still_compiles_afterwards(tmp_path, threads):
    """A first run compiles (numba refreshes its registries); a second, with the same cache, loads the kernel
    and the connectivity functions without the refresh: the same result, and numba still compiles after."""
    env = {**os.environ, "SNNZOO_CACHE_DIR": str(tmp_path)}
    code = WARM_THEN_COMPILE.format(threads=threads)
    cold, warm = (subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
                  .stdout.splitlines()[-2:] for _ in range(2))
    assert cold[1] == "True 6.0 9" and warm[1] == "False 6.0 9"
    assert warm[0] == cold[0] and sum(json.loads(cold[0].partition("]")[0] + "]")) > 0


def test_numba_finds_blas_as_its_own_check_does_and_a_kernel_with_np_dot_still_compiles(tmp_path):
    """With an empty kernel cache: numba compiles, its registries loaded with snnzoo's BLAS check."""
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import snnzoo as sz
        from snnzoo.engine import numba_blas
        net = sz.Network(seed=1)
        net.add_population("p", "lif", 2)
        net.run(sz.ureg("1 ms"))
        from numba.np import arraymath, linalg
        assert "scipy.linalg" not in sys.modules
        assert arraymath.ensure_blas is linalg.ensure_blas and linalg.ensure_blas.__module__ == "numba.np.linalg"
        found_here = arraymath._HAVE_BLAS
        assert found_here == numba_blas.cython_blas_installed()
        assert found_here == arraymath._check_blas()  # numba's own check, which imports scipy.linalg
        from numba import njit
        dot = njit(lambda a, b: np.dot(a, b))
        print(found_here, dot(np.arange(3.0), np.arange(3.0)), "scipy.linalg" in sys.modules)""")
    env = {**os.environ, "SNNZOO_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "5.0", "True"]


CELL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, ".")
    import snnzoo as sz
    from cell import CELL
    net = sz.Network(seed=1, dt="0.1 ms")
    net.add_population("p", CELL, 1)
    net.run("100 ms")
    print(int(net.result()["p"].to_dataset().spike_count.values[0]), "sympy" in sys.modules)""")


def _run_cell(folder, equation: str, tau: str) -> tuple[int, bool]:
    """The spike count of a one-neuron model written to ``folder/cell.py``, and whether its run imported sympy."""
    (folder / "cell.py").write_text(textwrap.dedent(f"""
        import snnzoo as sz
        CELL = sz.NeuronModel("cell", "{equation}", {{"E_L": "-70 mV", "R": "100 Mohm", "I0": "300 pA",
                              "tau": "{tau}"}}, threshold="v > -50*mV", reset="v = E_L", initial={{"v": "E_L"}})"""))
    env = {**__import__("os").environ, "SNNZOO_CACHE_DIR": str(folder / "cache")}
    done = subprocess.run([sys.executable, "-c", CELL_SCRIPT], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split()
    return int(count), loaded == "True"


def test_a_model_changed_after_a_warm_run_is_parsed_again_and_runs_as_changed(tmp_path):
    """A warm run takes a model's variables and units from what an earlier parse of the same model
    text found; editing the equation or a parameter's default must reach the run all the same."""
    equation = "dv/dt = (E_L - v + R*I0)/tau : volt"
    cold, warm = _run_cell(tmp_path, equation, "10 ms"), _run_cell(tmp_path, equation, "10 ms")
    assert cold[1] and warm == (cold[0], False) and cold[0] > 0
    faster = "dv/dt = 2*(E_L - v + R*I0)/tau : volt"
    changed = _run_cell(tmp_path, faster, "10 ms")
    assert changed[1] and changed[0] > cold[0]  # parsed (and a new kernel generated): twice as fast
    assert _run_cell(tmp_path, faster, "10 ms") == (changed[0], False)
    assert _run_cell(tmp_path, faster, "40 ms")[0] < changed[0]  # a new default: another summary
    assert _run_cell(tmp_path, equation, "10 ms") == warm  # the first text again: its summary, its kernel


def _adex_arguments() -> dict:
    from snnzoo_adex import ADEX

    return dict(ADEX.arguments)


def test_a_model_made_from_its_summary_equals_the_parsed_model(tmp_path, monkeypatch):
    import snnzoo as sz
    from snnzoo.engine import kernel_key

    arguments = _adex_arguments()  # imports the plugin, whose models use the session's cache
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    parsed, summarised = sz.NeuronModel(**arguments), sz.NeuronModel(**arguments)
    assert "equations" in vars(parsed) and "equations" not in vars(summarised)
    for attribute in ("state_variables", "variables", "linked_variables", "constant_variables", "unless_refractory",
                      "units", "parameters", "noise_names", "recordables", "refractory_text", "initial", "presets",
                      "aliases", "synapses_text"):
        assert getattr(summarised, attribute) == getattr(parsed, attribute), attribute
    assert summarised.refractoriness == parsed.refractoriness and list(summarised.subexpressions) == []

    def key(model) -> str:
        walker = kernel_key._Walker()
        walker.walk(model)
        return walker.digest.hexdigest()

    unparsed_key = key(summarised)
    assert summarised.describe() == parsed.describe() and "equations" in vars(summarised)  # parsed when read
    assert key(summarised) == unparsed_key == key(parsed)


def test_what_a_model_was_made_from_changed_afterwards_changes_no_model(tmp_path, monkeypatch):
    import snnzoo as sz
    from snnzoo.engine import kernel_key

    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    parameters = {"tau": "10 ms"}
    made = {"equations": "dv/dt = -v/tau : volt", "parameters": parameters, "threshold": "v > 1*mV", "reset": "v = 0*mV"}
    parsed, summarised = sz.NeuronModel("leak", **made), sz.NeuronModel("leak", **made)
    parameters["tau"] = "20 ms"  # after both were made: the summarised model parses later, when first read
    before = kernel_key._Walker()
    before.walk(summarised)
    assert summarised.describe() == parsed.describe() and summarised.parameters["tau"].default == 0.01
    after = kernel_key._Walker()
    after.walk(summarised)
    assert after.digest.hexdigest() == before.digest.hexdigest()


def test_a_model_finds_its_integrator_and_constants_when_asked_and_its_summary_keeps_them(tmp_path, monkeypatch):
    """Trying 'exact' on a linear system can take seconds (lif_curr_exp: 1.9 s). Models chose when they
    were made, for their summaries, so a start with an empty cache folder paid it for every linear model
    the plugins register, used or not: a first run of adex-firing-patterns cost 4.7 s above a warm one.
    The constants' magnitudes (read by single precision only) are found when asked too."""
    import snnzoo as sz
    from snnzoo.language import integrators

    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    made = {"name": "two_leaks", "equations": "dv/dt = (u - v)/tau : volt\ndu/dt = -u/tau_u : volt",
            "parameters": {"tau": "10 ms", "tau_u": "5 ms"}, "threshold": "v > 1*mV", "reset": "v = 0*mV"}
    integrators._propagators.cache_clear()
    model = sz.NeuronModel(**made)
    (summary,) = (tmp_path / "models").iterdir()
    assert integrators._propagators.cache_info().misses == 0
    assert json.loads(summary.read_text())["automatic_integrator"] is None
    assert model.automatic_integrator() == ("exact", "the equations are linear")
    assert json.loads(summary.read_text())["automatic_integrator"] == ["exact", "the equations are linear"]
    assert json.loads(summary.read_text())["constant_magnitudes"] is None
    assert model.constant_magnitudes == [("equation 'dv/dt = (u - v)/tau : volt'", 1.0, 1.0),
                                         ("equation 'du/dt = -u/tau_u : volt'", 1.0, 1.0),
                                         ("threshold 'v > 1*mV'", 0.001, 0.001)]  # 1 mV in volts; the reset's 0 none
    again = sz.NeuronModel(**made)
    assert again.automatic_integrator() == model.automatic_integrator() and "equations" not in vars(again)
    assert again.constant_magnitudes == model.constant_magnitudes and "equations" not in vars(again)


def test_a_damaged_model_summary_is_parsed_again_and_rewritten(tmp_path, monkeypatch):
    import snnzoo as sz

    arguments = _adex_arguments()  # imports the plugin, whose models use the session's cache
    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    sz.NeuronModel(**arguments)
    (summary,) = (tmp_path / "models").iterdir()
    whole = summary.read_text()
    for damaged in (whole[: len(whole) // 2], whole.replace('"volt"', '"not_a_unit"'), "{}", ""):
        summary.write_text(damaged)
        assert "equations" in vars(sz.NeuronModel(**arguments))
        assert json.loads(summary.read_text()) == json.loads(whole)
    assert "equations" not in vars(sz.NeuronModel(**arguments))


def test_a_bad_model_gets_its_error_every_time_and_no_summary(tmp_path, monkeypatch):
    import snnzoo as sz

    monkeypatch.setenv("SNNZOO_CACHE_DIR", str(tmp_path))
    for _ in range(2):
        with pytest.raises(sz.EquationError, match="right-hand side is in .*volt.* but dv/dt must be in"):
            sz.NeuronModel("bad", "dv/dt = -v : volt")
    assert not (tmp_path / "models").exists()


def test_the_summary_key_tells_every_argument_apart():
    from snnzoo import Parameter, ureg
    from snnzoo.language.model_summary import summary_key

    arguments = _adex_arguments()
    variants = [arguments,
                {**arguments, "equations": arguments["equations"] + " "},
                {**arguments, "parameters": {**arguments["parameters"], "b": Parameter("1 pA", "increment")}},
                {**arguments, "parameters": {**arguments["parameters"], "b": "0 pA"}},
                {**arguments, "refractory": ureg.Quantity(2, "ms")},
                {**arguments, "refractory": ureg.Quantity(2.0, "ms")},
                {**arguments, "integrator": "rk4"}]
    keys = [summary_key("NeuronModel", variant) for variant in variants]
    assert None not in keys and len(set(keys)) == len(keys)
    assert summary_key("NeuronModel", arguments) == keys[0]
    assert summary_key("NeuronModel", {**arguments, "functions": {"stim": object()}}) is None
