"""SIGTERM (``kill``, a batch system's time limit) stops ``snnzoo run`` and ``snnzoo sweep`` as Ctrl-C does:
what ran is kept whole, one line says so, and the exit status is 143 (128 + SIGTERM). Both ended at once,
printing nothing: the run's data was lost (docs/bad-input.md, exit statuses)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from snnzoo.cli import main
from snnzoo.results.tree import open_result
from test_bad_input import wait_for

RUN = """
title = "a long quiet run"
dt = "0.1 ms"
duration = "{duration}"
seed = 1

[populations.G]
model = "lif"
size = {size}

[stimuli.drive]
type = "constant_current"
population = "G"
amplitude = "1 pA"
"""
AMPLITUDES = "stimuli.drive.amplitude=1,2,3,4,5,6 pA"


def _hidden_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob(".*"))


def test_sigterm_during_a_run_writes_what_ran_and_exits_143(tmp_path):
    (tmp_path / "e.toml").write_text(RUN.format(duration="1000 s", size=1000))
    process = subprocess.Popen([sys.executable, "-m", "snnzoo.cli", "run", "e.toml"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = wait_for(process, "simulated")  # the progress bar, drawn before the run's Ctrl-C handler is set,
    err += wait_for(process, "simulated")  # and drawn again after the first chunk: the handler is in place
    process.send_signal(signal.SIGTERM)
    out, rest = process.communicate(timeout=120)
    err += rest
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1] == ("snnzoo: terminated (SIGTERM): what ran is written, marked complete = 0; "
                                            "checks not evaluated")
    assert "Traceback" not in err and "(INCOMPLETE: interrupted)" in out
    tree = open_result(tmp_path / "e.nc")
    assert tree.attrs["complete"] == 0 and 0 < tree.attrs["duration"] < 1000
    assert (tmp_path / "e.png").read_bytes().startswith(b"\x89PNG") and _hidden_files(tmp_path) == []


def test_sigterm_during_a_sweep_keeps_the_finished_runs_and_resume_finishes(tmp_path):
    toml = tmp_path / "e.toml"
    toml.write_text(RUN.format(duration="40 s", size=200))
    out = tmp_path / "out"
    command = ["sweep", str(toml), "--grid", AMPLITUDES, "--workers", "1", "-q", "-o", str(out)]
    process = subprocess.Popen([sys.executable, "-m", "snnzoo.cli", *command], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list((out / "runs").glob("*.nc")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert err.count("\n") == 1 and err.startswith("snnzoo: terminated (SIGTERM): ") and "--resume" in err, err
    finished = list((out / "runs").glob("*.nc"))
    assert 1 <= len(finished) < 6 and _hidden_files(out) == []
    for path in finished:
        assert open_result(path)["summary"].dataset["status"] == "ok"
    assert main([*command, "--resume"]) == 0
    assert len(list((out / "runs").glob("*.nc"))) == 6


@pytest.mark.parametrize("number, status, stopped", [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated (SIGTERM)")])
def test_a_signal_before_the_run_steps_says_that_nothing_is_written(tmp_path, monkeypatch, capsys, number, status,
                                                                    stopped):
    # while the network was built or compiled: "terminated (SIGTERM); checks not evaluated", as if a result were kept
    from snnzoo.network.network import Network

    build = Network.build

    def build_after_the_signal(net):
        signal.raise_signal(number)  # a real signal, at a known point: before the kernel is built
        return build(net)

    monkeypatch.setattr(Network, "build", build_after_the_signal)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.toml").write_text(RUN.format(duration="1 ms", size=2))
    # Python's own Ctrl-C handler, as in a terminal: a process started in the background (a CI script run
    # with '&') inherits SIGINT ignored, and Python then installs none, so the signal did nothing
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = main(["run", "e.toml", "-q"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == status
    assert capsys.readouterr().err == f"snnzoo: {stopped}: nothing is written (stopped before the run's result was made)\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["e.toml"]


def test_a_ctrl_c_python_drops_in_a_callback_is_raised_again_in_the_main_thread(capsys):
    """Python cannot raise from a ``__del__`` or an import lock's weakref callback: it printed "Exception ignored
    in ... KeyboardInterrupt" and went on, so a Ctrl-C early in a sweep was lost once in 30 tries."""
    from snnzoo.cli import dropped_interrupts_raised_again

    class RaisesWhenCollected:
        def __del__(self):
            raise KeyboardInterrupt

    before = sys.unraisablehook
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in the command (a test worker may differ)
    try:
        with pytest.raises(KeyboardInterrupt):
            with dropped_interrupts_raised_again():
                RaisesWhenCollected()  # collected at once: its KeyboardInterrupt is unraisable
                for _ in range(1000):  # simulated again a moment later, from another thread
                    time.sleep(0.01)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert "Exception ignored" not in capsys.readouterr().err
    assert sys.unraisablehook is before  # other unraisable exceptions are reported as they were
