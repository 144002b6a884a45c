"""The browser's pages: one module per area (`imports`, `browse`, `reader`, `entities`,
`stories`), wired in newsdesk/urls.py and articles/urls.py."""

from articles.views.common import (
    LoginView,
    admin_required,
    not_found,
    overview,
    server_error,
)

__all__ = ["LoginView", "admin_required", "not_found", "overview", "server_error"]
