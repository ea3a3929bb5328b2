"""The shape of ids, and the characters text may not hold, each written once.

Each is regular-expression source that reads the same to Python's re and to
ECMA-262, the dialect of JSON Schema's "pattern" (`\\uXXXX` escapes, no
shorthand classes): the validator compiles it and the JSON Schemas quote it,
so what the builder refuses and what an editor sees underlined cannot drift
apart.
"""

from __future__ import annotations

import re

# Entry ids and the folder names of bundles.
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# Zero-width and bidirectional controls: invisible, and able to make two
# different ids or names look the same. The body of a bracket expression.
INVISIBLE_CHARACTERS = r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")

# Control characters (but tab and newline) and non-characters: invalid in HTML
# and XML, so a feed containing one would not parse.
CONTROL_CHARACTERS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff"
CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
