"""Which hosts are internal, with literal addresses read the way the system resolver reads them.

``getaddrinfo`` takes ``127.1``, ``0x7f000001``, ``2130706433`` and ``0177.0.0.1`` for 127.0.0.1
(BSD ``inet_aton``: one to four dot-separated parts in decimal, octal or hex, the last part
filling the remaining bytes), and HTTP clients turn full-width digits and dots into ASCII
(IDNA). A check that only knew the dotted-decimal spelling would let all of them through.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import unquote

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOCAL_NAMES = ("localhost", "localhost.localdomain")
_INET_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")
_IDNA_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def is_internal_host(host: str) -> bool:
    """Whether a host name or literal address is loopback, private, link-local or reserved.

    Names other than localhost are not resolved here; what they resolve to is checked when
    something is sent to them.
    """
    name = unicodedata.normalize("NFKC", unquote(host)).translate(_IDNA_DOTS).strip("[]").lower()
    if name.rstrip(".") in LOCAL_NAMES or name.rstrip(".").endswith(".localhost"):
        return True
    # The resolver would not read "127.0.0.1." as an address, but a name server might.
    address = literal_address(name.removesuffix("."))
    return address is not None and _is_internal(address)


def literal_address(text: str) -> IpAddress | None:
    """The address ``text`` spells for the resolver, None when it is a name."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return inet_aton(text)


def inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling BSD ``inet_aton`` accepts, None otherwise."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_PART.fullmatch(part) for part in parts):
        return None
    *leading, last = [_inet_number(part) for part in parts]
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (24 - 8 * index)
    return ipaddress.IPv4Address(value)


def _inet_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:], 16)
    return int(part, 8) if part.startswith("0") else int(part)


def _is_internal(address: IpAddress) -> bool:
    if not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address carried inside IPv6 reaches that IPv4 address.
        embedded = address.ipv4_mapped
        if address in _NAT64 or address in _IPV4_COMPATIBLE:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        return embedded is not None and not embedded.is_global
    return False
