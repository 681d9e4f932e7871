"""Entry script of the frozen program: the same `main` as the `dsl-desk` console script."""

from __future__ import annotations

import sys

from dsl_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
