"""Demand stage: survey -> GPU-hours by class, CPU cores, storage, growth by year; job streams."""
