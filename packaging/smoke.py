"""Smoke test of an installed or frozen chatdesk, run as a user runs it.

    python3 packaging/smoke.py CHATDESK [--no-network] [--window-runs N] [--formulas source]
                               [--local-speech MODEL]

CHATDESK is the command to test: a venv's `bin/chatdesk` (the wheel) or `dist/chatdesk/chatdesk`
(the desktop build). Only the standard library is used, so any Python 3.11+ runs this file;
chatdesk itself runs from a temporary folder with a temporary CHATDESK_HOME, so nothing of a
checkout or of the user's own data is in reach. With `--no-network` every chatdesk process runs
in a network namespace of its own (`unshare -n`; root, or `unshare -rn` otherwise) that holds
only a loopback interface.

Checked, in order:
1. `chatdesk --version` answers;
2. `chatdesk ask` with the built-in mock provider creates the database, migrates it and answers;
   `chatdesk db check` finds it at the newest schema;
3. `chatdesk tokens` counts with the bundled tiktoken encodings (exact, not an estimate): that
   runs the counting child process;
4. `chatdesk export --format html` formats the answer in the render child process: code
   highlighted by Pygments and formulas drawn by matplotlib, not the plain-text fallback; with
   `--formulas source` (the wheel's base install, without the `formulas` extra: decision 0075)
   the formulas are their TeX source instead, none drawn and none lost, and `chatdesk install`
   lists formulas as not installed;
5. a stdio MCP server (a few lines of JSON-RPC over stdin and stdout, written here with the
   standard library) is added with `chatdesk tools add` and called through `chatdesk ask
   --tools`: the mcp SDK the package carries starts it, lists its tool and calls it;
6. `chatdesk ask --attach` with a PNG and a PDF (both written here with the standard library):
   the reading child decodes the image with Pillow and reads the PDF's text with PDFium, and
   the mock describes both;
7. the window opens offscreen, paints, opens its core and closes with exit code 0
   (`CHATDESK_EXIT_AFTER_START`, see chatdesk/ui/exit_after_start.py); the time to its first
   paint and to its core being attached is printed (median over `--window-runs`, after one
   run that warms the page cache and is not counted);
8. voice's runtimes are extras (decision 0074): `chatdesk voice models` says speech to text on
   this computer is not installed and how to install it; the desktop build's `chatdesk voice
   install` refuses, saying what to do instead.
With `--local-speech MODEL` (once `chatdesk voice install` has run), only this instead:
espeak-ng's speech in a WAV is transcribed on this computer with the Whisper model in the
folder MODEL, and the words must be heard.
A venv's chatdesk is also checked to import from the venv, not from a checkout. The working
folder holds packages named like modules the children import (`multiprocessing`, `tiktoken`,
`markdown_it`, `pygments`), as a repository someone else wrote could: none may be imported,
by chatdesk or by its children (chatdesk/core/trust/children.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PLANTED = ("multiprocessing", "tiktoken", "markdown_it", "pygments")
PLANTED_CODE = """
import os, pathlib
pathlib.Path({folder!r}, f"{{__name__}}-in-{{os.getpid()}}").write_text("imported")
raise ImportError("planted in the working folder")
"""
STARTED_PREFIX = "chatdesk: started "  # chatdesk/ui/exit_after_start.py
QUESTION = "show me code"  # the mock's answer to it has code blocks and formulas
FORMULA = "\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}"  # one of them, as its source
SENTENCE = "Please book a table for two people tomorrow evening."  # as tests/core/voice_parts.py
TIMEOUT = 120.0


class SmokeFailed(Exception):
    pass


class Runner:
    def __init__(self, command: Path, home: Path, cwd: Path, no_network: bool) -> None:
        self.command = command
        self.cwd = cwd
        self.prefix = _isolation() if no_network else []
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "TIKTOKEN_CACHE_DIR")
            and not key.startswith("CHATDESK_")
        }
        self.env.update(
            CHATDESK_HOME=str(home),
            CHATDESK_MOCK_TOKENS_PER_SECOND="0",
            CHATDESK_UI_LANGUAGE="en",  # the words checked below
            QT_QPA_PLATFORM="offscreen",
        )

    def attempt(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`chatdesk ARGS`, however it ends."""
        return subprocess.run(
            [*self.prefix, str(self.command), *args],
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = self.attempt(*args, env=env)
        if done.returncode != 0:
            raise SmokeFailed(
                f"`chatdesk {' '.join(args)}` exited with {done.returncode}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done.stdout

    def run_json(self, *args: str) -> dict[str, object]:
        output = self.run(*args, "--json")
        try:
            value = json.loads(output)
        except json.JSONDecodeError as error:
            raise SmokeFailed(f"`chatdesk {' '.join(args)} --json` printed {output!r}") from error
        if not isinstance(value, dict):
            raise SmokeFailed(f"`chatdesk {' '.join(args)} --json` printed {output!r}")
        return value


def _isolation() -> list[str]:
    """`unshare` arguments for a process without network, checked to leave only loopback."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise SmokeFailed("--no-network needs unshare (util-linux)")
    prefix = [unshare, "-n"] if os.geteuid() == 0 else [unshare, "-rn"]
    probe = subprocess.run(
        [*prefix, "cat", "/proc/net/dev"], capture_output=True, text=True, check=False
    )
    lines = probe.stdout.splitlines()[2:]  # two header lines
    interfaces = sorted(line.split(":", 1)[0].strip() for line in lines)
    if probe.returncode != 0 or interfaces != ["lo"]:
        raise SmokeFailed(f"cannot take the network away: {probe.stderr.strip() or interfaces}")
    return prefix


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailed(what)


def check_install_location(command: Path, cwd: Path) -> str | None:
    """For a venv's `chatdesk`: where its Python imports chatdesk from (must be the venv)."""
    python = command.parent / "python"
    if not python.exists():
        return None  # a frozen build carries its own modules
    where = subprocess.run(
        [str(python), "-c", "import chatdesk; print(chatdesk.__file__)"],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    venv = command.parent.parent.resolve()
    _check(
        Path(where).resolve().is_relative_to(venv),
        f"chatdesk is imported from {where}, not from {venv}",
    )
    return where


def plant(cwd: Path, markers: Path) -> None:
    """Packages in the working folder that leave a mark when imported."""
    markers.mkdir()
    for name in PLANTED:
        package = cwd / name
        package.mkdir()
        (package / "__init__.py").write_text(PLANTED_CODE.format(folder=str(markers)))


def check_nothing_planted_ran(markers: Path) -> None:
    imported = sorted(marker.name for marker in markers.iterdir())
    _check(not imported, f"modules from the working folder were imported: {imported}")


def check_commands(runner: Runner, home: Path, out: Path, formulas: str) -> str:
    version = runner.run("--version").strip()
    _check(version.startswith("chatdesk "), f"--version printed {version!r}")

    answer = runner.run_json("ask", "--model", "gpt-4o", QUESTION)
    _check(answer.get("status") == "complete", f"ask did not complete: {answer}")
    _check(bool(answer.get("content")), "ask answered nothing")
    _check((home / "data" / "chatdesk.db").is_file(), "ask created no database")
    check = runner.run_json("db", "check")
    _check(check.get("up_to_date") is True, f"the database is not at the newest schema: {check}")
    _check(check.get("integrity") == "ok", f"the database is damaged: {check}")

    thread = str(answer["thread_id"])
    tokens = runner.run_json("tokens", thread)
    _check(tokens.get("estimated") is False, f"token counts are estimates: {tokens}")
    _check(int(str(tokens.get("history", 0))) > 0, f"no tokens counted: {tokens}")

    page = out / "thread.html"
    runner.run("export", thread, "--format", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    _check('style="color:' in html, "the exported code is not highlighted (render worker?)")
    if formulas == "drawn":
        _check("data:image/png" in html, "the exported formulas are not drawn (render worker?)")
        return version
    _check("data:image/png" not in html, "formulas are drawn without the formulas extra")
    _check(FORMULA in html, "the exported formulas are not shown as their source")
    listed = runner.run("install").splitlines()
    line = next((line for line in listed if line.startswith("formulas ")), "")
    _check(line.endswith("not installed"), f"`chatdesk install` lists formulas as {line!r}")
    return version


ECHO_SERVER = """
import json, sys
for line in sys.stdin:
    message = json.loads(line)
    method, ident = message.get("method"), message.get("id")
    if ident is None:
        continue  # a notification
    params = message.get("params") or {}
    if method == "initialize":
        result = {"protocolVersion": params.get("protocolVersion"), "capabilities": {"tools": {}},
                  "serverInfo": {"name": "smoke-echo", "version": "1"}}
    elif method == "tools/list":
        schema = {"type": "object", "properties": {"text": {"type": "string"}},
                  "required": ["text"]}
        result = {"tools": [{"name": "echo", "description": "Say it back.", "inputSchema": schema}]}
    elif method == "tools/call":
        said = str((params.get("arguments") or {}).get("text", ""))
        result = {"content": [{"type": "text", "text": said}], "isError": False}
    elif method == "ping":
        result = {}
    else:
        error = {"code": -32601, "message": "no such method"}
        print(json.dumps({"jsonrpc": "2.0", "id": ident, "error": error}), flush=True)
        continue
    print(json.dumps({"jsonrpc": "2.0", "id": ident, "result": result}), flush=True)
"""


def check_tools(runner: Runner, root: Path) -> None:
    """An MCP server started and called by the packaged mcp SDK, the call stored as a part."""
    server = root / "echo_server.py"
    server.write_text(ECHO_SERVER, encoding="utf-8")
    runner.run("tools", "add", "echo", "--", sys.executable, "-I", str(server))
    answer = runner.run_json(
        "ask", "--tools", "echo", "--approve", "allow", "use the echo tool with text=packaged"
    )
    calls = answer.get("tool_calls")
    _check(isinstance(calls, list) and len(calls) == 1, f"no tool call was made: {answer}")
    assert isinstance(calls, list)
    call = calls[0]
    _check(call.get("state") == "done", f"the tool call did not run: {call}")
    _check(call.get("result") == "packaged", f"the tool said something else: {call}")
    _check("packaged" in str(answer.get("content")), f"the answer does not quote it: {answer}")


def check_attachments(runner: Runner, root: Path) -> None:
    """A picture and a PDF attached: read in the reading child by the packaged Pillow and
    PDFium, and described by the mock."""
    picture, document = root / "dot.png", root / "words.pdf"
    picture.write_bytes(_png(4, 3, (20, 40, 200)))
    document.write_bytes(_pdf("Packaged words"))
    answer = runner.run_json(
        "ask", "--attach", str(picture), "--attach", str(document), "what are these?"
    )
    content = str(answer.get("content"))
    _check("**dot.png**: an image, 4×3 pixels, mostly blue" in content, f"no image: {content}")
    said = "**words.pdf**: a PDF, 1 page, beginning “Packaged words"
    _check(said in content, f"the PDF was not read: {content}")


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def _pdf(text: str) -> bytes:
    """One page with `text` in Helvetica, its cross-reference table counted byte by byte."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, start
    )  # fmt: skip
    return bytes(out)


def check_voice_runtimes(runner: Runner, frozen: bool) -> None:
    """Speech to text on this computer is an extra: said to be missing, with how to get it; a
    desktop build cannot install it and says what to do instead."""
    listed = runner.attempt("voice", "models")
    _check(
        listed.returncode == 0
        and "Speech to text on this computer is not installed: `chatdesk voice install`"
        in listed.stderr,
        f"`chatdesk voice models` did not say local speech is missing:\n{listed.stderr}",
    )
    if frozen:
        refused = runner.attempt("voice", "install")
        _check(
            refused.returncode == 1
            and "This desktop build of chatdesk cannot add it" in refused.stderr
            and "pip install 'chatdesk[local-speech]'" in refused.stderr,
            f"`chatdesk voice install` in the desktop build:\n{refused.stderr}",
        )


def check_local_speech(runner: Runner, model: Path, root: Path) -> str:
    """espeak-ng's sentence transcribed on this computer; the words heard."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SmokeFailed("--local-speech needs espeak-ng to speak its sentence")
    wav = root / "speech.wav"
    subprocess.run([espeak, "-s", "140", "-w", str(wav), SENTENCE], check=True)
    heard = runner.run_json("transcribe", str(wav), "--provider", "local", "--model", str(model))
    text = str(heard.get("text", ""))
    missing = [word for word in ("table", "two", "tomorrow", "evening") if word not in text.lower()]
    _check(not missing, f"local speech to text heard {text!r} for {SENTENCE!r}")
    return text


def check_window(runner: Runner, runs: int) -> tuple[float, float]:
    """Median ms from starting the process to the first paint, and to the core attached."""
    painted: list[float] = []
    attached: list[float] = []
    for number in range(runs + 1):  # run 0 warms the page cache, not counted
        started = time.time()
        output = runner.run(env={"CHATDESK_EXIT_AFTER_START": "1"})
        lines = [line for line in output.splitlines() if line.startswith(STARTED_PREFIX)]
        _check(bool(lines), f"the window reported no start:\n{output}")
        marks = json.loads(lines[-1][len(STARTED_PREFIX) :])
        _check(marks.get("painted") is not None, "the window never painted")
        if number:
            painted.append((marks["painted"] - started) * 1000)
            attached.append((marks["attached"] - started) * 1000)
    return statistics.median(painted), statistics.median(attached)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chatdesk", type=Path, help="the chatdesk command to test")
    parser.add_argument("--no-network", action="store_true", help="run chatdesk without network")
    parser.add_argument("--window-runs", type=int, default=1, metavar="N")
    parser.add_argument(
        "--formulas",
        choices=("drawn", "source"),
        default="drawn",
        help="formulas are drawn (the default), or shown as source (no formulas extra)",
    )
    parser.add_argument(
        "--local-speech",
        type=Path,
        metavar="MODEL",
        help="only transcribe speech on this computer with the Whisper model in MODEL",
    )
    args = parser.parse_args(argv)
    command = args.chatdesk.absolute()
    if not os.access(command, os.X_OK):
        print(f"smoke: {command} is not an executable", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="chatdesk-smoke-") as scratch:
        root = Path(scratch)
        home, cwd = root / "home", root / "cwd"
        cwd.mkdir()
        try:
            started = time.perf_counter()
            runner = Runner(command, home, cwd, args.no_network)
            where = check_install_location(command, cwd)
            if args.local_speech is not None:
                heard = check_local_speech(runner, args.local_speech.absolute(), root)
                print(f"smoke: ok: local speech to text heard {heard!r}")
                return 0
            plant(cwd, root / "planted")
            version = check_commands(runner, home, root, args.formulas)
            check_tools(runner, root)
            check_attachments(runner, root)
            check_voice_runtimes(runner, frozen=where is None)
            commands_s = time.perf_counter() - started
            paint_ms, attached_ms = check_window(runner, args.window_runs)
            check_nothing_planted_ran(root / "planted")
        except (SmokeFailed, subprocess.SubprocessError) as failure:
            print(f"smoke: FAILED: {failure}", file=sys.stderr)
            return 1
    network = " ".join(runner.prefix) if runner.prefix else "not isolated"
    print(f"smoke: {version} at {command} (network: {network})")
    if where:
        print(f"smoke: imports chatdesk from {where}")
    print(
        f"smoke: ok: --version, ask (mock, database created and migrated), db check, "
        f"tokens (exact), export html (highlighted, formulas {args.formulas}), an MCP tool "
        f"called, "
        f"a PNG and a PDF attached and read, voice's runtimes said to be missing "
        f"in {commands_s:.1f} s; "
        f"nothing imported from the working folder"
    )
    print(
        f"smoke: ok: window offscreen, median of {args.window_runs}: first paint "
        f"{paint_ms:.0f} ms, core attached {attached_ms:.0f} ms after the process started"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
