"""Entry point for ``python -m builder``."""

import sys

from builder.commands.cli import main

sys.exit(main())
