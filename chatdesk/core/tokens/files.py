"""Finding, checking and reading tiktoken's rank files without ever downloading one.

tiktoken's own loaders (`tiktoken.get_encoding`) fetch a missing file from the internet, and
even given a local path they copy it into their cache folder. chatdesk never lets them: it looks
for the file itself, checks its sha256, parses it, and builds the `tiktoken.Encoding` from the
ranks and the pattern below (the same values tiktoken's `tiktoken_ext.openai_public` holds;
a test compares them).

Places, first match wins: the folder named by `TIKTOKEN_CACHE_DIR` (tiktoken's own cache, and
how tests and packagers point elsewhere), the copies shipped in `chatdesk/resources/tiktoken/`,
then chatdesk's user cache folder (`<cache>/tiktoken`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.package_data import package_data
from chatdesk.core.paths import Paths
from chatdesk.core.tokens.models import CL100K, O200K

if TYPE_CHECKING:
    import tiktoken

log = logging.getLogger("chatdesk.tokens")


@dataclass(frozen=True)
class EncodingSpec:
    name: str
    file_name: str  # the sha1 of the download URL: the name tiktoken's cache gives the file
    sha256: str
    pattern: str
    special_tokens: Mapping[str, int]


_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

SPECS: Mapping[str, EncodingSpec] = {
    O200K: EncodingSpec(
        O200K,
        "fb374d419588a4632f3f557e76b4b70aebbca790",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    CL100K: EncodingSpec(
        CL100K,
        "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
}


def bundled_dir() -> Path:
    return package_data("resources") / "tiktoken"


def default_locations(env: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Where to look, in order, as the environment says now (tests change it per test)."""
    env = os.environ if env is None else env
    places = []
    # An empty TIKTOKEN_CACHE_DIR means "no cache" to tiktoken, not the current folder.
    if env.get("TIKTOKEN_CACHE_DIR"):
        places.append(Path(env["TIKTOKEN_CACHE_DIR"]))
    places.append(bundled_dir())
    places.append(Paths.resolve(env=env).cache_dir / "tiktoken")
    return tuple(places)


def read_rank_file(spec: EncodingSpec, locations: Sequence[Path]) -> bytes | None:
    """The first intact copy of `spec`'s file in `locations`, or None."""
    for folder in locations:
        data = _read_if_intact(folder / spec.file_name, spec)
        if data is not None:
            return data
    return None


def _read_if_intact(path: Path, spec: EncodingSpec) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("cannot read %s encoding at %s: %s", spec.name, path, error)
        return None
    if hashlib.sha256(data).hexdigest() != spec.sha256:
        log.warning("ignoring %s encoding at %s: its sha256 does not match", spec.name, path)
        return None
    return data


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """tiktoken's rank format: one `<base64 token> <rank>` per line."""
    ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def build_encoding(spec: EncodingSpec, data: bytes) -> tiktoken.Encoding:
    import tiktoken  # a native library: loaded only when an encoding is

    return tiktoken.Encoding(
        spec.name,
        pat_str=spec.pattern,
        mergeable_ranks=parse_ranks(data),
        special_tokens=dict(spec.special_tokens),
    )


def load_encoding(spec: EncodingSpec, locations: Sequence[Path]) -> tiktoken.Encoding | None:
    """The encoding from the first intact local copy, or None when there is none."""
    data = read_rank_file(spec, locations)
    if data is None:
        log.info("no local copy of the %s encoding; token counts will be estimates", spec.name)
        return None
    return build_encoding(spec, data)
