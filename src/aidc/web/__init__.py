"""The web service (FastAPI): survey portal for institutions and scenario workspace for planners.

Start it with ``aidc serve``; build the app in code with :func:`aidc.web.main.create_app`.
"""
