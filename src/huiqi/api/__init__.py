"""The HTTP API (FastAPI, OpenAPI at ``/api/v1/openapi.json``) and the app that also serves the web pages."""

from huiqi.api.app import create_app
from huiqi.api.settings import Settings

__all__ = ["Settings", "create_app"]
