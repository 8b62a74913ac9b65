"""DataBrew's role: recipes in DataBrew's own JSON, compiled to one lazy Polars plan."""
