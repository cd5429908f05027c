"""TODO screen."""

from starlette.routing import Route

ROUTES: list[Route] = []
