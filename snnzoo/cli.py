"""The ``snnzoo`` command: list, info, run, rerun, sweep, plugins.

Exit status: 0 success; 1 a check of the ``expected`` block failed; 2 bad
input (one line ``snnzoo: error: ...``, no traceback); 130 interrupted (Ctrl-C:
what ran is written, marked incomplete, and its checks are not evaluated; before the run's first step,
nothing is written and the line says so);
143 terminated (SIGTERM, e.g. ``kill`` or a batch system's time limit: stops as Ctrl-C does);
70 an internal error (a bug: one line, the traceback with ``SNNZOO_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import inspect
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

from .errors import SnnzooError
from .sweeps import command as sweeps

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process that SIGTERM ended
KIND_TITLES = {"model": "Models", "synapse": "Synapse models", "stimulus": "Stimuli", "integrator": "Integrators",
               "experiment": "Experiments"}


def _count(number: int, kind: str) -> str:
    """``1 model``, ``7 synapse models``, ``8 stimuli``."""
    return f"{number} {'synapse model' if kind == 'synapse' else kind}" if number == 1 else \
        f"{number} {KIND_TITLES[kind].lower()}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


def cmd_list(args: argparse.Namespace) -> int:
    """Print every registered model, synapse model, stimulus, integrator and experiment, one line each."""
    from .catalog.experiment import Experiment
    from .plugins.loader import get_registry, plugin_report

    registry = get_registry()
    for kind, title in KIND_TITLES.items():
        print(f"{title}:")
        for entry in registry.entries(kind):
            description = entry.description
            if kind == "experiment":
                try:
                    description = Experiment.load(entry.name).title
                except SnnzooError as err:
                    description = f"(cannot be read: {err})"
            print(f"  {entry.name:<30} {_first_line(description)}  [{entry.plugin}]")
    failures = [p for p in plugin_report() if p.failure]
    if failures:
        print("Plugins that failed to load:")
        for p in failures:
            print(f"  {p.name} ({p.distribution} {p.version}): {p.failure}")
    return 0


def _docstring_text(obj: object) -> str:
    """A stimulus's or integrator's docstring as ``snnzoo info`` shows it: without the indentation of its later
    lines, and with code marked by single backquotes, as in the README, instead of reStructuredText's double ones."""
    return inspect.cleandoc(obj.__doc__ or "").replace("``", "`")


def cmd_info(args: argparse.Namespace) -> int:
    """Print the documentation of a (neuron or synapse) model, stimulus (with its settings) or integrator, or an
    experiment's description."""
    from .catalog.experiment import describe
    from .errors import UnknownNameError, closest_name
    from .language.stimulus import settings_table
    from .plugins.loader import get_registry

    registry = get_registry()
    name = args.name
    for kind in ("model", "synapse", "stimulus", "integrator"):
        try:
            obj = registry.get(kind, name)
        except UnknownNameError:
            continue
        print(obj.describe() if hasattr(obj, "describe") else f"{name}: {obj.description}\n\n{_docstring_text(obj)}".rstrip())
        if kind == "stimulus":
            print("\n".join(settings_table(obj)))
        return 0
    if not name.strip():  # "" is the current folder to Path
        raise SnnzooError("info: expected an experiment file, model, stimulus or integrator name, got an empty name; "
                          "give a .toml file or a name 'snnzoo list' shows")
    if Path(name).is_dir():
        raise SnnzooError(f"{name}: a folder, not an experiment file, model, stimulus or integrator name; give a .toml "
                          "file or a name 'snnzoo list' shows")
    if name.lower().endswith(".toml") and not Path(name).exists():  # perhaps a catalog name with .toml added
        close = closest_name(Path(name).stem, registry.names("experiment"))
        if close:
            raise SnnzooError(f"experiment file {name}: no such file; did you mean the catalog experiment {close!r}?")
    if (name in registry.names("experiment") or name in registry.qualified_names() or name.lower().endswith(".toml")
            or Path(name).is_file()):  # a file: the experiment loader says what is wrong with it
        print(describe(name))
        return 0
    everything = (registry.qualified_names() if ":" in name  # a qualified name gets a qualified suggestion
                  else [n for kind in KIND_TITLES for n in registry.names(kind)])
    raise UnknownNameError("model, synapse model, stimulus, integrator or experiment", name, everything,
                           registry.failure_note())


def cmd_run(args: argparse.Namespace) -> int:
    """Run a catalog experiment, write its netCDF result and figure, print a summary."""
    with modules_loaded_out_of_collections():
        from .catalog.experiment import Experiment
        from .engine.precision import checked_precision
        from .engine.simulation import thread_count
        from .results.matplotlib_import import import_matplotlib_without_set_docs

        import_matplotlib_without_set_docs()  # the run's figure is drawn, its set methods' docstrings never shown
        from .results.plotting import png_bytes
        from .results.tree import netcdf_bytes, populations
        from .safe_write import checked_target, checked_targets, write_together
        from .sweeps.store import refuse_sweep_files

    precision = [] if args.precision is None else [f'precision="{checked_precision(args.precision)}"']
    experiment = Experiment.load(args.name, [*(args.set or []), *precision])
    output = checked_target(f"{experiment.name}.nc" if args.output is None else args.output)
    _check_suffix(output, "-o", args.output, "result is a netCDF file", ".nc")  # before the figure's name is made of it
    figure = output.with_suffix(".png") if args.figure is None else args.figure
    output, figure_path = checked_targets([output, figure])  # never one file for both
    for target, option, given in ((output, "-o", args.output), (figure_path, "--figure", args.figure)):
        refuse_sweep_files(target, option if given is not None else "output")
    _check_suffix(figure_path, "--figure", figure, "figure is a PNG image", ".png")
    threads, capped = thread_count(args.threads)
    if capped:
        print(f"snnzoo: warning: {capped}", file=sys.stderr)
    with _stopped_before_the_result():
        tree = experiment.run(seed=args.seed, progress=not args.quiet, checks=not args.no_check, figure=True,
                              threads=None if args.threads is None else threads)  # None: one thread for a small network
        figure = experiment.figure(tree)  # before writing anything: a bad [figure] leaves no files
    write_together({output: lambda: netcdf_bytes(tree), figure_path: lambda: png_bytes(figure)})
    duration = tree.attrs["duration"]
    print(f"{experiment.name}: {experiment.title}")
    print(f"  simulated {duration:g} s at dt = {tree.attrs['dt'] * 1e3:g} ms, seed {tree.attrs['seed']}, "
          f"{tree.attrs['precision']} precision"
          + ("" if tree.attrs.get("complete", 1) else "  (INCOMPLETE: interrupted)"))
    for name, ds in populations(tree).items():
        counts = ds["spike_count"].values
        print(f"  {name}: {counts.size} neurons, {int(counts.sum())} spikes, mean rate {counts.mean() / duration:.3g} Hz"
              + (f", counts {counts.tolist()}" if counts.size <= 10 else ""))
    print(f"  wrote {output} and {figure_path}")
    if not tree.attrs.get("complete", 1):
        print("  checks not evaluated: the run was interrupted, the result holds partial data")
        return EXIT_INTERRUPTED
    checks = [] if args.no_check else experiment.check(tree)
    for check in checks:
        print(f"  [{'ok' if check.passed else 'FAILED'}] {check.description} (found {check.shown})")
    if checks:
        held = sum(c.passed for c in checks)
        print(f"  expected: {held}/{len(checks)} checks hold")
    return EXIT_OK if all(c.passed for c in checks) else EXIT_CHECK_FAILED


@contextlib.contextmanager
def _stopped_before_the_result() -> Iterator[None]:
    """A Ctrl-C or SIGTERM that stops a run before its result exists (while the network is built or its kernel
    compiled, before the first step, while the result or figure is made) says that nothing is written; once
    the run has stepped, an interruption returns the partial result, which is written."""
    try:
        yield
    except KeyboardInterrupt:
        raise KeyboardInterrupt("nothing is written (stopped before the run's result was made)") from None


def _check_suffix(target: Path, option: str, given: str | None, holds: str, suffix: str) -> None:
    """An output's name ends in the ``suffix`` of what is written into it (``-o out.txt`` wrote netCDF
    bytes under that name); ``given`` is the name on the command line (None: a default)."""
    if target.suffix.lower() != suffix:
        raise SnnzooError(f"{option} {given if given is not None else target}: the {holds}; "
                          f"give a name ending in {suffix}")


def cmd_rerun(args: argparse.Namespace) -> int:
    """Rebuild an experiment from a result file, run it, and compare the new data with the file's."""
    from .catalog.experiment import Experiment
    from .results.tree import differences, open_result, provenance, write_netcdf
    from .safe_write import checked_target
    from .sweeps.store import refuse_sweep_files

    source = Path(args.result)
    experiment = Experiment.from_result(source)
    output = _rerun_default(source) if args.output is None else Path(args.output)
    new_folder = args.output is None and not output.parent.exists()  # OUT/reruns/, made once there is a rerun
    output = output if new_folder else checked_target(output)
    _check_suffix(output, "-o", args.output, "result is a netCDF file", ".nc")
    if output.resolve() == source.resolve():
        raise SnnzooError(f"output {output}: choose another file than the result being rerun")
    refuse_sweep_files(output, "-o")
    with _stopped_before_the_result():
        tree = experiment.run(progress=not args.quiet)
    if new_folder:  # a rerun that failed left an empty reruns/ folder
        try:
            output.parent.mkdir()
        except OSError as error:
            raise SnnzooError(f"cannot write {output.parent}: {error.strerror or error}") from None
    write_netcdf(tree, output)
    recorded = open_result(source)
    if "summary" in recorded.children:  # a sweep's per-run summary is derived from the data compared here
        recorded = recorded.drop_nodes("summary")
    print(f"{experiment.name}: rerun with seed {experiment.spec['seed']}, wrote {output}")
    for run, result in (("this rerun", tree), ("its run", recorded)):  # partial data differs from whole data
        if not result.attrs.get("complete", 1):
            print(f"  not compared with {source}: {run} was interrupted at {result.attrs['duration']:g} s "
                  "(complete = 0), so it holds only the start of the data")
            return EXIT_INTERRUPTED if result is tree else EXIT_OK
    found = differences(recorded, tree)
    if found:
        print(f"  differs from {source}: " + "; ".join(found) + _changed_since(provenance(recorded), provenance(tree)))
        return 1
    print(f"  identical to {source}: every variable of every group, bit for bit")
    return 0


def _changed_since(recorded: dict, rerun: dict) -> str:
    """Why a rerun may differ: the models or the versions of snnzoo and its plugins that ran it are not those
    the file records (a rerun builds the models installed now; the file's specs say what they were)."""
    before, now = recorded.get("models") or {}, rerun.get("models") or {}
    changed = sorted(name for name in before if name in now and before[name] != now[name])
    versions = {"snnzoo": recorded.get("snnzoo_version"), **(recorded.get("plugins") or {})}
    installed = {"snnzoo": rerun.get("snnzoo_version"), **(rerun.get("plugins") or {})}
    moved = sorted(f"{name} {versions[name]} -> {installed.get(name)}" for name in versions
                   if name in installed and versions[name] != installed[name])
    causes = ([f"model {', '.join(map(repr, changed))} is not the one the file records (its equations, parameters "
               "or defaults changed since)"] if changed else []) + ([f"versions changed: {', '.join(moved)}"] if moved else [])
    return f" (likely cause: {'; '.join(causes)})" if causes else ""


def _rerun_default(source: Path) -> Path:
    """Where ``rerun`` writes by default: ``RESULT-rerun.nc`` next to the result, but for a sweep's run
    ``OUT/runs/KEY.nc`` in ``OUT/reruns/`` (made when the rerun is written): the sweep's ``runs/`` holds its
    runs alone."""
    from .sweeps.store import RERUNS, sweep_folder_of

    sweep_folder = sweep_folder_of(source)
    if sweep_folder is None:
        return source.with_name(f"{source.stem}-rerun.nc")
    return sweep_folder / RERUNS / f"{source.stem}-rerun.nc"


def cmd_plugins(args: argparse.Namespace) -> int:
    """List plugins with versions, what they registered, failures, name clashes, and distributions
    that require snnzoo but declare no plugin."""
    from .plugins.loader import clash_report, plugin_report, unplugged_distributions

    for p in plugin_report():
        status = "disabled" if p.disabled else (f"FAILED: {p.failure}" if p.failure else "ok")
        registered = ", ".join(_count(n, k) for k, n in p.registered.items() if n) or "nothing"
        api = f"hook API {p.hook_api_version}" if p.hook_api_version is not None else "hook API ?"
        print(f"{p.name:<12} {p.distribution or '?'} {p.version or ''}  {api}  {status}  ({registered})")
    clashes = clash_report()
    if clashes:
        print("Name clashes:")
        for line in clashes:
            print(f"  {line}")
    unplugged = unplugged_distributions()
    if unplugged:
        print("Distributions without a plugin entry point:")
        for line in unplugged:
            print(f"  {line}")
    return 0


def cmd_new_plugin(args: argparse.Namespace) -> int:
    """Write a ready plugin package to start from."""
    from .plugins.template import write_plugin

    folder = write_plugin(args.name, args.output)
    print(f"wrote {folder}: install it with 'pip install -e {folder}', then 'snnzoo run {args.name}-demo' "
          f"and 'python -m pytest {folder / 'tests'}'")
    return 0


@contextlib.contextmanager
def modules_loaded_out_of_collections() -> Iterator[None]:
    """While a command loads its modules (sympy, numba, matplotlib: about a million objects that
    live as long as the process) the garbage collector waits; then every object made so far is moved
    out of its reach until :func:`main` returns. Its full collections, set off by the allocations of
    loading and running, traversed them again and again: 0.3 s of CPU in a warm ``snnzoo run``."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def warn_clashes() -> None:
    """Print each name clash between plugins on stderr (every command does, before its work)."""
    from .plugins.loader import clash_report

    for line in clash_report():
        print(f"snnzoo: warning: {line}", file=sys.stderr)


class _OneLineErrors(argparse.ArgumentParser):
    """argparse whose usage errors are one line, exit status 2, like every other input error (its own
    printed the usage first, as 'snnzoo run: error: ...'); subcommands' parsers are of this class too."""

    def error(self, message: str):
        command = self.prog.removeprefix("snnzoo").strip()
        self.exit(EXIT_BAD_INPUT, f"snnzoo: error: {command + ': ' if command else ''}{message} "
                                  f"(see 'snnzoo {command + ' ' if command else ''}--help')\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``snnzoo`` command."""
    top = _OneLineErrors(prog="snnzoo", description="A model zoo for spiking neurons.")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list models, synapse models, stimuli, integrators and experiments").set_defaults(func=cmd_list)
    info = sub.add_parser("info", help="show a model's equations and parameters, a stimulus's settings, an "
                                       "integrator or an experiment")
    info.add_argument("name", help="a model, synapse model, stimulus, integrator or experiment (see 'snnzoo list')")
    info.set_defaults(func=cmd_info)
    run = sub.add_parser("run", help="run a catalog experiment")
    run.add_argument("name", help="experiment name (see 'snnzoo list') or a path to a .toml file")
    run.add_argument("-o", "--output", help="netCDF file to write (default NAME.nc)")
    run.add_argument("--figure", help="PNG file to write, NAME.png (default: the output name with .png)")
    run.add_argument("--set", action="append", metavar="PATH=VALUE", help="override a value of the experiment")
    run.add_argument("--seed", type=int, help="master random seed (default: the experiment's)")
    run.add_argument("--threads", type=int, help="threads sharing large populations (default: every core, one for "
                     "a small network; the results are the same for any number)")
    run.add_argument("--precision", help="double (default) or single: the neuron maths in float32, about twice "
                     "as fast on large populations (overrides the experiment's precision)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.add_argument("--no-check", action="store_true",
                     help="do not evaluate the expected block (e.g. when --set makes it not apply)")
    run.set_defaults(func=cmd_run)
    rerun = sub.add_parser("rerun", help="rebuild the experiment of a result file and run it again")
    rerun.add_argument("result", help="a netCDF result file written by snnzoo run or snnzoo sweep")
    rerun.add_argument("-o", "--output", help="netCDF file to write (default RESULT-rerun.nc next to RESULT; "
                       "for a sweep's run OUT/runs/KEY.nc: OUT/reruns/KEY-rerun.nc)")
    rerun.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rerun.set_defaults(func=cmd_rerun)
    sweeps.add_parser(sub)
    sub.add_parser("plugins", help="list plugins, versions, failures and name clashes").set_defaults(func=cmd_plugins)
    new_plugin = sub.add_parser("new-plugin", help="write a ready plugin package snnzoo-NAME to start from")
    new_plugin.add_argument("name", help="plugin name: lowercase letters, digits and '_', e.g. izh")
    new_plugin.add_argument("-o", "--output", default=".", help="folder to write snnzoo-NAME into (default: here)")
    new_plugin.set_defaults(func=cmd_new_plugin)
    return top


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[list[int]]:
    """While the block runs, SIGTERM stops the command as Ctrl-C does (the SIGINT handler in place is called:
    a simulation ends at its chunk and its partial result is written, a sweep keeps its finished runs, a file
    being written is completed first); the list yielded records that it came. Without this, SIGTERM ended
    the process at once, printing nothing and writing nothing of the run.

    A process forked meanwhile (a sweep's local worker) ends on SIGTERM at once, as by default: its
    sweep stops it."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # handlers are set from the main thread only
        yield received
        return
    owner = os.getpid()

    def on_terminate(number: int, frame: object) -> None:
        if os.getpid() != owner:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)
            return
        received.append(number)
        interrupt = signal.getsignal(signal.SIGINT)
        if not callable(interrupt):  # SIGINT ignored (a command started in the background) or set outside Python
            raise KeyboardInterrupt
        interrupt(signal.SIGINT, frame)

    previous = signal.signal(signal.SIGTERM, on_terminate)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


REDELIVERY_SECONDS = 0.01
"""How long after Python dropped a Ctrl-C it is simulated again (:func:`dropped_interrupts_raised_again`)."""


@contextlib.contextmanager
def dropped_interrupts_raised_again() -> Iterator[None]:
    """While the block runs, a Ctrl-C that Python would drop is raised again in the main thread.

    Python cannot raise an exception from some callbacks (an import lock's weakref callback, a ``__del__``):
    it prints "Exception ignored in ..." and goes on, so a Ctrl-C that arrived while one ran was lost, and
    the command ran to its end (once in 30 tries in the first half second of a sweep). Such a
    KeyboardInterrupt reaches :data:`sys.unraisablehook`, which simulates the signal again
    (``_thread.interrupt_main``: the SIGINT handler in place runs in the main thread) a moment later, from
    another thread: simulated at once, it was raised inside the hook, which Python drops too."""
    import _thread

    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            again = threading.Timer(REDELIVERY_SECONDS, _thread.interrupt_main, (signal.SIGINT,))
            again.daemon = True
            again.start()
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``snnzoo`` command."""
    args = parser().parse_args(argv)
    with terminate_as_interrupt() as terminated, dropped_interrupts_raised_again():
        status = _run_command(args, terminated)
    if terminated and status == EXIT_INTERRUPTED:  # the command stopped and said what it kept
        print("snnzoo: terminated (SIGTERM): what ran is written, marked complete = 0; checks not evaluated",
              file=sys.stderr)
        return EXIT_TERMINATED
    return status


def _run_command(args: argparse.Namespace, terminated: list[int]) -> int:
    """The command ``args`` names, its errors each one line with its exit status."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # plugin failures are shown by 'list'/'plugins'
            warnings.showwarning = _show_warning
            warn_clashes()
            if os.environ.get("SNNZOO_MEMORY_LIMIT"):  # a bad setting is the environment's, not an experiment's
                from .engine.memory import memory_limit

                memory_limit()
            return args.func(args)
    except SnnzooError as err:
        print(f"snnzoo: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (`snnzoo list | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt as interrupt:
        print(f"snnzoo: {'terminated (SIGTERM)' if terminated else 'interrupted'}"
              + (f": {interrupt}" if str(interrupt) else "; checks not evaluated"), file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except MemoryError:
        print("snnzoo: error: out of memory (use fewer neurons, synapses or recorded values)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # the system refused a path given (a name too long, no permission, ...): not a bug
        print(f"snnzoo: error: {_one_line(f'{err.filename}: {err.strerror}' if err.filename else err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug: one line unless SNNZOO_DEBUG asks for the traceback
        if os.environ.get("SNNZOO_DEBUG"):
            raise
        print(f"snnzoo: internal error (please report it; SNNZOO_DEBUG=1 shows the traceback): "
              f"{type(err).__name__}: {_one_line(err)}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        gc.unfreeze()  # a caller in this process collects what it drops, as before the command


LONGEST_WORD = 200
"""Characters of one word of an error or warning shown whole; a longer one (a name or value of a megabyte) is
shown by its start and end and its length."""


def _one_line(message: BaseException | Warning | str) -> str:
    """``message`` as one line, each word longer than :data:`LONGEST_WORD` cut in its middle."""
    return " ".join(_shortened(word) for word in str(message).split())


def _shortened(word: str) -> str:
    """``word`` whole, or if longer than :data:`LONGEST_WORD` its start, end and length (before the punctuation
    that ends it)."""
    if len(word) <= LONGEST_WORD:
        return word
    text = word.rstrip(":;,.")
    return f"{text[:120]}...{text[-40:]} ({len(text)} characters){word[len(text):]}"


def _show_warning(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    """Warnings at the command line as one line each, like errors (not Python's file:line format)."""
    print(f"snnzoo: warning: {_one_line(message)}", file=sys.stderr)


def entry() -> None:
    """The ``snnzoo`` console script: :func:`main`, then exit; a Ctrl-C arriving once the work is
    done (while Python shuts down) is ignored instead of ending in a traceback.

    Before exiting (also through ``--help`` or a usage error), every object is moved out of the
    garbage collector's reach (``gc.freeze``): Python's shutdown otherwise runs full collections
    over the whole heap as it unloads the modules (0.7 s of CPU after a run, which holds sympy,
    numba and matplotlib; 0.2 s after ``--help``). Objects are still released as their modules go;
    everything the command writes is closed by then."""
    try:
        status = main()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    entry()
