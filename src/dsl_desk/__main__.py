"""`python -m dsl_desk`: the same as the `dsl-desk` command."""

from __future__ import annotations

import sys

from dsl_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
