"""The shape of ids: entry ids and the folder names of bundles."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
