"""Athena SQL: translation to the local engine and the saved analytic queries."""
