"""The one exception the ingestion pipeline raises for a file it cannot import."""


class IngestError(ValueError):
    """A file cannot be imported.

    ``str(error)`` is one plain-English sentence an admin can act on, such as
    "The file is empty." It never carries a traceback or a Python repr. ``name`` is the
    file name ``process`` was given, for logs; the message itself does not repeat it.
    """

    def __init__(self, message: str, *, name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.name = name

    def __str__(self) -> str:
        return self.message
