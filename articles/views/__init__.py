"""The corpus's own pages: the import page (`imports`), wired in articles/urls.py."""
