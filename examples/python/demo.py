"""A tour of crmkit from Python (ctypes only).

    cargo build --release
    python3 examples/python/demo.py [path/to/libcrmkit.so] [dataset.json]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crmkit  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "data", "sample_company.json")


def main():
    lib = crmkit.load(sys.argv[1] if len(sys.argv) > 1 else None)
    sample = sys.argv[2] if len(sys.argv) > 2 else SAMPLE
    print(f"crmkit {lib.version()} (C ABI {lib.abi_version()})")

    with open(sample, encoding="utf-8") as file:
        text = file.read()
    with lib.dataset_from_json(text) as dataset:
        counts = dataset.counts()
        print("dataset:", ", ".join(f"{n} {kind}" for kind, n in counts.items()))

    # Errors are exceptions that name the problem and where it is.
    try:
        lib.dataset_from_json({"contacts": [{"id": "C-1"}]})
    except crmkit.CrmError as error:
        print("a broken dataset is refused:", error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
