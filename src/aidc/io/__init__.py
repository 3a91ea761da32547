"""File formats at the edge: EPW weather, xlsx, parquet, JSON, traces."""

from aidc.io.cells import xlsx_safe

__all__ = ["xlsx_safe"]
