#!/usr/bin/env sh
# Install DSL Desk for this user only (no root): the program in ~/.local/opt/dsl-desk, a `dsl-desk`
# command in ~/.local/bin and an entry in the application menu. Records stay in ~/.local/share/DSL Desk.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target="$HOME/.local/opt/dsl-desk"
rm -rf "$target"
mkdir -p "$target" "$HOME/.local/bin" "${XDG_DATA_HOME:-$HOME/.local/share}/applications"
cp -R "$here/dsl-desk/." "$target/"
ln -sf "$target/dsl-desk" "$HOME/.local/bin/dsl-desk"
sed "s|@EXEC@|$target/dsl-desk|" "$here/dsl-desk.desktop" > "${XDG_DATA_HOME:-$HOME/.local/share}/applications/dsl-desk.desktop"
echo "DSL Desk installed in $target. Start it from the menu or run: dsl-desk"
