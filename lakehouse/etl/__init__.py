"""Glue's role: ETL jobs that build the curated tables from landing data."""
