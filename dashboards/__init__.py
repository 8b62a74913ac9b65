"""The publishing web app (Dash). It reads curated data only through the query-engine port."""
