#!/bin/sh
# Installs crmkit's C API under a prefix:
#
#   PREFIX/include/crmkit.h, crmkit.hpp
#   PREFIX/lib/libcrmkit.a, libcrmkit.so
#   PREFIX/lib/pkgconfig/crmkit.pc
#
# Usage: cargo build --release && packaging/install.sh /usr/local [LIBDIR]
# LIBDIR is where cargo put the libraries (default: target/release).
set -eu

if [ "$#" -lt 1 ]; then
    echo "usage: $0 PREFIX [LIBDIR]" >&2
    exit 2
fi
prefix=$1
root=$(cd "$(dirname "$0")/.." && pwd)
libdir=${2:-$root/target/release}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)

for lib in libcrmkit.a libcrmkit.so; do
    if [ ! -f "$libdir/$lib" ]; then
        echo "$0: $libdir/$lib not found; run \`cargo build --release\` first" >&2
        exit 1
    fi
done

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp "$root/include/crmkit.h" "$root/include/crmkit.hpp" "$prefix/include/"
cp "$libdir/libcrmkit.a" "$libdir/libcrmkit.so" "$prefix/lib/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" \
    "$root/packaging/crmkit.pc.in" > "$prefix/lib/pkgconfig/crmkit.pc"
echo "installed crmkit $version under $prefix"
