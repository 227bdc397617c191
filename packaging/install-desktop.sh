#!/bin/sh
# Put chatdesk in your desktop's application menu, for you only (no root needed): the .desktop
# entry, the icons and the AppStream metainfo go under ${XDG_DATA_HOME:-~/.local/share}.
#
#   ./install-desktop.sh [CHATDESK]     install; CHATDESK is the command the menu entry starts
#   ./install-desktop.sh --uninstall    remove what an install added
#
# CHATDESK defaults to the desktop build this script sits in (dist/chatdesk/chatdesk), else
# to `chatdesk` on your PATH; for a venv give its full path, e.g. ~/.venvs/chatdesk/bin/chatdesk.
# The files come from the desktop build's folder, a source checkout, or the installed package.
set -eu

APP_ID=io.github.chatdesk.Chatdesk
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
desktop_file=$data/applications/$APP_ID.desktop
metainfo_file=$data/metainfo/$APP_ID.metainfo.xml
icons=$data/icons/hicolor

fail() {
    echo "install-desktop: $*" >&2
    exit 1
}

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
        gtk-update-icon-cache -q -t "$icons" || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$desktop_file" "$metainfo_file" "$icons/scalable/apps/$APP_ID.svg"
    rm -f "$icons"/*/apps/"$APP_ID".png
    refresh_caches
    echo "install-desktop: removed chatdesk's menu entry, icons and metainfo from $data"
    exit 0
fi

# The command the menu starts, as an absolute path.
if [ $# -gt 0 ]; then
    command=$1
elif [ -x "$here/chatdesk" ] && [ -d "$here/_internal" ]; then
    command=$here/chatdesk
else
    command=$(command -v chatdesk) || fail "no chatdesk on PATH: give its path, e.g. $0 ~/.venvs/chatdesk/bin/chatdesk"
fi
[ -x "$command" ] && [ ! -d "$command" ] || fail "$command is not an executable"
command=$(cd "$(dirname "$command")" && pwd)/$(basename "$command")
case $command in
    *[\"\`\$\\%]*) fail "the path $command has characters a menu entry cannot hold (\" \` \$ \\ %)" ;;
esac

# Where the desktop files are: the desktop build, a checkout, or the package of a venv.
resources=
for candidate in "$here/_internal/chatdesk/resources" "$here/../resources"; do
    if [ -f "$candidate/linux/$APP_ID.desktop" ]; then
        resources=$(cd "$candidate" && pwd)
        break
    fi
done
if [ -z "$resources" ] && [ -x "$(dirname "$command")/python" ]; then
    resources=$("$(dirname "$command")/python" -c \
        'from chatdesk.core.package_data import package_data; print(package_data("resources"))')
fi
[ -n "$resources" ] && [ -f "$resources/linux/$APP_ID.desktop" ] ||
    fail "cannot find chatdesk's resources folder next to $0 or $command"

mkdir -p "$data/applications" "$data/metainfo" "$icons/scalable/apps"
sed "s|^Exec=chatdesk|Exec=\"$command\"|" "$resources/linux/$APP_ID.desktop" >"$desktop_file"
chmod 0644 "$desktop_file"
cp "$resources/linux/$APP_ID.metainfo.xml" "$metainfo_file"
cp "$resources/icons/chatdesk.svg" "$icons/scalable/apps/$APP_ID.svg"
for png in "$resources"/icons/hicolor/*/apps/"$APP_ID".png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    mkdir -p "$icons/$size/apps"
    cp "$png" "$icons/$size/apps/$APP_ID.png"
done
chmod 0644 "$metainfo_file" "$icons"/*/apps/"$APP_ID".*
refresh_caches
echo "install-desktop: chatdesk is in your application menu (starts $command)"
echo "install-desktop: files in $data; remove them with: $0 --uninstall"
