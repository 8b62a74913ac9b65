"""Every view the app and the report can show, by name."""

from __future__ import annotations

from dashboards.views import inquiries, operations, pipeline
from dashboards.views.base import Filters, View

VIEWS: dict[str, View] = {view.name: view for view in (*inquiries.VIEWS, *operations.VIEWS, *pipeline.VIEWS)}

__all__ = ["VIEWS", "Filters", "View"]
