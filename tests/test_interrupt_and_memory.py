"""Ctrl-C keeps what ran (marked incomplete); impossible record requests are refused up front."""

import json
import signal
import subprocess
import sys
import textwrap

import pytest

import snnzoo as sz
from snnzoo import ureg as u

SCRIPT = textwrap.dedent(
    """
    import sys, json
    import snnzoo as sz
    from snnzoo import ureg as u
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", "adex", 2000)
    net.add_stimulus(sz.stimulus("constant_current", amplitude=500 * u.pA), "p")
    net.run(1 * u.ms)                      # compile before announcing
    print("running", flush=True)
    net.run(1000 * u.s)
    tree = net.result()
    print(json.dumps({"complete": int(tree.attrs["complete"]), "duration": float(tree.attrs["duration"]),
                      "spikes": int(tree["p"]["spike_count"].values.sum())}), flush=True)
    """
)


def test_ctrl_c_stops_cleanly_and_marks_the_result_incomplete():
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "running"
    import time

    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["complete"] == 0
    assert 0.001 < summary["duration"] < 1000
    assert summary["spikes"] > 0


def test_a_record_request_that_cannot_fit_in_memory_is_refused_before_running():
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("big", "lif", 100_000)
    net.record("big", ["v"])
    with pytest.raises(sz.SimulationError, match=r"monitor 'm0' on population 'big' would need .* GiB"):
        net.run(10_000 * u.s)
    assert net.t.magnitude == 0


def test_a_run_whose_progress_bar_fails_leaves_the_ctrl_c_handler_as_it_was(monkeypatch):
    """The run put its own Ctrl-C handler in place before making its progress bar: a bar that could not
    be made left that handler behind, and Ctrl-C no longer stopped the program."""
    from snnzoo.engine import simulation

    def no_bar(total_seconds: float, enabled: bool):
        raise ImportError("no tqdm here")

    monkeypatch.setattr(simulation, "_progress_bar", no_bar)
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("p", "lif", 1)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(ImportError, match="no tqdm here"):
        net.run(1 * u.ms, progress=True)
    assert signal.getsignal(signal.SIGINT) is before


def test_the_recording_bytes_of_a_run_cover_what_it_records():
    """A sweep that keeps traces adds up each run's recording_bytes before any run: it must not undercount."""
    net = sz.Network(dt=0.1 * u.ms, seed=1)
    net.add_population("G", "lif", 5)
    net.record("G", ["v"], neurons=[0, 2, 4])
    net.record("G", ["v", "I"], rate=2 * u.kHz, name="slow")
    estimate = net.recording_bytes(net.steps_of(30 * u.ms))
    net.run(30 * u.ms)
    group = net.result()["G"]
    recorded = sum(group[name].nbytes for name in ("v", "v_slow", "I_slow"))
    one_sample_each = 8 * (3 + 2 * 5)
    assert recorded <= estimate <= recorded + one_sample_each, (recorded, estimate)
