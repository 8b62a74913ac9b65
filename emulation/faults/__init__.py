"""Fault injection for reliability tests: what a flaky network and a throttling S3 do."""
