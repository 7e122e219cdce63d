#!/bin/sh
# consumers.sh: install the build into a scratch DESTDIR and build and run a
# program against it the two ways users do: pkg-config (armci.pc and comex.pc
# with a plain C compiler) and CMake (find_package(comex), comex::armci).
# Each program runs on 2 ranks and checks its data.  Exit 77 (skip) when
# pkg-config or cmake is missing.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/comex-consumers.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "consumers: $*"; exit 1; }
value() { sed -n "s|^$1 = ||p" "$top_builddir/Makefile" | head -n 1; }

[ -z "${COMEX_SANITIZE:-}" ] || { echo "consumers: sanitizer build: skipped"; exit 77; }
command -v pkg-config >/dev/null || { echo "consumers: pkg-config not installed"; exit 77; }
command -v cmake >/dev/null || { echo "consumers: cmake not installed"; exit 77; }
prefix=$(value prefix)
root=$work/root
${MAKE:-make} -C "$top_builddir" install DESTDIR="$root" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "make install DESTDIR=$root failed"; }
libdir=$(find "$root$prefix" -name 'armci.pc' | head -n 1 | xargs dirname | xargs dirname)
[ -d "$libdir" ] || fail "armci.pc was not installed"
# The installed libraries, not an older installation under the prefix.
LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

echo "== pkg-config: cc consumer.c \$(pkg-config --cflags --libs armci comex)"
# The installed .pc files with their prefix moved to where DESTDIR put it.
mkdir -p "$work/pc"
for pc in comex armci; do
  sed "s|^prefix=.*|prefix=$root$prefix|" "$libdir/pkgconfig/$pc.pc" >"$work/pc/$pc.pc"
done
flags=$(PKG_CONFIG_PATH=$work/pc pkg-config --cflags --libs armci comex) ||
  fail "pkg-config cannot resolve armci and comex"
echo "flags: $flags"
${CC_PLAIN:-cc} -std=c99 -o "$work/pc-consumer" "$here/consumer.c" $flags ||
  fail "the pkg-config build failed"
"$here/../run_mpi.sh" 2 "$work/pc-consumer" || fail "the pkg-config build's run failed"

echo "== CMake: find_package(comex), comex::armci"
cmake -S "$here" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$root$prefix" \
  >"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake configure failed"; }
cmake --build "$work/cmake-build" >>"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; fail "cmake build failed"; }
grep -E "Found MPI|comex" "$work/cmake.log" | head -n 5
"$here/../run_mpi.sh" 2 "$work/cmake-build/consumer" || fail "the CMake build's run failed"
echo "consumers: both builds ran and checked their data"
