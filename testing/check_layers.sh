#!/bin/sh
# check_layers.sh -- the engine's include rule, checked (part of make check).
#
# src-mpi-mt/ is layered; a file may include headers of its own layer and of
# the layers below it, never above:
#
#   api   the C entry points and their argument checks
#   core  the runtime: life cycle, node-local or message, handles, fences
#   am    the active-message protocol: wire format, origin and target halves,
#         the progress engine
#   node  what ranks of one node share: segments, doorbells, mutex words,
#         placement
#   util  configuration, logging, errors, MPI wrappers, layouts, kernels
#
# Every quoted include of the engine names its layer ("core/runtime.h");
# the public headers of include/ may be included anywhere.
# Prints each violation; exits 1 if there is one.
top=${srcdir:-.}/src-mpi-mt
[ -d "$top/api" ] || top=$(dirname "$0")/../src-mpi-mt
[ -d "$top/api" ] || { echo "check_layers: no src-mpi-mt/api under ${srcdir:-.}" >&2; exit 1; }

rank() {
  case "$1" in
    api) echo 5 ;; core) echo 4 ;; am) echo 3 ;; node) echo 2 ;; util) echo 1 ;; *) echo 0 ;;
  esac
}

bad=0 files=0
for f in "$top"/*/*.cc "$top"/*/*.h; do
  [ -f "$f" ] || continue
  files=$((files + 1))
  layer=$(basename "$(dirname "$f")")
  mine=$(rank "$layer")
  if [ "$mine" = 0 ]; then
    echo "check_layers: ${f#$top/}: folder '$layer' is not a layer"; bad=1; continue
  fi
  # quoted includes only: <comex.h> and system headers are outside the rule
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    [ -f "$top/../include/$inc" ] && continue  # a public header (comex.h)
    case "$inc" in
      */*) dep=${inc%%/*} ;;
      *) echo "check_layers: ${f#$top/}: \"$inc\" does not name its layer"; bad=1; continue ;;
    esac
    theirs=$(rank "$dep")
    if [ "$theirs" = 0 ]; then
      echo "check_layers: ${f#$top/}: \"$inc\" is in no layer"; bad=1
    elif [ "$theirs" -gt "$mine" ]; then
      echo "check_layers: ${f#$top/}: $layer includes \"$inc\" from the layer above it ($dep)"; bad=1
    fi
  done
done
[ "$files" -gt 0 ] || { echo "check_layers: no sources found under $top" >&2; exit 1; }
[ "$bad" = 0 ] && echo "check_layers: $files files keep the include rule (api > core > am > node > util)"
exit $bad
