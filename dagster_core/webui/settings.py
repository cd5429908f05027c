"""What one `dagit` server was started with, as the pages and their scripts see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebUISettings:
    """`path_prefix` is "" or a path like "/dagit" (no trailing slash) under which every page,
    static file and the API are served; `token_required` says mutations need the server's token
    (the token itself never reaches a page); `show_intermediates` is False under
    `--no-intermediates`."""

    path_prefix: str = ""
    read_only: bool = False
    token_required: bool = False
    show_intermediates: bool = True

    def url(self, path: str) -> str:
        """`path` (starting with "/") under the prefix."""
        return self.path_prefix + path

    def to_page(self) -> dict[str, object]:
        """What the pages' scripts read (from `<body data-settings>`)."""
        return {
            "prefix": self.path_prefix,
            "readOnly": self.read_only,
            "tokenRequired": self.token_required,
            "showIntermediates": self.show_intermediates,
        }


def normalize_path_prefix(prefix: str | None) -> str:
    """"/dagit/" and "dagit" become "/dagit"; "" and "/" become ""."""
    stripped = (prefix or "").strip("/")
    return f"/{stripped}" if stripped else ""
