"""Threads: every catalog experiment gives the same result bit for bit with 1 and 2 threads; bad thread counts."""

from __future__ import annotations

import platform
import re
import types

import numpy as np
import pytest
import xarray as xr

import snnzoo as sz
from snnzoo import ureg as u
from snnzoo.catalog.experiment import Experiment
from snnzoo.cli import main
from snnzoo.engine import codegen, layout
from snnzoo.engine.runtime import BLOCK_ALIGNMENT, block_start, first_at_least
from snnzoo.engine.simulation import available_cores
from snnzoo.engine.thread_choice import PROBE_EVERY, PROBE_STEPS, ThreadChoice
from snnzoo.errors import ConfigError
from snnzoo.plugins.loader import get_registry
from snnzoo.results.tree import open_result, provenance
from snnzoo.units import to_si

EXPERIMENTS = sorted(get_registry().names("experiment"))
SHORT = 0.03
"""Seconds each experiment (each phase of its protocol) runs here: enough for spikes,
drives, noise, Poisson input and delays to act, while the kernels' compilation dominates."""


def shortened(name: str) -> Experiment:
    experiment = Experiment.load(name)
    spec = experiment.spec
    if "duration" in spec:
        spec["duration"] = f"{min(to_si(spec['duration'], 's', what='duration'), SHORT)} s"
    for phase in spec.get("protocol", []):
        if "run" in phase:
            phase["run"] = f"{min(to_si(phase['run'], 's', what='run'), SHORT)} s"
    return experiment


def assert_same_results(a: xr.DataTree, b: xr.DataTree) -> None:
    assert set(a.children) == set(b.children)
    for name in a.children:
        xr.testing.assert_identical(a[name].to_dataset(), b[name].to_dataset())
    assert a.attrs["seed"] == b.attrs["seed"]


@pytest.mark.slow  # compiles every experiment's kernel with parallel loops
@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_is_bit_identical_with_one_and_two_threads(name, monkeypatch):
    # every loop that may run in parallel does so here, however small the population
    monkeypatch.setattr(layout, "PARALLEL_MIN_SIZE", 1)
    one = shortened(name).run(threads=1, checks=False)  # the checks are for the full-length runs
    two = shortened(name).run(threads=2, checks=False)
    assert_same_results(one, two)
    assert [run["threads"] for run in provenance(two)["runs"]] == [2] * len(provenance(one)["runs"])


def test_parallel_kernel_has_parallel_loops_and_serial_has_none(monkeypatch):
    monkeypatch.setattr(layout, "PARALLEL_MIN_SIZE", 1)
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=2)
    net.add_population("p", "lif", 3)
    plan = net._plan()
    assert "prange(" in codegen.generate(plan, threads=2) and "parallel=True" in codegen.generate(plan, threads=2)
    assert "prange(" not in codegen.generate(plan, threads=1)


@pytest.mark.parametrize("threads, message", [
    (0, "threads: expected a whole number >= 1, got 0"),  # it said "(at most 2, the cores here)", though
    (-1, "threads: expected a whole number >= 1, got -1"),  # more than the cores is taken with a warning
    (1.5, r"threads: expected a whole number, got 1.5 \(it would be truncated\)"),
    ("2", "threads: expected a whole number, got '2'"),
    (True, "threads: expected a whole number, got True"),
])
def test_bad_thread_counts_are_refused(threads, message):
    with pytest.raises(ConfigError, match=f"^{message}$"):
        sz.Network(dt=0.1 * u.ms, threads=threads)


def test_a_thread_count_is_a_whole_number_as_everywhere():
    assert sz.Network(dt=0.1 * u.ms, threads=1.0).threads == 1  # as 1.0 is seed 1 or index 1; it was refused


def test_more_threads_than_cores_warns_and_caps():
    with pytest.warns(UserWarning, match="more than the") as warned:
        net = sz.Network(dt=0.1 * u.ms, threads=available_cores() + 3)
    assert net.threads == available_cores()
    assert warned[0].filename == __file__  # the user's line, not Network's argument check


def test_default_is_every_core():
    assert sz.Network(dt=0.1 * u.ms).threads == available_cores()


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86-64 machine code")
def test_shared_loops_still_vectorise():
    # A block's loop over [first, last) once indexed arrays with int64 neurons, and numba's test for
    # negative indices kept LLVM from vectorising it: two threads ran W6 3x slower than one.
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=2)
    net.add_population("p", "adex", layout.PARALLEL_MIN_SIZE, integrator="euler", refractory=2 * u.ms)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=600 * u.pA), "p")
    update = _shared_block(net, "spiking")
    packed_arithmetic = re.compile(r"\bv(mul|add|sub|fmadd\d+)pd\b")  # several doubles per instruction
    assert any(packed_arithmetic.search(asm) for asm in update.inspect_asm().values())


def test_shared_delivery_asks_for_the_next_row_in_advance():
    # each thread's part of a row of targets is short, so the hardware's prefetcher barely starts on it
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=2)
    net.add_population("p", "lif", layout.PARALLEL_MIN_SIZE)
    net.connect("p", "p", on="v", weight=0.1 * u.mV, p=0.1)
    delivery = _shared_block(net, "following")
    assert any(re.search(r"\bprefetcht0\b", asm) for asm in delivery.inspect_asm().values())


def _shared_block(net: sz.Network, local: str):
    """The compiled block function of ``net``'s two-thread kernel that has the local variable ``local``."""
    net.run(1 * u.ms)
    simulation = net._simulation
    source = codegen.generate(simulation.plan, threads=2).replace("cache=True", "cache=False")
    module = types.ModuleType("shared_loops_kernel")
    exec(compile(source, "<kernel>", "exec"), module.__dict__)
    arrays = simulation.arrays
    arrays[layout.CTRL][[layout.START, layout.END, layout.THREADS]] = (simulation.step, simulation.step + 1, 1)
    module.kernel(*[arrays[name] for name in layout.arguments(simulation.plan, threads=2)])
    return next(f for name, f in vars(module).items()
                if name.startswith("block") and local in f.py_func.__code__.co_varnames)


def test_small_populations_stay_serial():
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=2)
    net.add_population("p", "lif", layout.PARALLEL_MIN_SIZE - 1)
    assert "parallel=False" in codegen.generate(net._plan(), threads=2)


def test_thread_choice_runs_with_the_count_that_was_faster_in_the_last_probe():
    choice = ThreadChoice(2)
    assert choice.next(2000) == (2, 1)  # loads the kernel and starts the threads
    assert choice.next(3 * PROBE_STEPS) == (2, 3 * PROBE_STEPS)  # too short a run to probe
    for slower in (2, 1):
        probes = []
        for _ in range(2):
            threads, steps = choice.next(2000)
            probes.append(threads)
            choice.record(threads, steps, 2.0 if threads == slower else 1.0)
        assert sorted(probes) == [1, 2] and steps == PROBE_STEPS
        assert [choice.next(2000) for _ in range(PROBE_EVERY)] == [(3 - slower, 2000)] * PROBE_EVERY
    choice.record(1, 2000, 2000 * 3.0 / PROBE_STEPS)  # one thread became slower per step than two's last probe
    assert choice.best == 2
    assert ThreadChoice(1).next(2000) == (1, 2000)


def test_a_probe_the_kernel_cut_short_never_runs_past_the_end():
    choice = ThreadChoice(2)
    choice.record(*choice.next(2000), 0.001)
    threads, steps = choice.next(2000)
    assert steps == PROBE_STEPS
    choice.record(threads, 30, 0.01)  # the kernel returned after 30 steps: a spike buffer was full
    assert choice.next(60) == (threads, 60)  # the probe again, within the 60 steps left


def test_a_probe_cut_short_goes_on_until_it_has_run_its_steps():
    # every kernel call stops after 30 steps (full spike buffers): the probe of one thread was
    # repeated in every call, so two threads were never tried
    choice = ThreadChoice(2)
    choice.record(*choice.next(2000), 0.001)
    tried = []
    for _ in range(20):
        threads, steps = choice.next(2000)
        tried.append(threads)
        ran = min(steps, 30)
        choice.record(threads, ran, ran * (3e-6 if threads == 1 else 1e-6))  # two threads 3x faster
    assert tried[:8] == [1, 1, 1, 1, 2, 2, 2, 2]  # 30 + 30 + 30 + 10 steps of each
    assert choice.best == 2 and set(tried[8:]) == {2}


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_a_run_whose_spike_buffers_fill_with_two_threads_ends_at_its_duration():
    # every neuron spikes every step, so each kernel call stops after about 30 steps with a full
    # spike buffer; the thread probes then ran 100 steps past the end of a 450-step run
    always = sz.NeuronModel("always", "dv/dt = 1/tau : 1", {"tau": "0.01 ms"}, threshold="v > 1", reset="v = 0")
    net = sz.Network(dt=0.1 * u.ms, seed=1, threads=2)
    net.add_population("p", always, layout.PARALLEL_MIN_SIZE)
    net.run(45 * u.ms)
    result = net.result()
    assert provenance(result)["runs"][0]["duration"] == pytest.approx(0.045)
    assert result["p"]["spike_count"].values.tolist() == [450] * layout.PARALLEL_MIN_SIZE


def test_cli_threads(capsys, tmp_path):
    code = main(["run", "lif-decay", "-q", "--threads", "0", "-o", str(tmp_path / "x.nc")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("snnzoo: error: threads: expected a whole number >= 1, got 0") and err.count("\n") == 1
    assert not (tmp_path / "x.nc").exists()
    code = main(["run", "lif-decay", "-q", "--threads", str(available_cores() + 1), "-o", str(tmp_path / "x.nc")])
    err = capsys.readouterr().err
    assert code == 0 and "snnzoo: warning: threads = " in err
    runs = provenance(open_result(tmp_path / "x.nc"))["runs"]
    assert runs and all(run["threads"] == available_cores() for run in runs)


def test_first_at_least_finds_a_block_start_in_every_sorted_row():
    # shared delivery cuts each row of sorted targets at the threads' block bounds with it
    rng = np.random.default_rng(7)
    for _ in range(500):
        size, length, offset = int(rng.integers(1, 300)), int(rng.integers(0, 60)), int(rng.integers(0, 5))
        row = np.sort(rng.integers(0, size, length)).astype(rng.choice([np.uint16, np.int32, np.int64]))
        values = np.concatenate([np.full(offset, size - 1, row.dtype), row, np.zeros(3, row.dtype)])
        for bound in range(size + 1):
            expected = offset + int(np.searchsorted(row, bound, side="left"))
            assert first_at_least(values, offset, offset + length, bound, size) == expected


def test_blocks_start_at_multiples_of_eight_and_cover_every_neuron():
    # a block reads its threshold flags as whole uint64 words of 8 flags: no word may hold another block's flags
    for count in (1, 7, 8, 9, 100, 2048, 2049, 200_003):
        for blocks in (1, 2, 3, 5):
            starts = [block_start(count, block, blocks) for block in range(blocks + 1)]
            assert starts[0] == 0 and starts[-1] == count and starts == sorted(starts)
            assert all(start % BLOCK_ALIGNMENT == 0 for start in starts[:-1])
            assert max(b - a for a, b in zip(starts, starts[1:])) <= -(-count // blocks) + BLOCK_ALIGNMENT


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_blocks_that_end_inside_a_flag_word_book_every_spike_in_order(monkeypatch):
    # 203 neurons: the second block ends 3 neurons into its last flag word (the rest is padding);
    # every neuron's drive differs, so spikes come from both blocks in most steps
    monkeypatch.setattr(layout, "PARALLEL_MIN_SIZE", 1)
    ramp = sz.NeuronModel("ramp", "dv/dt = (0.5 + 2*i/N - v)/tau : 1", {"tau": "2 ms"},
                          threshold="v > 1", reset="v = 0")
    results = []
    for threads in (1, 2):
        net = sz.Network(dt=0.1 * u.ms, seed=1, threads=threads)
        net.add_population("p", ramp, 203)
        net.record("p", "v")
        net.connect("p", "p", on="v", weight=0.02, p=0.2)
        net.run(20 * u.ms)
        results.append(net.result())
    assert_same_results(*results)
    counts = results[1]["p"]["spike_count"].values
    assert counts[:96].sum() > 0 and counts[96:].sum() > 0 and counts[200:].min() > 0


def test_row_block_bounds_cut_every_row_where_each_block_of_targets_starts():
    # shared delivery reads each thread's part of a row from these bounds, found once before the run
    from snnzoo.engine.runtime import block_column, row_block_bounds

    rng = np.random.default_rng(3)
    for size, blocks in ((2048, 2), (5003, 3), (9000, 4)):
        lengths = rng.integers(0, 40, 50)
        row_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        targets = np.concatenate([np.sort(rng.integers(0, size, n)) for n in lengths]).astype(np.int32)
        bounds = row_block_bounds(targets, row_starts, size, blocks)
        starts = [block_start(size, block, blocks) for block in range(blocks + 1)]
        expected = [[row_starts[r] + int(np.searchsorted(targets[row_starts[r]:row_starts[r + 1]], start))
                     for start in starts] for r in range(lengths.size)]
        assert bounds.tolist() == expected
        assert [block_column(start, size, blocks) for start in starts] == list(range(blocks + 1))


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_shared_delivery_with_bounds_found_before_the_run_gives_the_same_sums():
    # every thread took its part of each spiking row by searching the row in every step; now the
    # parts' bounds are found once, for weights and delays per synapse as for shared ones
    results = []
    for threads in (1, 2):
        net = sz.Network(dt=0.1 * u.ms, seed=2, threads=threads)
        net.add_population("p", "lif", 3000, initial={"v": "-70*mV + 20*mV*rand()"}, refractory=2 * u.ms)
        net.add_stimulus(sz.stimulus("constant_current", amplitude=200 * u.pA), "p")
        net.connect("p", "p", on="v", weight="0.05*mV + 0.1*mV*rand()", p=0.05, delay="0.1*ms*(1 + (i + j) % 4)",
                    name="per_synapse")
        net.connect("p", "p", on="v", weight=-0.2 * u.mV, p=0.05, name="shared")
        net.run(40 * u.ms)
        results.append(net.result())
        if threads == 2:
            source = codegen.generate(net._simulation.plan, threads=2)
            assert "R0B[pre, first_column]" in source and "R1B[pre, first_column]" in source
            assert "first_at_least" not in source  # no search in any step
    assert_same_results(*results)
    assert results[0]["p"]["spike_count"].values.sum() == 21467  # 391 of the 400 steps have >= 2048 synaptic events


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_a_network_too_small_to_share_runs_with_one_thread_unless_told_otherwise():
    # W4 (10 000 neurons, 6.5 us per step) ran 1.10x slower with the default thread count than with one
    from snnzoo.engine.thread_choice import SHARED_NEURONS_MIN, default_thread_count

    def network(threads=None, sizes=(SHARED_NEURONS_MIN - 1,)):
        net = sz.Network(dt=0.1 * u.ms, seed=1, threads=threads)
        for k, size in enumerate(sizes):
            net.add_population(f"p{k}", "lif", size)
        return net

    cores = available_cores()
    assert default_thread_count(network()._plan(), cores) == 1
    assert default_thread_count(network(sizes=(SHARED_NEURONS_MIN,))._plan(), cores) == cores
    halves = (SHARED_NEURONS_MIN // 2, SHARED_NEURONS_MIN - SHARED_NEURONS_MIN // 2)
    assert default_thread_count(network(sizes=halves)._plan(), cores) == cores  # shared loops add up
    small = (layout.PARALLEL_MIN_SIZE - 1,) * (SHARED_NEURONS_MIN // layout.PARALLEL_MIN_SIZE + 1)
    assert default_thread_count(network(sizes=small)._plan(), cores) == 1  # loops too small to share count for nothing
    for threads, expected in ((None, 1), (2, 2)):
        net = network(threads, sizes=(layout.PARALLEL_MIN_SIZE,))
        net.run(1 * u.ms)
        assert [run["threads"] for run in provenance(net.result())["runs"]] == [expected]


def test_cli_run_without_threads_runs_a_small_network_with_one_thread(tmp_path):
    assert main(["run", "lif-decay", "-q", "-o", str(tmp_path / "x.nc")]) == 0
    assert {run["threads"] for run in provenance(open_result(tmp_path / "x.nc"))["runs"]} == {1}  # each phase
