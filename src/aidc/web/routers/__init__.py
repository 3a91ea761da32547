"""One module per resource; each defines ``router`` (an :class:`fastapi.APIRouter`)."""
