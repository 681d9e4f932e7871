"""File dialogs start in the user's Documents folder, not the root of their home folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from dsl_desk.ui.widgets.folders import documents_folder, in_documents


def test_dialogs_start_in_documents(qapp):
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert documents and Path(documents) != Path.home()
    assert documents_folder() == Path(documents)
    assert in_documents("ESC-2026-0001 notice.pdf") == str(Path(documents) / "ESC-2026-0001 notice.pdf")


def test_the_transfer_folder_starts_in_documents(qtbot, ctx, child_id):
    from dsl_desk.ui.records.transfer_out_dialog import TransferOutDialog
    from dsl_desk.ui.signals import AppSignals

    dialog = TransferOutDialog(ctx, AppSignals(), child_id, "Zephyrine Quillborough")
    qtbot.addWidget(dialog)
    assert dialog.folder.text() == str(documents_folder())
