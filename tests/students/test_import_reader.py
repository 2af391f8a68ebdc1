"""Reading export files: encodings, separators, empty rows, formulas, the size limit, XLSX with date cells."""

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from students.imports import reader
from students.imports.reader import MAX_FILE_BYTES, ImportFileError, SourceRow, is_formula, read_table


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_it_reads_windows_1252_with_semicolons():
    data = "Leerlingnummer;Roepnaam;Achternaam\r\n1001;Zoë;Café\r\n".encode("cp1252")
    table = read_table(data)
    assert table.headers == ("Leerlingnummer", "Roepnaam", "Achternaam")
    assert table.rows == [SourceRow(line=2, cells={"Leerlingnummer": "1001", "Roepnaam": "Zoë", "Achternaam": "Café"})]


def test_it_reads_utf8_with_bom_and_commas():
    data = "\ufeffLeerlingnummer,Roepnaam\n1001,Zoë\n".encode()
    table = read_table(data)
    assert table.headers == ("Leerlingnummer", "Roepnaam")
    assert table.rows[0].cells == {"Leerlingnummer": "1001", "Roepnaam": "Zoë"}


def test_it_reads_utf8_without_bom_and_tabs():
    table = read_table("Leerlingnummer\tRoepnaam\n1001\tŞükrü\n".encode())
    assert table.rows[0].cells == {"Leerlingnummer": "1001", "Roepnaam": "Şükrü"}


def test_it_picks_the_separator_of_the_header_line_not_of_the_data():
    table = read_table(b"Naam;Adres\nAmir;Hoofdstraat 1, Amersfoort\n")
    assert table.rows[0].cells == {"Naam": "Amir", "Adres": "Hoofdstraat 1, Amersfoort"}


def test_it_skips_empty_rows_and_keeps_the_line_numbers_of_the_file():
    data = b"\r\nLeerlingnummer;Roepnaam\r\n1001;Amir\r\n;\r\n\r\n  ;  \r\n1002;Nour\r\n"
    table = read_table(data)
    assert [(row.line, row.cells["Leerlingnummer"]) for row in table.rows] == [(3, "1001"), (7, "1002")]


def test_a_quoted_cell_over_two_lines_keeps_the_next_rows_line_number():
    table = read_table(b'Naam;Opmerking\nAmir;"regel een\nregel twee"\nNour;kort\n')
    assert [(row.line, row.cells["Naam"]) for row in table.rows] == [(2, "Amir"), (4, "Nour")]
    assert table.rows[0].cells["Opmerking"] == "regel een\nregel twee"


def test_short_rows_get_empty_cells_and_cells_are_stripped():
    table = read_table(b"Leerlingnummer;Roepnaam;Achternaam\n 1001 ;Amir\n")
    assert table.rows[0].cells == {"Leerlingnummer": "1001", "Roepnaam": "Amir", "Achternaam": ""}


def test_a_value_under_no_header_is_a_row_error():
    table = read_table(b"Roepnaam;Achternaam\nAmir;el;Idrissi\n")
    assert table.rows[0].errors == (
        "Rij 2: kolom 3 heeft een waarde maar geen kolomkop (staat er een scheidingsteken in een naam?).",
    )


@pytest.mark.parametrize("formula", ["=1+1", '=HYPERLINK("http://x.example","klik")', "+A1", "-2+3*A1", "@SUM(A1)"])
def test_a_formula_is_a_row_error_and_its_text_is_not_kept(formula):
    data = f'Roepnaam;Achternaam\n"{formula.replace(chr(34), chr(34) * 2)}";Idrissi\n'.encode()
    row = read_table(data).rows[0]
    assert row.errors == ("Rij 2: kolom 'Roepnaam' bevat een formule; formules worden niet ingelezen.",)
    assert row.cells == {"Roepnaam": "", "Achternaam": "Idrissi"}


@pytest.mark.parametrize("value", ["+31 6 1234 5678", "-12", "+31(0)33-1234567", "Amir-Ali"])
def test_a_phone_number_or_a_number_is_no_formula(value):
    assert not is_formula(value)


def test_a_file_over_10_mb_is_refused_with_a_dutch_message():
    line = b"1001;Amir;el Idrissi;01-05-2010;1A\r\n"
    data = b"Leerlingnummer;Roepnaam;Achternaam;Geboortedatum;Klas\r\n" + line * (11 * 1024 * 1024 // len(line))
    assert len(data) > MAX_FILE_BYTES
    with pytest.raises(ImportFileError, match="Het bestand is groter dan 10,0"):
        read_table(io.BytesIO(data))


def test_a_file_of_10_mb_exactly_is_read():
    header = b"Naam\n"
    line = b"x" * 1023 + b"\n"
    data = header + line * ((MAX_FILE_BYTES - len(header)) // len(line))
    data += b"y" * (MAX_FILE_BYTES - len(data) - 1) + b"\n"
    assert len(data) == MAX_FILE_BYTES
    assert len(read_table(data).rows) == 10240


def test_a_cell_too_big_for_csv_is_a_dutch_file_error():
    with pytest.raises(ImportFileError, match="Regel 2 van het bestand is geen geldige CSV"):
        read_table(b"Naam\n" + b"x" * 200_000 + b"\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het bestand is leeg"),
        (b"\r\n;;\r\n", "Het bestand is leeg"),
        (b"Naam;naam\nAmir;Amir\n", "De kolom 'naam' staat twee keer in het bestand."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Oude Excel-bestanden (.xls) worden niet gelezen"),
        (b"PK\x03\x04 not really a zip", "Het Excel-bestand kan niet worden geopend"),
        (b"Naam\n\x81\x8d\x8f\n", "geen CSV in UTF-8 of Windows-1252"),
        (b"Naam\x00;x\n", "Dit is geen tekstbestand"),
    ],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(data)


def test_it_reads_xlsx_with_real_date_cells_and_number_cells():
    # openpyxl stores a date as an Excel serial number with a date format and reads it back as a datetime.
    data = xlsx(
        ["Leerlingnummer", "Roepnaam", "Geboortedatum", "Datum inschrijving"],
        [1001, "Zoë", date(2010, 5, 1), date(2025, 9, 1)],
        [None, None, None, None],
        [1002.0, "Nour", "31-02-2010", None],
    )
    table = read_table(data)
    assert table.headers == ("Leerlingnummer", "Roepnaam", "Geboortedatum", "Datum inschrijving")
    assert table.rows == [
        SourceRow(
            line=2,
            cells={
                "Leerlingnummer": "1001",
                "Roepnaam": "Zoë",
                "Geboortedatum": date(2010, 5, 1),
                "Datum inschrijving": date(2025, 9, 1),
            },
        ),
        SourceRow(
            line=4,
            cells={
                "Leerlingnummer": "1002",
                "Roepnaam": "Nour",
                "Geboortedatum": "31-02-2010",
                "Datum inschrijving": "",
            },
        ),
    ]


def test_an_xlsx_formula_is_read_as_a_formula_never_as_its_value():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Roepnaam"])
    sheet.append([1001, '=HYPERLINK("http://x.example","Amir")'])
    sheet["A3"], sheet["B3"] = "=A2+1", "Nour"
    stream = io.BytesIO()
    workbook.save(stream)
    rows = read_table(stream.getvalue()).rows
    assert [row.errors for row in rows] == [
        ("Rij 2: kolom 'Roepnaam' bevat een formule; formules worden niet ingelezen.",),
        ("Rij 3: kolom 'Leerlingnummer' bevat een formule; formules worden niet ingelezen.",),
    ]
    assert rows[1].cells == {"Leerlingnummer": "", "Roepnaam": "Nour"}


def test_an_xlsx_with_a_header_further_down_keeps_the_sheet_row_numbers():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "Leerlingnummer", "Roepnaam"
    sheet["A5"], sheet["B5"] = "1001", "Amir"
    stream = io.BytesIO()
    workbook.save(stream)
    table = read_table(stream.getvalue())
    assert table.rows == [SourceRow(line=5, cells={"Leerlingnummer": "1001", "Roepnaam": "Amir"})]


def test_it_reads_excels_unicode_text_in_utf16():
    table = read_table("Leerlingnummer\tRoepnaam\r\n1001\tZoë\r\n".encode("utf-16"))
    assert table.rows[0].cells == {"Leerlingnummer": "1001", "Roepnaam": "Zoë"}


def test_a_sheet_of_more_lines_than_any_school_has_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_LINES", 5)
    with pytest.raises(ImportFileError, match="meer dan 5 regels"):
        read_table(xlsx(["Naam"], *([f"Persoon {n}"] for n in range(5))))
    with pytest.raises(ImportFileError, match="meer dan 5 regels"):
        read_table(b"Naam\n" + b"\n" * 5 + b"Amir\n")


def test_a_workbook_with_a_broken_sheet_says_it_cannot_be_opened():
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx(["Naam"], ["Amir"]))) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet1.xml") else content)
    with pytest.raises(ImportFileError, match="Het Excel-bestand kan niet worden geopend"):
        read_table(broken.getvalue())
