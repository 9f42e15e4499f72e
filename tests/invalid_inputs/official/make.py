"""Builds the small official-data fixtures in this folder (run from the repository root:
``python tests/invalid_inputs/official/make.py``). Each file is a cut-down copy of the published
layout with one thing changed; tests/test_official_*.py give each its exact outcome.

The figures are the published ones for the few areas kept (England, the West Midlands,
Birmingham, Leeds), so a fixture that still reads must give the published value."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent

# --- ASC-FR: T14 and T51, as NHS Digital lays them out -------------------------------------
T14_TITLE = "Table 14: Gross Current Expenditure, by care type, 2021-22"
T14_HEAD = ["Geography code", "LA code", "LA name", "Region code ", "Region name", "Long Term Support GCE",
            "Long Term Support (as per cent of total)", "Short Term Support GCE",
            "Short Term Support (as per cent of total)", "Other GCE", "Other (as per cent of total)",
            "Total Gross Current Expenditure (GCE)"]
T14_ROWS = [
    [" ", "", "", "E92000001", "England", 16566467.8674783, 0.754, 767410.889063014, 0.035, 4624481.37254336, 0.211, 21958360.1290847],
    [" ", "", "", "E12000005", "West Midlands", 1692959.68364965, 0.761, 67279.6921869649, 0.030, 464505.747661634, 0.209, 2224745.12349825],
    ["E08000025", "406", "Birmingham", "E12000005", "West Midlands", 300715, 0.779, 8921, 0.023, 76197, 0.197, 385833],
    ["E08000035", "4C0", "Leeds", "E12000003", "Yorkshire and The Humber", 300000, 0.75, 20000, 0.05, 80000, 0.2, 400000],
]
T51_TITLE = ("Table 51: Unit costs, average weighted standard hourly rate for the provision of home care by "
             "activity provision, year on year comparison, 2020-21 and 2021-22")
T51_HEAD = ["Geography code", "LA code", "LA name", "Region code ", "Region name", "2020-21", "", "2021-22", ""]
T51_SUB = ["", "", "", "", "", "In House", "External", "In House", "External"]
T51_ROWS = [
    [" ", "", "", "E92000001", "England", 32.258594660693, 18.4439451012194, 32.7387524340676, 18.8849125014083],
    ["E08000025", "406", "Birmingham", "E12000005", "West Midlands", "[x]", 17.5, "[x]", 18.2],
    ["E08000035", "4C0", "Leeds", "E12000003", "Yorkshire and The Humber", 30.1, 18.0, 31.0, 19.0],
]
NOTES = ["[x] indicates data not submitted.", "[c] indicates data less than 5."]


def _t14(head_gap: int = 0, title: str = T14_TITLE, head: list | None = None, rows: list | None = None) -> list[list]:
    out = [[""], ["Return to contents"], [""], [title], [""], [""] * 11 + ["£ Thousands / percentages of row total"]]
    out += [[""]] * head_gap
    out += [head or T14_HEAD, [" "]]
    for r in rows or T14_ROWS:
        out += [r, [" "]]
    return out + [[n] for n in NOTES]


def _t51(rows: list | None = None) -> list[list]:
    out = [[""], ["Return to contents"], [""], [T51_TITLE], [""], ["", "", "", "", "", "£ per hour"], T51_HEAD, T51_SUB, [" "]]
    for r in rows or T51_ROWS:
        out += [r, [" "]]
    return out + [[n] for n in NOTES]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append([None if c == "" else c for c in r])
    wb.save(path)


# --- RO3: a few columns of the 2024-25 (one header row) and 2022-23 (two rows) layouts --------
RO3_IDS = ["E-code", "ONS Code", "Local authority", "Notes", "Class", "Detailed Class", "Certification"]
RO3_LINES = [
    ("Physical support - older people (65+)", 100000.0, 70000.0),
    ("Social support: Social Isolation", 500.0, 400.0),
    ("TOTAL ADULT SOCIAL CARE [note 2]", 437881.0, 322733.0),
]
RO3_PEOPLE = [
    ("E4204", "E08000035", "Leeds", "MD"),
    ("E4602", "E08000025", "Birmingham", "MD"),
]


def _ro3_rows(two_row: bool, header_at: int, lines=RO3_LINES, people=RO3_PEOPLE) -> list[list]:
    out = [["Worksheet 2: Revenue Outturn (RO) 2024-25: Social care and public health"]]
    out += [[""]] * (header_at - (2 if two_row else 1) - 1)
    measures = ["Total Expenditure (C3 = C1 + C2)", "Net Current Expenditure (C7 = C3 - C6)"]
    if two_row:
        top, head = [""] * len(RO3_IDS), list(RO3_IDS)
        for line, _, _ in lines:
            top += [line, ""]
            head += [measures[0] + "53", measures[1] + "57"]
        out += [top, head]
    else:
        out.append(RO3_IDS + [f"{line} - {m}" for line, _, _ in lines for m in measures])
    for ecode, ons, name, klass in people:
        vals: list = []
        for _, c3, c7 in lines:
            vals += ["[x]", "[x]"] if name == "Birmingham" else [c3, c7]
        cert = "[x]" if name == "Birmingham" else "Y"
        out.append([ecode, ons, name, "M" if name == "Birmingham" else "", klass, klass, cert] + vals)
    eng: list = []
    for _, c3, c7 in lines:
        eng += [c3, c7]
    out.append(["Eng", "E92000001", "ENGLAND", "", "Eng", "Eng", "[Y]"] + eng)
    return out


def write_ods(path: Path, sheets: dict[str, list[list]]) -> None:
    """A minimal OpenDocument spreadsheet (what python-calamine needs: mimetype, manifest, content)."""
    body = []
    for name, rows in sheets.items():
        body.append(f'<table:table table:name="{escape(name)}">')
        for r in rows:
            cells = []
            for c in r:
                if isinstance(c, (int, float)):
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{c}"><text:p>{c}</text:p></table:table-cell>')
                elif c == "":
                    cells.append("<table:table-cell/>")
                else:
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(c))}</text:p></table:table-cell>')
            body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        body.append("</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>" + "".join(body) + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def main() -> None:
    front = [["Adult Social Care Activity and Finance Report, England 2021-22"]]
    write_xlsx(HERE / "ascfr_header_moved.xlsx", {"Title": front, "T14": _t14(head_gap=1), "T51": _t51()})
    write_xlsx(HERE / "ascfr_sheet_renamed.xlsx", {"Title": front, "GCE by care type": _t14(), "T51": _t51()})
    write_xlsx(HERE / "ascfr_no_title.xlsx", {"Title": front, "T14": _t14(title="Gross Current Expenditure"), "T51": _t51()})
    write_xlsx(HERE / "ascfr_header_renamed.xlsx",
               {"Title": front, "T14": _t14(head=["Area code"] + T14_HEAD[1:]), "T51": _t51()})
    suppressed = [list(r) for r in T14_ROWS]
    suppressed[2][7] = "[c]"
    write_xlsx(HERE / "ascfr_suppressed.xlsx", {"Title": front, "T14": _t14(rows=suppressed), "T51": _t51()})
    write_xlsx(HERE / "ascfr_council_missing.xlsx",
               {"Title": front, "T14": _t14(), "T51": _t51(rows=[T51_ROWS[0], T51_ROWS[2]])})
    good = HERE / "ascfr_header_moved.xlsx"
    (HERE / "ascfr_damaged.xlsx").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])

    write_ods(HERE / "ro3_header_moved.ods",
              {"Front_Page": [["RO3"]], "RO3_LA_Data_202425": _ro3_rows(two_row=False, header_at=8)})
    write_ods(HERE / "ro3_two_row_header.ods",
              {"Front_Page": [["RO3"]], "RO3_LA_Data_2022-23": _ro3_rows(two_row=True, header_at=12)})
    write_ods(HERE / "ro3_sheet_renamed.ods",
              {"Front_Page": [["RO3"]], "Data 2024-25": _ro3_rows(two_row=False, header_at=7)})
    write_ods(HERE / "ro3_not_ro3.ods", {"Front_Page": [["RO3"]], "Notes": [["Notes"], ["[x] no return"]]})
    write_ods(HERE / "ro3_no_total.ods",
              {"Front_Page": [["RO3"]], "RO3_LA_Data_202425": _ro3_rows(two_row=False, header_at=7, lines=RO3_LINES[:2])})
    good = HERE / "ro3_header_moved.ods"
    (HERE / "ro3_damaged.ods").write_bytes(good.read_bytes()[:300])

    head = "Service Code,Dept or Currency Code,Dept or Currency Desc,Activity,Unit cost,Cost\n"
    (HERE / "ncc_not_a_number.csv").write_text(
        head + 'Emergency Care,VB01Z ," Emergency Medicine, Any Investigation",99328,333.1771,33093816.91\n'
        'Emergency Care,VB02Z ," Emergency Medicine, Category 3",[c],866.3665,393116408.2\n', encoding="utf-8")
    (HERE / "ncc_missing_column.csv").write_text(
        "Service Code,Dept or Currency Code,Dept or Currency Desc,Activity,Cost\nEmergency Care,VB01Z,x,1,2\n", encoding="utf-8")
    ascof = ("Geographical Code,Geographical Description,Geographical Level,ONS Code,ASCOF Measure Code,"
             "Disaggregation Level,Measure Type,Measure Value\n")
    (HERE / "ascof_2a2.csv").write_text(
        ascof + "E92000001,England,England,E92000001,2A2,Total,Outcome,498.2\n"
        "213,Leeds,Council,E08000035,2A2,Total,Numerator,[c]\n"
        "213,Leeds,Council,E08000035,2A2,Total,Outcome,405.1\n"
        "406,Birmingham,Council,E08000025,1E,Total,Denominator,2249\n", encoding="utf-8")
    (HERE / "ascof_no_2a2.csv").write_text(
        ascof + "406,Birmingham,Council,E08000025,1E,Total,Denominator,2249\n", encoding="utf-8")
    (HERE / "lookup_missing_column.csv").write_text(
        "LTLA23CD,LTLA23NM,UTLA23NM,ObjectId\nE06000001,Hartlepool,Hartlepool,1\n", encoding="utf-8")


if __name__ == "__main__":
    main()
