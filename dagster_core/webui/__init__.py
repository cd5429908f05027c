"""The web UI (`dagit`): server-rendered screens over the GraphQL API, with small ES modules for
what is live. Templates and static files ship inside this package; no Node build step."""

from dagster_core.webui.app import create_webui_app
from dagster_core.webui.settings import WebUISettings

__all__ = ["WebUISettings", "create_webui_app"]
