"""Find English words and internal keys in text meant for Korean readers.

The text may be plain or an HTML page (then scripts, styles, ``<code>`` and ``<pre>`` and the tags
themselves are removed first). A *word* is a run of ASCII letters, digits and underscores that
starts with a letter and holds at least two ASCII letters (``estimate``, ``public_common``,
``h100_sxm``; not ``m``, ``H100``, ``1T``).
Before looking, the checker removes what is not prose: URLs, e-mail addresses, file names (with a
``file.yaml:key`` reference after them) and code in backquotes. What is left must be Korean, a
number, or a word of the allow-list: units, acronyms and product names that Korean readers write
in Latin letters too (kW, GPU, PUE, NPV, NVIDIA …).

Text that is rightly in another language — the title of an English publication in the sources —
is not stripped here: the renderer marks it (``<span lang="en">`` in HTML) and the test that reads
the page skips marked elements. A blanket allow of ordinary English words is what this avoids.
"""

from __future__ import annotations

import html
import re

#: Units, acronyms and product names written in Latin letters in Korean text too.
UNITS = {
    "kW", "MW", "GW", "kWh", "MWh", "GWh", "Wh", "kVA", "MVA", "kV", "Hz", "tCO", "CO", "kg", "mm", "cm",
    "km", "TB", "GB", "PB", "TFLOPS", "PFLOPS", "FLOPS", "FLOP", "Gbps", "Tbps", "ms", "USD", "KRW",
    "EUR", "Pa", "kPa", "RT", "MJ", "GJ", "TOPS",
}
ACRONYMS = {
    "AI", "AIDC", "IT", "GPU", "GPUs", "CPU", "CPUs", "vCPU", "vCPUs", "PUE", "WUE", "CUE", "NPV", "IRR",
    "DSCR", "LCOE", "CAPEX", "OPEX", "PFV", "KEPCO", "CSV", "PDF", "HTML", "JSON", "XLSX", "YAML", "API",
    "REST", "UPS", "PDU", "CDU", "CRAH", "CRAC", "HVAC", "MEP", "ISP", "RISE", "SME", "SMEs", "LLM",
    "ID", "URL", "UTC", "KST", "DES", "MILP", "SLA", "EPW", "ASHRAE", "TIA", "ISO", "IEC", "KS", "KMA",
    "LNG", "ESS", "PPA", "REC", "RE", "NVLink", "InfiniBand", "RoCE", "Ethernet", "HBM", "FP", "BF",
    "TF", "INT", "PEFT", "LoRA", "SXM", "PCIe", "NVL", "HGX", "DGX", "OCP", "ToR", "ECMP", "TDP", "MTBF",
    "GNN", "Parquet", "Chromium", "Playwright", "aidc", "LFP", "VRLA", "IP", "SSD", "NVMe", "HDD",
    "RAM", "DRAM", "OS", "VM", "VMs", "TCO", "EPC", "ROI", "WACC", "CPI", "KRX", "LH", "GS", "SK",
    "tCO2eq", "eq", "kJ", "II", "III", "IV",  # tCO₂eq (also in ASCII); KEPCO tariff options I-III
    "DLC", "HPC", "DB", "Excel", "Plotly", "L40S", "UFM", "OOB", "COP", "JCT", "RDHx", "SHA", "min",
    "Gavel", "Zeus", "Quantum", "Spectrum", "NDR", "QM", "SN4600C", "SN", "FIFO", "CFADS", "Seren",
    "Uptime", "MTTR",  # Uptime Institute (its Tier standard, issue 19)
    "Jeonbuk",  # the web pages' (issue 14, web part) allow-list, kept so both parts share one checker
}
PRODUCTS = {
    "NVIDIA", "AMD", "Intel", "Alibaba", "Xeon", "EPYC", "Kakao", "Llama", "GPT", "BERT",
    "Gaudi", "Instinct", "Grace", "Hopper", "Blackwell", "Ampere", "DGX", "Dell", "HPE", "Supermicro",
    "PowerEdge", "Lenovo", "Vertiv", "Schneider", "Eaton", "Mellanox", "Slurm", "Kubernetes",
}
DEFAULT_ALLOW: frozenset[str] = frozenset(UNITS | ACRONYMS | PRODUCTS | {"TOU"})
#: The name the web pages' tests import.
ALLOWED = DEFAULT_ALLOW

_NOT_PROSE = re.compile(
    r"https?://\S+|www\.\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|[\w./-]*\w\.(?:ya?ml|csv|xlsx|html?|json|parquet|pdf|py|epw|txt|po|md|zip|png|svg)"  # files
    r"(?![A-Za-z0-9])"
    r"(?::[\w.]+)?"  # a record in a data file: facility.yaml:battery
    r"|(?<![\w.])\.(?:xlsx|csv|pdf|html?|ya?ml|json)(?![A-Za-z0-9])"  # an extension alone: .xlsx
    r"|(?<![\w/])/?(?:[\w.-]+/)+(?![A-Za-z0-9_.-])"  # a folder: data/, /tmp/out/data/
    r"|`[^`]*`"  # code
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b",  # a hash (the scenario's): an identifier, not a word
    re.IGNORECASE,
)
_CODE = re.compile(r"<(code|pre|script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_TRAILING_DIGITS = re.compile(r"\d+$")  # FP16, INT8, A100: the family name is what is allowed
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*")


def english_words(text: str, allow: set[str] | frozenset[str] = DEFAULT_ALLOW) -> list[str]:
    """Return the English words and internal keys of ``text`` that are not in ``allow``, in order.

    Examples
    --------
    >>> english_words("IT 용량 8 MW, 1,360 GPU (NVIDIA H100) — 자료: https://example.org/a.pdf")
    []
    >>> english_words("증설 계획의 결정적 제약: site floors, 대학 public_common h100_sxm")
    ['site', 'floors', 'public_common', 'h100_sxm']
    >>> english_words("추정값: facility.yaml:battery, `aidc run`, a@b.kr")
    []
    >>> english_words("전체 행은 data/ 폴더에 (data/), 자료: /tmp/run-1/out/data/")
    []
    >>> english_words("시나리오 해시 c589ad2a2e0b85da1a90389588c543e00f7e115e15d64843d226ec9dc6d1dcbc, cafe")
    ['cafe']
    >>> english_words("<p>상태: submitted</p><code>it_power_kw</code> &lt;")
    ['submitted']
    """
    if "<" in text and ">" in text:  # an HTML page or fragment
        text = html.unescape(_TAG.sub(" ", _CODE.sub(" ", text)))
    prose = _NOT_PROSE.sub(" ", text)
    words = (m.group(0) for m in _WORD.finditer(prose))
    return [w for w in words if sum(c.isascii() and c.isalpha() for c in w) >= 2
            and w not in allow and _TRAILING_DIGITS.sub("", w) not in allow]
