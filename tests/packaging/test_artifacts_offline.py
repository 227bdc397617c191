"""The shipped JavaScript works on its own, offline (decision 0101): a page that may load only
local files (its Content-Security-Policy allows no other source) draws a Mermaid flowchart to
SVG and mounts a TSX counter compiled by Babel with React, in a real Chromium, headless. The
page's one request elsewhere, a probe, must be the only one the policy blocked.

Chromium is skipped when missing on a developer's machine; in CI (CI=true) a missing Chromium
fails, and `.ci/install-debian-parts` installs Debian's `chromium` first.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "chatdesk" / "core" / "artifacts" / "web"
SCRIPTS = (
    "mermaid/mermaid.min.js",
    "react/react.production.min.js",
    "react-dom/react-dom.production.min.js",
    "babel-standalone/babel.min.js",
)

# What an answer's ```tsx block would hold: types, a hook, a default export.
COMPONENT = """\
import React, { useState } from "react";
type Props = { start: number };
export default function Counter({ start }: Props) {
  const [count, setCount] = useState<number>(start);
  return <button onClick={() => setCount(count + 1)}>Clicked {count} times</button>;
}
"""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';
  script-src file: 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<script>
document.addEventListener("securitypolicyviolation", (event) => {
  const page = document.documentElement;
  page.dataset.blocked = (page.dataset.blocked || "") + event.blockedURI + " ";
});
</script>
SCRIPTS
</head><body><div id="diagram"></div><div id="app"></div><pre id="errors"></pre>
<img alt="" src="http://127.0.0.1:9/probe.png">
<script>
const failed = (what) => (error) => {
  document.getElementById("errors").textContent += what + ": " + error + "\\n";
};
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
mermaid.render("flow", "flowchart LR\\n  A[Asked] --> B[Answered]")
  .then(({ svg }) => { document.getElementById("diagram").innerHTML = svg; })
  .catch(failed("mermaid"));
try {
  const compiled = Babel.transform(COMPONENT, {
    filename: "Counter.tsx",
    presets: [["react", { runtime: "classic" }], "typescript"],
    plugins: ["transform-modules-commonjs"],
  }).code;
  const module = { exports: {} };
  const modules = { react: React, "react-dom": ReactDOM };
  const run = new Function("require", "module", "exports", compiled);
  run((name) => modules[name], module, module.exports);
  const root = ReactDOM.createRoot(document.getElementById("app"));
  ReactDOM.flushSync(() => root.render(React.createElement(module.exports.default, { start: 2 })));
  document.querySelector("#app button").click();
} catch (error) { failed("react")(error); }
</script></body></html>
"""


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/install-debian-parts installs it")
        pytest.skip("chromium not installed (Debian: apt-get install chromium)")
    return path


def page(folder: Path) -> Path:
    tags = "\n".join(f'<script src="{(WEB / script).as_uri()}"></script>' for script in SCRIPTS)
    text = PAGE.replace("SCRIPTS", tags).replace("COMPONENT", json.dumps(COMPONENT))
    path = folder / "artifacts.html"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_diagram_and_a_component_render_from_the_shipped_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            chromium(),
            "--headless=new",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox will not start
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",  # the page's promises and React's updates settle
            "--dump-dom",
            page(tmp_path).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    dom = done.stdout
    assert re.search(r'<pre id="errors"></pre>', dom), dom[-2000:]
    blocked = re.search(r'<html data-blocked="([^"]*)"', dom)
    assert blocked is not None, dom[:500]  # the policy holds, so nothing below went out
    assert blocked.group(1).split() == ["http://127.0.0.1:9/probe.png"]
    diagram = re.search(r'<div id="diagram">(<svg .*?</svg>)</div>', dom, re.DOTALL)
    assert diagram is not None, dom[:2000]
    assert "Asked" in diagram.group(1)
    assert "Answered" in diagram.group(1)
    assert re.search(r'<div id="app"><button>Clicked 3 times</button></div>', dom), dom[-2000:]
