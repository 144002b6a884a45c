"""The analyst's workbench pages, which show articles with their annotations: one module
per area (`browse`, `reader`, `entities`, `stories`, `overview`), wired in
annotations/urls.py and newsdesk/urls.py."""
