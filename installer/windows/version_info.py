"""The Windows version resource (File ▸ Properties ▸ Details) for the PyInstaller spec."""

from __future__ import annotations

from pathlib import Path


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """'1.2.3' or '1.2.3rc1' -> (1, 2, 3, 0): Windows wants four small integers."""
    numbers: list[int] = []
    for part in version.split(".")[:4]:
        digits = "".join(ch for ch in part if ch.isdigit()) or "0"
        numbers.append(int(digits))
    while len(numbers) < 4:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], numbers[3]


def write_version_file(target: Path, title: str, name: str, version: str) -> str:
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    numbers = version_tuple(version)
    info = VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            StringFileInfo(
                [
                    StringTable(
                        "080904B0",  # English (United Kingdom), Unicode
                        [
                            StringStruct("CompanyName", title),
                            StringStruct("FileDescription", title),
                            StringStruct("FileVersion", version),
                            StringStruct("InternalName", name),
                            StringStruct("OriginalFilename", f"{name}.exe"),
                            StringStruct("ProductName", title),
                            StringStruct("ProductVersion", version),
                        ],
                    )
                ]
            ),
            VarFileInfo([VarStruct("Translation", [0x0809, 1200])]),
        ],
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(str(info), encoding="utf-8")
    return str(target)
