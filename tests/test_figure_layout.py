"""The measured layout of snnzoo's figures: every label inside the figure, no panel's labels over another's."""

from __future__ import annotations

import itertools

import numpy as np
import pint
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from snnzoo.results import plotting
from snnzoo.results.layout import MeasuredLayout
from snnzoo.results.recording import PopulationRecord, StateRecord
from snnzoo.results.tree import build_result

ureg = pint.get_application_registry()


def recorded(neurons: int, scale: float = 1.0):
    """A population of ``neurons`` whose ``v`` (volts, times ``scale``) was recorded for 50 ms."""
    times = np.arange(500) * 1e-4
    voltage = scale * (-0.07 + 0.02 * np.sin(np.outer(times * 200, np.arange(1, neurons + 1))))
    state = StateRecord("soma", np.arange(neurons), times, {"v": voltage}, {"v": "V"})
    population = PopulationRecord("P", neurons, np.array([0.01, 0.02]), np.array([0, neurons - 1]), [state])
    return build_result([population], {}, duration=0.05)["P"].to_dataset()


def grid_of_traces() -> Figure:
    """Eight panels in a 3 x 3 grid, one left empty, with long titles and a suptitle."""
    titles = [f"neuron {k} (a rather long description of its firing pattern)"[: 20 + 4 * k] for k in range(8)]
    figure = plotting.plot_traces(recorded(8), titles=titles, spike_peak=0 * ureg.mV)
    figure.suptitle("Firing patterns of eight neurons, with a title as long as a catalog experiment's")
    return figure


def column_of_panels() -> Figure:
    """Three panels in a column: tiny values (an offset text), huge values, a legend; titles; a suptitle."""
    figure = Figure(figsize=(8, 7), layout=MeasuredLayout())
    small, large, rates = figure.subplots(3, 1)
    plotting.plot_traces(recorded(2, scale=1e-6), unit="V", ax=small)
    plotting.plot_traces(recorded(1, scale=-1e4), unit="mV", ax=large)
    plotting.plot_rates(recorded(2), 5 * ureg.ms, ax=rates, labels=["excitatory population"])
    for ax, title in zip((small, large, rates), ("tiny", "huge, and negative", "rates")):
        ax.set_title(title)
    figure.suptitle("three kinds of panel")
    return figure


def one_panel() -> Figure:
    figure = plotting.plot_raster(recorded(2000))
    figure.suptitle("a raster of 2000 neurons")
    return figure


def misplaced_labels(figure: Figure) -> list[str]:
    """What is drawn outside ``figure`` or over a neighbour: each panel's labels (its tight box) and the
    figure's texts must lie within the figure, the panels' boxes must not overlap, and the texts must be
    above every panel."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    inside = figure.bbox.padded(0.5)
    boxes = [ax.get_tightbbox(renderer) for ax in figure.axes]
    found = [f"panel {k} reaches out of the figure: {box.extents}" for k, box in enumerate(boxes)
             if not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1))]
    found += [f"panels {a} and {b} overlap" for (a, box_a), (b, box_b) in itertools.combinations(enumerate(boxes), 2)
              if box_a.overlaps(box_b)]
    for text in figure.texts:
        box = text.get_window_extent(renderer)
        if not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)):
            found.append(f"{text.get_text()!r} reaches out of the figure")
        found += [f"{text.get_text()!r} is over panel {k}" for k, panel in enumerate(boxes) if box.y0 < panel.y1]
    return found


@pytest.mark.parametrize("make", [grid_of_traces, column_of_panels, one_panel])
def test_no_label_is_clipped_or_drawn_over_another_panel(make):
    figure = make()
    assert isinstance(figure.get_layout_engine(), MeasuredLayout)
    assert misplaced_labels(figure) == []
    assert min(ax.bbox.width for ax in figure.axes) > 0.2 * figure.bbox.width / 3  # the panels keep their room


def test_without_the_layout_those_figures_have_labels_out_of_place():
    # the check above can fail: matplotlib's default margins clip or overlap labels of the same figures
    for make in (grid_of_traces, column_of_panels):
        figure = make()
        figure.set_layout_engine("none")
        assert misplaced_labels(figure)


def test_the_panels_of_a_grid_keep_their_labels_and_equal_sizes():
    figure = grid_of_traces()
    before = [(ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in figure.axes]
    png = plotting.png_bytes(figure)
    assert png.startswith(b"\x89PNG")
    assert [(ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in figure.axes] == before
    assert len(figure.axes) == 8
    assert np.ptp([ax.bbox.width for ax in figure.axes]) < 1e-6 and np.ptp([ax.bbox.height for ax in figure.axes]) < 1e-6


def test_a_figure_too_small_for_its_labels_keeps_its_panels_where_they_were_and_says_so():
    figure = plotting.plot_traces(recorded(8), spike_peak=0 * ureg.mV)
    figure.set_size_inches(1.5, 1.0)
    places = [ax.get_position().bounds for ax in figure.axes]
    with pytest.warns(UserWarning, match="^figure layout: the labels leave no room for the panels in a 1.5 x 1 inch figure; "
                      "panels left where they were$"):
        assert plotting.png_bytes(figure).startswith(b"\x89PNG")
    assert [ax.get_position().bounds for ax in figure.axes] == places


def test_a_suptitle_wider_than_the_figure_is_broken_into_lines_that_fit():
    figure = plotting.plot_raster(recorded(20))
    figure.set_size_inches(4.5, 2.5)
    figure.suptitle("Exponential decay: run, set x = 1, run again (the first model of a Brian2 lab, as a catalog title)")
    assert misplaced_labels(figure) == []
    lines = figure.texts[0].get_text().splitlines()
    assert len(lines) >= 2 and " ".join(lines) == ("Exponential decay: run, set x = 1, run again (the first model of a "
                                                   "Brian2 lab, as a catalog title)")


def test_labels_that_grow_when_their_panel_moves_are_measured_again():
    # lif-decay's one 4.5 x 2.5 inch panel: measured in its first place its y ticks read 0.0 ... 1.0; moved, they
    # read 0.00 ... 1.00, one digit wider, and a layout measuring only once clipped its y label "x (1)"
    from snnzoo.catalog.experiment import Experiment

    experiment = Experiment.load("lif-decay")
    assert misplaced_labels(experiment.figure(experiment.run())) == []


def measured_whole(figure: Figure, monkeypatch) -> int:
    """How many times the layout of ``figure`` measures an axis whole (its ticks, labels and offset text)."""
    from matplotlib.axis import Axis

    measure, calls = Axis.get_tightbbox, []
    monkeypatch.setattr(Axis, "get_tightbbox", lambda axis, *args, **kwargs: calls.append(axis) or measure(axis, *args,
                                                                                                          **kwargs))
    figure.get_layout_engine().execute(figure)
    monkeypatch.undo()
    return len(calls)


def test_panels_whose_ticks_stay_when_moved_are_measured_whole_once(monkeypatch):
    # measured again in their new places, only their tick labels and titles, which follow their size
    figure = grid_of_traces()
    assert measured_whole(figure, monkeypatch) == 2 * len(figure.axes)
    from snnzoo.catalog.experiment import Experiment

    experiment = Experiment.load("lif-decay")  # its ticks change when its panel moves: measured whole again
    figure = experiment.figure(experiment.run())
    assert measured_whole(figure, monkeypatch) == 2 * 2


def grid_without_time_axes() -> Figure:
    """The grid of traces with every panel's time axis hidden: its tick labels are not drawn."""
    figure = grid_of_traces()
    for ax in figure.axes:
        ax.xaxis.set_visible(False)
    return figure


@pytest.mark.parametrize("make", [grid_of_traces, column_of_panels, one_panel, grid_without_time_axes])
def test_panels_are_placed_as_when_everything_is_measured_again(make, monkeypatch):
    from snnzoo.results import layout

    quick = make()
    plotting.png_bytes(quick)
    monkeypatch.setattr(layout, "_resized_overhangs", layout._overhangs)
    whole = make()
    plotting.png_bytes(whole)
    assert [ax.get_position().bounds for ax in quick.axes] == [ax.get_position().bounds for ax in whole.axes]


def test_a_grid_of_traces_makes_only_the_panels_it_fills(monkeypatch):
    # eight neurons on a 3 x 3 grid: a ninth panel was made (0.005-0.01 s) and removed again
    from matplotlib.axes import Axes

    made, make = [], Axes.__init__
    monkeypatch.setattr(Axes, "__init__", lambda ax, *args, **kwargs: made.append(ax) or make(ax, *args, **kwargs))
    figure = grid_of_traces()
    assert len(made) == len(figure.axes) == 8
    assert {ax.get_subplotspec().get_gridspec() for ax in figure.axes} == {figure.axes[0].get_subplotspec().get_gridspec()}
