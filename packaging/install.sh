#!/bin/sh
# Installs crmkit's C API under a prefix:
#
#   PREFIX/include/crmkit.h, crmkit.hpp, crmkit-json.md (the JSON shapes)
#   PREFIX/lib/libcrmkit.a
#   PREFIX/lib/libcrmkit.so.ABI   the shared library (its SONAME)
#   PREFIX/lib/libcrmkit.so       a link to it, for the linker's -lcrmkit
#   PREFIX/lib/pkgconfig/crmkit.pc
#
# Usage: cargo build --release && packaging/install.sh PREFIX [LIBDIR]
# LIBDIR is where cargo put the libraries; by default the release folder of
# the target directory: $CARGO_TARGET_DIR/release when CARGO_TARGET_DIR is
# set, else target/release in this clone.
#
# Hosts find the shared library at run time through the rpath that
# `pkg-config --libs crmkit` adds (-Wl,-rpath,PREFIX/lib). Installing into a
# folder the dynamic loader already searches (e.g. /usr/local/lib) works too:
# run `ldconfig` afterwards as root.
set -eu

if [ "$#" -lt 1 ]; then
    echo "usage: $0 PREFIX [LIBDIR]" >&2
    exit 2
fi
prefix=$1
root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
libdir=${2:-$target_dir/release}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
abi=$(sed -n 's/^#define CRM_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$root/include/crmkit.h")
if [ -z "$abi" ]; then
    echo "$0: no CRM_ABI_VERSION in include/crmkit.h" >&2
    exit 1
fi

for lib in libcrmkit.a libcrmkit.so; do
    if [ ! -f "$libdir/$lib" ]; then
        echo "$0: $libdir/$lib not found; run \`cargo build --release\` first" >&2
        exit 1
    fi
done

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp "$root/include/crmkit.h" "$root/include/crmkit.hpp" "$prefix/include/"
cp "$root/docs/json.md" "$prefix/include/crmkit-json.md"
cp "$libdir/libcrmkit.a" "$prefix/lib/"
rm -f "$prefix/lib/libcrmkit.so" "$prefix/lib/libcrmkit.so.$abi"
cp "$libdir/libcrmkit.so" "$prefix/lib/libcrmkit.so.$abi"
ln -s "libcrmkit.so.$abi" "$prefix/lib/libcrmkit.so"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" \
    "$root/packaging/crmkit.pc.in" > "$prefix/lib/pkgconfig/crmkit.pc"
echo "installed crmkit $version (libcrmkit.so.$abi) under $prefix"
