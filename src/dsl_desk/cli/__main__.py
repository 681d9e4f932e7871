"""`python -m dsl_desk.cli` runs the command line."""

import sys

from dsl_desk.cli import main

sys.exit(main())
