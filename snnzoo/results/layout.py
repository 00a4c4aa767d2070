"""The layout of snnzoo's figures: margins measured once, around a grid of panels.

Matplotlib's constrained (and tight) layout measure every panel's labels in two passes, and each
measurement works the ticks out again several times (for the spines, the title, the label
positions): for the eight panels of adex-firing-patterns that is most of the figure's cost. This
engine measures each panel's tick labels, axis labels, title and offset text once, then sets the
grid's margins so that nothing sticks out of the figure or into a neighbour.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import LayoutEngine
from matplotlib.transforms import Bbox

EDGE_PAD = 4.0
"""Space (points) between the figure's edge and what is drawn nearest it."""

GAP_PAD = 8.0
"""Space (points) between the labels of neighbouring panels."""

Overhangs = tuple[float, float, float, float]
"""How far (pixels) what is drawn around a panel reaches beyond its box: left, right, bottom, top."""


class MeasuredLayout(LayoutEngine):
    """Place the panels of a figure's grid (made by ``Figure.subplots``) so that their tick labels, axis
    labels and titles fit, from one measurement of each; figure texts (the suptitle) stay above them.

    The panels keep equal sizes, as with ``Figure.subplots_adjust``. Panels that are not on the grid of
    the first panel keep their places.
    """

    _adjust_compatible = True
    _colorbar_gridspec = True

    def execute(self, fig: Figure) -> None:
        """Measure the panels of ``fig`` and set its grid's margins.

        A figure text (the suptitle) wider than the figure is broken into lines that fit.

        Moving the panels can change their ticks (a taller panel may get labels one digit wider), so
        the labels are measured again in their new places, and the margins widened where one grew.
        When the ticks stayed as they were, only what follows a panel's size is measured again: its
        tick labels and its title.
        """
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_subplotspec() is not None]
        if not panels:
            return
        grid = panels[0].get_subplotspec().get_gridspec()
        panels = [ax for ax in panels if ax.get_subplotspec().get_gridspec() is grid]
        geometry = grid.get_geometry()
        _wrap_figure_texts(fig)
        first = _overhang_table(panels, geometry, _overhangs)
        ticks = [_drawn_ticks(ax) for ax in panels]
        if not _place(fig, geometry, first):
            return
        unchanged = [_drawn_ticks(ax) for ax in panels] == ticks and not any(map(_has_offset_text, panels))
        second = _overhang_table(panels, geometry, _resized_overhangs if unchanged else _overhangs)
        if any(second[key][side] > first[key][side] + 0.5 for key in first for side in "lrbt"):
            _place(fig, geometry,
                   {key: {side: max(first[key][side], second[key][side]) for side in "lrbt"} for key in first})


def _overhang_table(panels: list, geometry: tuple[int, int],
                    measure: Callable[[Axes], Overhangs]) -> dict[str, dict[str, float]]:
    """The widest overhang (pixels, by ``measure``) on each side of the panels: ``"edges"`` at the figure's
    edges, ``"inner"`` between neighbouring panels."""
    rows, columns = geometry
    table = {"edges": dict.fromkeys("lrbt", 0.0), "inner": dict.fromkeys("lrbt", 0.0)}
    for ax in panels:
        spec = ax.get_subplotspec()
        at_edge = {"l": spec.colspan.start == 0, "r": spec.colspan.stop == columns,
                   "b": spec.rowspan.stop == rows, "t": spec.rowspan.start == 0}
        for side, overhang in zip("lrbt", measure(ax)):
            chosen = table["edges" if at_edge[side] else "inner"]
            chosen[side] = max(chosen[side], overhang)
    return table


def _place(fig: Figure, geometry: tuple[int, int], overhangs: dict[str, dict[str, float]]) -> bool:
    """Set the grid's margins for ``overhangs``; warn and leave the panels if the labels leave no room."""
    rows, columns = geometry
    width, height = fig.bbox.width, fig.bbox.height
    edge, gap = (points * fig.dpi / 72 for points in (EDGE_PAD, GAP_PAD))
    edges, inner = overhangs["edges"], overhangs["inner"]
    left, right, bottom = (edge + edges[side] for side in "lrb")
    top = edge + _figure_texts_height(fig) + edges["t"]
    column_gap, row_gap = inner["l"] + inner["r"] + gap, inner["b"] + inner["t"] + gap
    if (width - left - right - (columns - 1) * column_gap <= 0
            or height - bottom - top - (rows - 1) * row_gap <= 0):
        size = " x ".join(f"{inches:g}" for inches in fig.get_size_inches())
        warnings.warn(f"figure layout: the labels leave no room for the panels in a {size} inch figure; "
                      "panels left where they were", stacklevel=3)
        return False
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height,
                        wspace=_relative_gap(width - left - right, columns, column_gap),
                        hspace=_relative_gap(height - bottom - top, rows, row_gap))
    return True


def _relative_gap(room: float, count: int, gap: float) -> float:
    """The gap between ``count`` panels sharing ``room`` pixels, as ``subplots_adjust`` takes it: a fraction
    of a panel's size."""
    return gap / ((room - (count - 1) * gap) / count)


def _overhangs(ax: Axes) -> Overhangs:
    """How far (pixels) the labels of ``ax`` reach beyond its box: left, right, bottom, top."""
    axes = [axis.get_tightbbox(for_layout_only=True) for axis in (ax.xaxis, ax.yaxis)]
    return _reach(ax.bbox, [*axes, _title_box(ax)])


def _resized_overhangs(ax: Axes) -> Overhangs:
    """:func:`_overhangs` of what alone reaches further or less far when ``ax`` changes size but keeps its
    ticks: its tick labels, placed along its sides, and its title, centred above it. Its axis labels keep
    their distance from its box (they sit beyond the tick labels), and so does an offset text unless it sits
    above a tick label that sticks out (:func:`_has_offset_text`: measure all again)."""
    labels = [label.get_window_extent() for axis in _measured_axes(ax) for tick in axis._update_ticks()
              for label in (tick.label1, tick.label2) if label.get_visible() and label.get_in_layout()]
    return _reach(ax.bbox, [*labels, _title_box(ax)])


def _measured_axes(ax: Axes) -> list:
    """The axes (x, y) of ``ax`` whose labels count in its layout: as ``Axis.get_tightbbox`` measures them."""
    return [axis for axis in (ax.xaxis, ax.yaxis) if axis.get_visible() and axis.get_in_layout()]


def _drawn_ticks(ax: Axes) -> list[tuple[float, str, str]]:
    """The place and text of each tick ``ax`` draws, and each axis's offset text (matplotlib's own list of
    the ticks it draws, which ``Axis.draw`` and ``Axis.get_tightbbox`` use)."""
    return [(tick.get_loc(), tick.label1.get_text(), tick.label2.get_text())
            for axis in (ax.xaxis, ax.yaxis) for tick in axis._update_ticks()] + \
        [(0.0, axis.major.formatter.get_offset(), "") for axis in (ax.xaxis, ax.yaxis)]


def _has_offset_text(ax: Axes) -> bool:
    """Whether an axis of ``ax`` shows an offset text (``1e-6``, ``+1.5``)."""
    return any(axis.offsetText.get_visible() and axis.offsetText.get_text() for axis in (ax.xaxis, ax.yaxis))


def _title_box(ax: Axes) -> Bbox | None:
    """Where the title of ``ax`` is drawn (pixels): above its box by the title's pad; None without a title."""
    if not (ax.title.get_visible() and ax.title.get_text()):
        return None
    box, title = ax.bbox, ax.title.get_window_extent()
    pad = ax.titleOffsetTrans.get_matrix()[1, 2]  # the title's distance above the box (axes.titlepad)
    return Bbox.from_extents(title.x0, box.y1, title.x1, box.y1 + pad + title.height)


def _reach(box: Bbox, parts: list[Bbox | None]) -> Overhangs:
    """How far (pixels) ``parts`` reach beyond ``box``: left, right, bottom, top."""
    around = Bbox.union([box, *(part for part in parts if part is not None and np.isfinite(part.bounds).all())])
    return (max(0.0, box.x0 - around.x0), max(0.0, around.x1 - box.x1),
            max(0.0, box.y0 - around.y0), max(0.0, around.y1 - box.y1))


def _figure_texts_height(fig: Figure) -> float:
    """The height (pixels) from the figure's top down to the lowest of its texts (its suptitle), 0 with none."""
    tops = [fig.bbox.height - text.get_window_extent().y0 for text in fig.texts if text.get_visible() and text.get_text()]
    return max(tops, default=0.0)


def _wrap_figure_texts(fig: Figure) -> None:
    """Break each figure text wider than the figure (less its edges) into lines that fit, at spaces."""
    room = fig.bbox.width - 2 * EDGE_PAD * fig.dpi / 72
    for text in fig.texts:
        content = text.get_text()
        for _ in range(4):  # each pass shortens the lines by the measured excess; one or two suffice
            width = text.get_window_extent().width if text.get_visible() and content else 0.0
            if width <= room:
                break
            longest = max(len(line) for line in content.splitlines())
            columns = max(8, int(longest * room / width) - 1)
            content = "\n".join(textwrap.fill(line, columns) for line in content.splitlines())
            text.set_text(content)
