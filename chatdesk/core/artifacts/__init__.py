"""Artifacts: what an answer shows beyond its text (a Mermaid diagram, an HTML page, a React
component), drawn in a sandboxed web engine without a network.

`web/` holds the JavaScript they run, copied from pinned npm packages with their licences and
listed in `web/MANIFEST.json` (kept by `packaging/vendor_js.py`, decision 0101).
"""
