"""Text that XML 1.0 can carry: what it forbids is replaced, so a document always parses.

XML 1.0 allows tab, newline, carriage return and the characters from U+0020 on, except the
surrogates and U+FFFE/U+FFFF. ElementTree writes other characters as they are, so one stored title
holding a control character made a whole ``GetVideoList`` answer malformed for XML clients.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _FORBIDDEN.sub(REPLACEMENT, value)
