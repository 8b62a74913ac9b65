"""Recording curated tables in the Data Catalog, in Glue's own shapes."""
