"""The import dialog: choose a file, preview row by row, import; a bad file shows why and changes nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from dsl_desk.services.people.children import list_children
from dsl_desk.ui.people.child_import import ChildImportDialog
from dsl_desk.ui.signals import AppSignals

SAMPLES = Path(__file__).parents[2] / "fixtures" / "children"


def _dialog(qtbot, ctx) -> ChildImportDialog:
    signals = AppSignals()
    dialog = ChildImportDialog(ctx, signals)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _column(dialog: ChildImportDialog, column: int) -> list[str]:
    model = dialog.table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_preview_then_import_from_the_mis_export(qtbot, ctx):
    dialog = _dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.file, str(SAMPLES / "mis-export.csv"))
    qtbot.keyClick(dialog.file, Qt.Key.Key_Return)
    assert _column(dialog, 1)[0] == "Zephyrine (Zeph) Quillborough"
    assert set(_column(dialog, 4)) == {"Will be added"}
    assert "Legal Surname → Family name" in dialog.columns.text()
    assert "Columns not kept here: Year, Reg Group, Gender" in dialog.columns.text()
    assert dialog.summary.text() == "If imported: 5 children to add, 0 already here."
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "&Import 5 children"
    assert list_children(ctx) == []  # the preview wrote nothing
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.summary.text() == "5 children added, 0 already here."
    assert len(list_children(ctx)) == 5
    assert not dialog.import_button.isEnabled()
    assert dialog.close_button.text() == "Done"


def test_a_second_import_finds_them_all_already_here(qtbot, ctx):
    from dsl_desk.services.people.child_import import import_children

    import_children(ctx, SAMPLES / "ctf-sample.xml")
    dialog = _dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.file, str(SAMPLES / "ctf-sample.xml"))
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert all(text.startswith("Already here: Already here as record") for text in _column(dialog, 4))
    assert "A Common Transfer File from Oakfield Primary School" in dialog.columns.text()
    assert not dialog.import_button.isEnabled()


def test_a_bad_file_shows_why_and_imports_nothing(qtbot, ctx, tmp_path):
    bad = tmp_path / "pupils.csv"
    bad.write_bytes("Surname,Forename,DOB\nPellingham,Zoë,09/05/2014\n".encode("cp1252"))
    dialog = _dialog(qtbot, ctx)
    qtbot.keyClicks(dialog.file, str(bad))
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert "not in UTF-8" in dialog.error.text()
    assert dialog.error.text().endswith("Nothing was imported.")
    assert not dialog.import_button.isEnabled()
    assert dialog.table.model().rowCount() == 0
    assert list_children(ctx) == []
