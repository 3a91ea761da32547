"""Simulate stage: the operations digital twin (discrete-event, job by job)."""
