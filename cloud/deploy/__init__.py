"""`lakehouse cloud …`: the platform's resources on AWS, planned offline, deployed idempotently,
run, synced and destroyed (issue 8)."""
