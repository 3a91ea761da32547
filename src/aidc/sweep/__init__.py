"""Scenario sweeps and Monte Carlo on Dask."""
