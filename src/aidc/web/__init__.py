"""The web service (FastAPI): survey portal and planner workspace."""
