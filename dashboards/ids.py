"""Component ids in one place. Views and filters use pattern-matching ids, so three generic
callbacks (draw a view, download its CSV, write the filters to the URL) serve every page."""

from __future__ import annotations

URL = "url"
PAGE = "page-content"
NAV = "nav"
SHOWN_PATH = "shown-path"  # the page the router last drew


def filter_id(name: str) -> dict[str, str]:
    return {"type": "filter", "name": name}


def graph_id(view: str) -> dict[str, str]:
    return {"type": "graph", "view": view}


def table_id(view: str) -> dict[str, str]:
    return {"type": "table", "view": view}


def note_id(view: str) -> dict[str, str]:
    return {"type": "note", "view": view}


def title_id(view: str) -> dict[str, str]:
    return {"type": "title", "view": view}


def download_button_id(view: str) -> dict[str, str]:
    return {"type": "download-button", "view": view}


def download_id(view: str) -> dict[str, str]:
    return {"type": "download", "view": view}


def dom_id(component_id: dict[str, str] | str) -> str:
    """The id attribute Dash gives a component in the page (dict ids as sorted compact JSON)."""
    if isinstance(component_id, str):
        return component_id
    import json

    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
