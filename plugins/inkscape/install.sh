#!/bin/sh
# Install the strokebot extension into Inkscape: copies its three files into Inkscape's user
# extensions folder (what `inkscape --user-data-directory` names, plus /extensions), or into DEST.
#   sh plugins/inkscape/install.sh [DEST]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-}
if [ -z "$dest" ]; then
    if ! command -v inkscape >/dev/null 2>&1; then
        echo "install.sh: inkscape is not on PATH; name the extensions folder: $0 DEST" >&2
        exit 1
    fi
    dest="$(inkscape --user-data-directory 2>/dev/null | tail -n 1)/extensions"
fi
mkdir -p "$dest"
cp "$here/strokebot_trace.inx" "$here/strokebot_trace.py" "$here/strokebot_strokes.py" "$dest/"
echo "installed into $dest: restart Inkscape, then Extensions > strokebot > Trace glyphs to strokes"
