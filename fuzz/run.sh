#!/usr/bin/env bash
# Coverage-guided fuzzing of every JSON entry point of crmkit, for a bounded
# time per target:
#
#   fuzz/run.sh            # every target, 60 s each
#   fuzz/run.sh 20         # every target, 20 s each
#   fuzz/run.sh 300 rules_json
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz needs the
# sanitizer flags of a nightly compiler; on a stable toolchain this script
# sets RUSTC_BOOTSTRAP=1 to allow them. A crash leaves its input under
# fuzz/artifacts/<target>/: turn it into a regression test under tests/
# before fixing the bug. Seeds are in fuzz/seeds/<target>/; the growing
# corpus in fuzz/corpus/<target>/ is not committed.
#
# The sanitizer is none by default: the targets call only crmkit's Rust API,
# which is built with #![deny(unsafe_code)], so AddressSanitizer finds nothing
# there that a panic would not, and it doubles the build and run time. Set
# FUZZ_SANITIZER=address (or another cargo-fuzz sanitizer) to use one.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^crmkit-fuzz$')
fi

sanitizer=${FUZZ_SANITIZER:-none}

export RUSTC_BOOTSTRAP=1
cargo fuzz build -O -s "$sanitizer"
mkdir -p logs
for target in "${targets[@]}"; do
    echo "=== fuzzing $target for ${seconds}s"
    mkdir -p "corpus/$target" "seeds/$target"
    log="logs/$target.log"
    if ! cargo fuzz run -O -s "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$log" || true
done
echo "=== fuzzing: no crash in ${#targets[@]} target(s)"
