"""Glue's Data Catalog kept as JSON documents in an object-store bucket."""
