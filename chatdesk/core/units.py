"""How sizes and amounts read to a person: in the window, the CLI and exports alike."""

import re

from chatdesk.core.i18n import number, read_number, tr

_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def format_size(size: int) -> str:
    """Bytes as "512 B", "1.2 KB", "3.4 MB" or "1.5 GB" (units of 1,024), the digits and the
    unit as the user's language writes them ("1,2 KB" in German, "1,2 Ko" in French)."""
    if size < 1024:
        # translators: a size in bytes ("512 B"); French writes "512 o"
        return tr("{n} B", n=number(size))
    if size < 1024**2:
        # translators: a size in kilobytes ("1.2 KB"); French writes "1,2 Ko"
        return tr("{n} KB", n=number(size / 1024, 1))
    if size < 1024**3:
        # translators: a size in megabytes ("3.4 MB"); French writes "3,4 Mo"
        return tr("{n} MB", n=number(size / 1024**2, 1))
    # translators: a size in gigabytes ("1.5 GB"); French writes "1,5 Go"
    return tr("{n} GB", n=number(size / 1024**3, 1))


def parse_size(text: str) -> int:
    """A size a person wrote ("5GB", "500 MB", "1.5 GiB", "2048"; "1,5 GB" in German) in
    bytes, units of 1,024 as `format_size` shows them; ValueError naming what was wrong."""
    found = re.fullmatch(r"\s*([^A-Za-z]*?)\s*([A-Za-z]*)\s*", text)
    try:
        amount = read_number(found[1]) if found is not None else None
    except ValueError:
        amount = None
    if found is None or amount is None:
        raise ValueError(
            tr(
                "{text} is not a size: write a number and a unit, as in 500MB or 2GB",
                text=repr(text),
            )
        )
    unit = found[2].upper().replace("IB", "B")
    if unit not in _UNITS:
        raise ValueError(tr("{text} is not a size: use bytes, KB, MB, GB or TB", text=repr(text)))
    return int(amount * _UNITS[unit])


def format_cost(usd: float) -> str:
    """US dollars with the digits a small amount needs: "$0.000024", "$0.0004", "$0.012",
    "$1.25"; a local model's few tokens at a tiny price still show what they cost. The digits
    are the user's language's ("$1.234,50" in German)."""
    if usd == 0:
        return "$" + number(0, 2)
    if usd < 0.000001:
        return "< $" + number(0.000001, 6)
    places = 6 if usd < 0.0001 else 4 if usd < 0.01 else 3 if usd < 1 else 2
    return "$" + number(usd, places)
