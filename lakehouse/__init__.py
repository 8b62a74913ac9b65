"""3-1-1 lakehouse: the City of Vancouver's AWS analytics platform, runnable anywhere."""

__version__ = "0.1.0"
