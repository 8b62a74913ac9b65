"""The curate job as a Glue PySpark script (lakehouse_curate.py) and the generator of its model block."""
