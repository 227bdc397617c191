"""A tool's structured result (MCP's `structuredContent`): kept as indented JSON beside its text,
and checked against the output schema its tool declared. The check is chatdesk's own, with the
`jsonschema` package the SDK depends on: a result that does not match is kept and noted (on the
card, and briefly to the model), where the SDK would have thrown it away. A schema's `$ref`
resolves only inside the schema itself: nothing is fetched because a server named it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chatdesk.core.i18n import tr

MAX_REASON = 300  # characters of a mismatch's reason


def structured_text(value: Any) -> str:
    """The structured result as it is shown: indented JSON ("" for none)."""
    if value is None:
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


def mismatch(value: Any, schema: Mapping[str, Any] | None) -> str:
    """Why `value` does not match `schema`, in a line ("": it does, or there is no schema).
    A tool that declares a schema and gives no structured result does not match either."""
    if schema is None:
        return ""
    if value is None:
        return tr("it gave no structured result")
    from jsonschema import SchemaError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    kind = validator_for(schema)
    try:
        kind.check_schema(schema)
        # An empty registry: `$ref`s resolve within the schema and the bundled metaschemas.
        error = best_match(kind(schema, registry=Registry()).iter_errors(value))
    except SchemaError as bad:
        return _line(
            tr("its output schema is not a valid JSON schema ({reason})", reason=bad.message)
        )
    except Unresolvable as unresolved:
        return _line(
            tr("its output schema refers to what it does not hold ({ref})", ref=unresolved)
        )
    if error is None:
        return ""
    where = "/".join(str(step) for step in error.absolute_path)
    if where:
        return _line(tr("at {where}: {reason}", where=where, reason=error.message))
    return _line(str(error.message))


def _line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
