#!/usr/bin/env bash
# Build the desktop app on Linux or macOS: dist/chatdesk/ (a PyInstaller one-folder build; run
# dist/chatdesk/chatdesk), on macOS also dist/chatdesk.app, and a tarball of what is handed out:
# dist/chatdesk-<version>-<linux|darwin>-<arch>.tar.gz. Windows: packaging/build.ps1.
#
#   packaging/build.sh [--no-tar] [--venv DIR]
#
# chatdesk and PyInstaller are installed into a venv of their own (build/freeze/venv, or DIR: a
# venv that holds what `pip install .` installs, as .ci/package-smoke hands in the one it has
# just tested; PYTHON picks the interpreter of a new one, default python3), from the checkout as
# a wheel, so the build holds exactly what `pip install '.[formulas]'` installs: the desktop build
# cannot fetch an extra, and draws formulas (decision 0075). Needs the package index the first
# time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/build/freeze
venv=$work/venv
pyinstaller_spec="pyinstaller>=6.10,<7"
make_tar=1
while [ $# -gt 0 ]; do
    case $1 in
        --no-tar) make_tar=0 ;;
        --venv) venv=$(cd "$2" && pwd); shift ;;
        *) echo "build.sh: unknown option $1 (--no-tar, --venv DIR)" >&2; exit 2 ;;
    esac
    shift
done

started=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/pip" install -q "$root[formulas]" "$pyinstaller_spec"
# The same version number does not make pip replace an earlier build of the checkout.
"$venv/bin/pip" install -q --force-reinstall --no-deps "$root"

# From the work folder: run from the checkout, PyInstaller's helpers would find its chatdesk/
# (the current folder is on their path) instead of the installed one with its data.
mkdir -p "$work"  # with --venv it may not have been made yet
cd "$work"
"$venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$root/dist" --workpath "$work/pyinstaller" "$root/packaging/chatdesk.spec"
system=$(uname -s | tr '[:upper:]' '[:lower:]')
app=$root/dist/chatdesk
if [ "$system" = darwin ]; then
    app=$root/dist/chatdesk.app  # the menu entry of macOS is the bundle itself
else
    install -m 0755 "$root/packaging/install-desktop.sh" "$app/install-desktop.sh"
fi
echo "built $app ($(du -sh "$app" | cut -f1)) in $(( $(date +%s) - started )) s"

if [ "$make_tar" = 1 ]; then
    version=$("$venv/bin/python" -c 'import chatdesk; print(chatdesk.__version__)')
    tarball=$root/dist/chatdesk-$version-$system-$(uname -m).tar.gz
    tar -C "$root/dist" -czf "$tarball" "$(basename "$app")"
    echo "packed $tarball ($(du -sh "$tarball" | cut -f1))"
fi
