"""Colours and the plotly layout every chart shares.

The palette is Okabe and Ito's, chosen to stay distinct under the common colour-vision
deficiencies; yellow comes last because it is faint on white.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW)
GREY = "#8c8c8c"
INCREASE, DECREASE = VERMILLION, BLUE  # more inquiries is the alarming direction
# The template as data: without validation plotly would leave a template *name*, which
# plotly.js does not know.
TEMPLATE = pio.templates["plotly_white"].to_plotly_json()
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def as_dict(fig: go.Figure) -> dict[str, Any]:
    """The figure as plotly.js takes it, with the white template as data (added here rather than
    on the figure: an unvalidated figure would copy the large template on every update)."""
    document = fig.to_plotly_json()
    document.setdefault("layout", {})["template"] = TEMPLATE
    return document


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def figure(height: int = 380, **layout: Any) -> go.Figure:
    """An empty figure with the shared look: readable fonts, light grid, legend on top.

    Property validation is off: the figures are built by this code, not by users, and
    plotly's validators cost about three quarters of a chart's drawing time."""
    fig = go.Figure(_validate=False)
    fig.update_layout(
        height=height, font={"family": FONT, "size": 13, "color": "#1f2328"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, colorway=list(PALETTE),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT}}, separators=".,",
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_layout(**layout)
    return fig


def message_figure(text: str, height: int = 200) -> go.Figure:
    """A figure that says why there is no chart (instead of an empty axis)."""
    fig = figure(height=height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, font={"size": 15, "color": "#444"}, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    return fig


def wrap(label: object, width: int = 22) -> str:
    """A long category label on several lines (`<br>`), so a bar chart keeps room for its bars
    on a phone; words are never cut."""
    words, lines, line = str(label).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)
