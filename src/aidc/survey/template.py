"""The Excel survey template a province officer e-mails to institutions.

An instructions sheet, one sheet per kind of need with Korean or English headers (units in
the headers), drop-down lists for categorical cells (openpyxl ``DataValidation`` over a
hidden lists sheet) and one example row that the reader skips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aidc.data as data
from aidc.survey.schema import Column, SheetSpec, choices, sheets

_TEXT: dict[str, Any] = {
    "instructions": {"en": "Instructions", "ko": "안내"},
    "lists": {"en": "Lists", "ko": "목록"},
    "example": {"en": "EXAMPLE", "ko": "예시"},
    "title": {"en": "Jeonbuk AIDC cloud and AI demand survey", "ko": "전북 AIDC 클라우드·AI 수요조사"},
    "how": {
        "en": [
            "1. List your organisation on the 'Respondents' sheet with an ID (e.g. R01).",
            "2. Add one row per need on the sheet of its kind, with the same ID.",
            "3. Row 2 of every sheet is an example (ID 'EXAMPLE'); it is ignored - overwrite or keep it.",
            "4. Pick categorical values from the drop-down lists."
            " Blank optional cells take the default below.",
            "5. Sizes may be written 7B, 70B, 1.5T, 500M. Percentages as 10 or 10%.",
            "6. Check the file with:  aidc survey validate FILE",
        ],
        "ko": [
            "1. '응답기관' 시트에 기관을 ID(예: R01)와 함께 적습니다.",
            "2. 수요마다 해당 종류의 시트에 같은 ID로 한 행씩 적습니다.",
            "3. 각 시트의 2행은 예시(ID '예시')이며 읽을 때 제외됩니다. 덮어써도 되고 남겨도 됩니다.",
            "4. 범주 값은 드롭다운 목록에서 고릅니다. 비워 둔 선택 항목은 아래 기본값을 씁니다.",
            "5. 크기는 7B, 70B, 1.5T, 500M처럼 적을 수 있습니다. 백분율은 10 또는 10%.",
            "6. 파일 점검:  aidc survey validate 파일명",
        ],
    },
    "cols": {"en": ["Sheet", "Column", "Required", "Default", "Allowed values"],
             "ko": ["시트", "항목", "필수", "기본값", "허용 값"]},
    "yes": {"en": "yes", "ko": "예"},
    "gpu_default": {"en": "scenario default ({})", "ko": "시나리오 기본값 ({})"},
    "no": {"en": "no", "ko": "아니오"},
}
_MAX_ROW = 1000  # rows covered by the drop-down lists


def _label(c: Column, key: Any, lang: str) -> Any:
    lst = c.choice_list
    if lst is None or key in (None, ""):
        return key
    return choices(lst)[key][lang]


def _instructions(wb: Any, lang: str) -> None:
    from openpyxl.styles import Font

    ws = wb.active
    ws.title = _TEXT["instructions"][lang]
    ws.append([_TEXT["title"][lang]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for line in _TEXT["how"][lang]:
        ws.append([line])
    ws.append([])
    ws.append(_TEXT["cols"][lang])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for spec in sheets().values():
        ws.append([spec.title(lang), getattr(spec, f"help_{lang}")])
        for c in spec.columns:
            allowed = ", ".join(v[lang] for v in choices(c.choice_list).values()) if c.choice_list else ""
            default = _label(c, c.default, lang)
            if c.type == "gpu":  # blank GPU: the scenario's demand.default_gpu_model
                gpu = data.value("demand.default_gpu_model")
                default = _TEXT["gpu_default"][lang].format(choices("gpu").get(gpu, {}).get(lang, gpu))
            ws.append(["", c.header(lang), _TEXT["yes" if c.required else "no"][lang], default, allowed])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 48


def _lists(wb: Any, lang: str) -> dict[str, str]:
    """Write the hidden lists sheet; return list name -> absolute range for DataValidation."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    ws = wb.create_sheet(_TEXT["lists"][lang])
    # each list headed by the first column that uses it (the list's own name is an internal key)
    heads: dict[str, str] = {}
    for spec in sheets().values():
        for c in spec.columns:
            if c.choice_list:
                heads.setdefault(c.choice_list, c.header(lang))
    ranges: dict[str, str] = {}
    for j, name in enumerate(sorted(heads), start=1):
        letter = get_column_letter(j)
        ws.cell(row=1, column=j, value=heads[name])
        labels = [v[lang] for v in choices(name).values()]
        for i, label in enumerate(labels, start=2):
            ws.cell(row=i, column=j, value=label)
        ranges[name] = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(labels) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _data_sheet(wb: Any, spec: SheetSpec, lang: str, ranges: dict[str, str]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(spec.title(lang))
    ws.append([c.header(lang) for c in spec.columns])
    example = [_label(c, c.example_in(lang), lang) for c in spec.columns]
    example[0] = _TEXT["example"][lang]
    ws.append([None if v == "" else v for v in example])
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, c in enumerate(spec.columns, start=1):
        letter = get_column_letter(j)
        head = ws.cell(row=1, column=j)
        head.font = Font(bold=True)
        head.fill = fill
        ws.cell(row=2, column=j).font = Font(italic=True, color="808080")
        ws.column_dimensions[letter].width = max(14, min(40, len(c.header(lang)) + 4))
        if c.choice_list:
            dv = DataValidation(type="list", formula1=ranges[c.choice_list], allow_blank=not c.required,
                                showErrorMessage=True)
            dv.error = f"{c.header(lang)}: " + ", ".join(v[lang] for v in choices(c.choice_list).values())
            dv.add(f"{letter}2:{letter}{_MAX_ROW}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def write_template(path: str | Path, lang: str = "ko") -> Path:
    """Write the survey workbook in ``lang`` ('ko' or 'en') to ``path`` and return the path."""
    import openpyxl

    if lang not in ("en", "ko"):
        raise ValueError(f"lang must be 'en' or 'ko', not {lang!r}")
    wb = openpyxl.Workbook()
    _instructions(wb, lang)
    ranges = _lists(wb, lang)
    for spec in sheets().values():
        _data_sheet(wb, spec, lang, ranges)
    # Keep the hidden lists sheet last so the data sheets follow the instructions.
    wb.move_sheet(_TEXT["lists"][lang], offset=len(wb.sheetnames))
    out = Path(path)
    wb.save(out)
    return out
