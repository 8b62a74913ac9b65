"""DataBrew's recipes, versions, jobs and runs, kept as JSON documents in an object-store bucket."""
