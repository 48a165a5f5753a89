#!/usr/bin/env bash
# Builds the csirtgw .deb without touching the checkout:
#   packaging/build-deb.sh OUTDIR
# dpkg-buildpackage wants debian/ at the top of the source tree; the packaging
# lives in packaging/debian, so the tree (the files git knows, plus new ones
# not ignored; build directories and var/ are left out) is copied into a
# temporary directory, packaging/debian becomes ./debian there, and the .deb
# files land in OUTDIR. The tests are neither built nor run (they run
# separately); set DEB_BUILD_OPTIONS to change that.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/csirtgw-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$work/csirtgw"
mkdir "$src"

if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$top" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$top" && xargs -0 cp --parents -t "$src" 2>/dev/null || true)
  # Files deleted in the work tree but still in the index are simply absent.
else
  tar -C "$top" --exclude='./build*' --exclude=./var --exclude=./debian -cf - . | tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck noddebs parallel=2}"
(cd "$src" && dpkg-buildpackage -us -uc -b)
find "$work" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.buildinfo' -o -name '*.changes' \) \
  -exec cp -t "$out" {} +
ls "$out"/*.deb
