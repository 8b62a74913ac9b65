"""Dataset specifications, source readers, the portal client and the sample generator."""
