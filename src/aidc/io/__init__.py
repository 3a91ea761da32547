"""File formats at the edge: EPW weather, xlsx, parquet, JSON, traces."""
