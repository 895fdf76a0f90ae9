"""Placing text labels beside points without overlaps (plotnine has no label repel)."""

from collections.abc import Sequence

import polars as pl
from plotnine import aes, geom_blank, geom_segment, geom_text


def place_labels(
    x: Sequence[float],
    y: Sequence[float],
    texts: Sequence[str],
    *,
    size: float,
    panel: tuple[float, float],
    directions: Sequence[tuple[int, int]],
    drop: bool = False,
    shifts: int = 2,
) -> pl.DataFrame:
    """Where to write a label beside each point (``x``, ``y``) so that no label covers another
    label or any point: a small text repel, as plotnine has none without adjustText.

    ``x`` and ``y`` are in the scale's transformed units (log10 on a log scale); ``size`` is the
    font size in points and ``panel`` the panel's size in inches, roughly. Labels are placed in
    the order given (put the most important first), each at the first free place among
    ``directions`` (unit steps from its point: (1, 0) is to the right, (0, 1) above), then the
    same places shifted by up to ``shifts`` lines up or down. A label with no free place is left out
    (``shown`` false) when ``drop``, else written at the first place, over whatever is there.
    Returns, per point, where to anchor the text
    (``text_x``, ``text_y``, with its alignment ``ha`` and ``va``), the end of a leader line
    (``end_x``, ``end_y``, at the label's edge; null when the label touches its point), and the
    corners of its box (``left``, ``right``, ``bottom``, ``top``), so that the caller can make
    the scales hold the labels. Positions are in the scale's units.
    """
    char, line, radius, pad = 0.58 * size / 72, 1.3 * size / 72, 0.06, 0.02  # inches
    x_span = (max(x) - min(x)) or 1.0
    y_span = (max(y) - min(y)) or 1.0
    for _ in range(4):  # labels widen the scales, which shrinks them: place again on the new size
        sx, sy = panel[0] / x_span, panel[1] / y_span  # inches per unit
        px = [(value - min(x)) * sx for value in x]
        py = [(value - min(y)) * sy for value in y]
        placed: list[tuple[float, float, float, float]] = []
        boxes, chosen, shown = [], [], []
        for i, text in enumerate(texts):
            half_w, half_h = len(text) * char / 2 + pad, line / 2
            candidates = [
                (dx, dy, shift)
                for shift in sorted(range(-shifts, shifts + 1), key=lambda s: (abs(s), -s))
                for dx, dy in directions
                if not (shift and dx == 0)  # a shifted label above or below is no clearer
            ]
            free = False
            for dx, dy, shift in [*candidates, (*directions[0], 0)]:
                cx = px[i] + dx * (radius + half_w)
                cy = py[i] + dy * (radius + half_h) + shift * line
                box = (cx - half_w, cx + half_w, cy - half_h, cy + half_h)
                free = _clear(box, placed, list(zip(px, py, strict=True)), i, radius)
                if free:
                    break
            if free or not drop:
                placed.append(box)
            boxes.append(box)
            chosen.append((dx, dy, shift))
            shown.append(free or not drop)
        left = min(*(b[0] for b in placed), *px)
        right = max(*(b[1] for b in placed), *px)
        bottom = min(*(b[2] for b in placed), *py)
        top = max(*(b[3] for b in placed), *py)
        # the panel must hold all of that, plus the scales' default 5% margins on each side
        x_span = x_span * (right - left) * 1.1 / panel[0] or 1.0
        y_span = y_span * (top - bottom) * 1.1 / panel[1] or 1.0
    rows = []
    for i, ((x0, x1, y0, y1), (dx, dy, shift)) in enumerate(zip(boxes, chosen, strict=True)):
        ha = {1: "left", 0: "center", -1: "right"}[dx]
        va = {1: "bottom", 0: "center", -1: "top"}[dy if not shift else 0]
        text_x = {"left": x0 + pad, "center": (x0 + x1) / 2, "right": x1 - pad}[ha]
        text_y = {"bottom": y0, "center": (y0 + y1) / 2, "top": y1}[va]
        end_x, end_y = min(max(px[i], x0), x1), min(max(py[i], y0), y1)
        rows.append(
            {
                "text_x": min(x) + text_x / sx,
                "text_y": min(y) + text_y / sy,
                "ha": ha,
                "va": va,
                "end_x": min(x) + end_x / sx if shift else None,
                "end_y": min(y) + end_y / sy if shift else None,
                "left": min(x) + x0 / sx,
                "right": min(x) + x1 / sx,
                "bottom": min(y) + y0 / sy,
                "top": min(y) + y1 / sy,
                "shown": shown[i],
            }
        )
    kinds = {"ha": pl.String, "va": pl.String, "shown": pl.Boolean}
    schema = {name: kinds.get(name, pl.Float64) for name in rows[0]}
    return pl.DataFrame(rows, schema=schema)


def label_layers(labels: pl.DataFrame, size: float, x: str, y: str) -> list:
    """Text at the places :func:`place_labels` chose, leader lines to the labels it had to move
    away from their points, and blank corners that make the scales hold every label."""
    labels = labels.filter(pl.col("shown"))
    texts = [
        geom_text(
            aes(x="text_x", y="text_y", label="text"),
            data=group,
            size=size,
            ha=ha,
            va=va,
            color="#222222",
        )
        for (ha, va), group in labels.group_by("ha", "va", maintain_order=True)
    ]
    return [
        geom_segment(
            aes(x=x, y=y, xend="end_x", yend="end_y"),
            data=labels.drop_nulls("end_x"),
            color="#999999",
            size=0.3,
        ),
        *texts,
        geom_blank(aes(x="left", y="bottom"), data=labels),
        geom_blank(aes(x="right", y="top"), data=labels),
    ]


def _clear(box, placed, points, own: int, radius: float) -> bool:
    """Whether ``box`` (left, right, bottom, top) overlaps no placed box and covers no point
    other than its own (``own``), which it touches by construction."""
    x0, x1, y0, y1 = box
    gap = 0.02  # inches between labels
    for a0, a1, b0, b1 in placed:
        if x0 < a1 + gap and a0 < x1 + gap and y0 < b1 + gap and b0 < y1 + gap:
            return False
    return all(
        not (x0 - radius < x < x1 + radius and y0 - radius < y < y1 + radius)
        for j, (x, y) in enumerate(points)
        if j != own
    )
