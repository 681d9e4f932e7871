"""Only the GUI imports Qt: core, store, services and documents import with PySide6 made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCK_QT = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    class BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name == "PySide6" or name.startswith("PySide6."):
                raise ImportError("Qt is not allowed in layer " + sys.argv[1])
            return None
    sys.meta_path.insert(0, BlockQt())
    package = importlib.import_module("dsl_desk." + sys.argv[1])
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    print("ok")
    """
)


@pytest.mark.parametrize("layer", ["core", "store", "services", "documents"])
def test_layer_imports_without_qt(layer):
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT, layer], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_core_imports_neither_sqlalchemy_nor_the_clock_of_the_os():
    code = BLOCK_QT.replace(
        'name == "PySide6" or name.startswith("PySide6.")',
        'name.split(".")[0] in ("PySide6", "sqlalchemy", "reportlab")',
    )
    result = subprocess.run([sys.executable, "-c", code, "core"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
