"""CSV cells a spreadsheet would not run: OWASP's rule against CSV (formula) injection.

A spreadsheet reads a cell that starts with =, +, -, @, a tab or a carriage return as a
formula (https://owasp.org/www-community/attacks/CSV_Injection). Article text, names and
notes come from outside, so every text cell of every CSV export is written with a single
quote in front when it starts with one of them; the csv module quotes the cell, and a
doubled quote inside it, as RFC 4180 says. Numbers stay numbers.
"""

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: None empty, text that a spreadsheet would run as a formula
    behind a single quote, anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
