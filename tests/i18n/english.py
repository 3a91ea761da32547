"""Find English words left in a Korean output (a web page, the report, the workbook's cells).

A word is a run of two or more ASCII letters. Units and product names a Korean reader uses as
they are (kW, GPU, H100, PDF ...) are allowed; URLs, e-mail addresses, file names (or a bare
extension such as ``.xlsx``) and code (``<code>``, ``<pre>``, scripts and styles of a page) are not
reader's text and are stripped first, then the HTML tags themselves.
"""

from __future__ import annotations

import html
import re

#: Units, abbreviations and product names that Korean text writes in Latin letters.
ALLOWED = frozenset({
    # units
    "kW", "MW", "GW", "kWh", "MWh", "GWh", "kVA", "MVA", "Wh", "TB", "GB", "PB", "PFLOPS", "TFLOPS", "FLOPS",
    "kg", "mm", "cm", "km", "m²", "Pa", "kPa", "CO", "tCO", "USD", "KRW", "vCPU", "vCPUs", "min",
    # abbreviations of the field
    "GPU", "GPUs", "CPU", "CPUs", "PUE", "WUE", "NPV", "IRR", "LCOE", "MILP", "IT", "AI", "AIDC", "UPS",
    "HBM", "PFV", "ISP", "RISE", "SME", "CRAH", "CRAC", "CDU", "DLC", "SLA", "API", "ID", "KST", "UTC",
    "FP", "BF", "TF", "PEFT", "LoRA", "LLM", "HPC", "OS", "DB", "VM", "DSCR", "CFADS", "FIFO", "TOU",
    # formats and products
    "CSV", "PDF", "JSON", "YAML", "HTML", "Excel", "NVIDIA", "SXM", "PCIe", "NVLink", "InfiniBand", "AMD",
    "Intel", "Xeon", "INT", "HDD", "NVMe", "SSD", "EPYC", "KEPCO", "Chromium", "Plotly", "aidc", "DGX", "HGX",
    "Kakao", "Jeonbuk",
})

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_FILE = re.compile(  # a file name, or its extension alone (".xlsx")
    r"(?:\b[\w-][\w.-]*)?\.(?:xlsx|xls|csv|pdf|html?|ya?ml|json|js|css|txt|md|py|epw|parquet)\b",
    re.IGNORECASE,
)
_CODE = re.compile(r"<(code|pre|script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, allow: set[str] | frozenset[str] = ALLOWED) -> list[str]:
    """Return the English words of ``text`` (in order, repeats kept) that ``allow`` does not list.

    Examples
    --------
    >>> english_words("IT 전력 8 MW, GPU 512대")
    []
    >>> english_words("<p>상태: submitted</p><code>it_power_kw</code> https://example.org a@b.kr x.xlsx")
    ['submitted']
    """
    text = _CODE.sub(" ", text)
    text = html.unescape(_TAG.sub(" ", text))
    for pattern in (_URL, _EMAIL, _FILE):
        text = pattern.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in allow]
