"""The C ABI from Python with ctypes only: how a host without a binding
calls libcrmkit (status codes, the thread-local error message, library-owned
strings freed with crm_string_free, opaque handles). For Python programs use
the `crmkit` package instead (`pip install crates/crmkit-python`).

    cargo build --release
    python3 examples/python/c_abi.py [path/to/libcrmkit.so]
"""

import ctypes
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "data", "sample_company.json")
ROUTING = {"rules": [{"id": "deal-value-routing", "trigger": {"type": "deal_created"},
                      "branches": [
                          {"if": {"field": "deal.value", "op": "ge",
                                  "value": {"amount": "500.00", "currency": "USD"}},
                           "then": [{"type": "create_task", "task": "call", "title": "Call",
                                     "assignee": "owner", "due_in_days": 1}]},
                          {"if": {"field": "deal.value", "op": "lt",
                                  "value": {"amount": "500.00", "currency": "USD"}},
                           "then": [{"type": "enroll_in_campaign", "campaign": "nurture"}]}]}]}

path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "CRMKIT_LIB", os.path.join(HERE, "..", "..", "target", "release", "libcrmkit.so"))
lib = ctypes.CDLL(path)
handle = ctypes.c_void_p
lib.crm_status_str.restype = ctypes.c_char_p
lib.crm_last_error_message.restype = ctypes.c_char_p
lib.crm_string_free.argtypes = [ctypes.c_void_p]
lib.crm_dataset_from_json.argtypes = [ctypes.c_char_p, ctypes.POINTER(handle)]
lib.crm_dataset_counts_json.argtypes = [handle, ctypes.POINTER(ctypes.c_void_p)]
lib.crm_dataset_free.argtypes = [handle]
lib.crm_rules_from_json.argtypes = [ctypes.c_char_p, ctypes.POINTER(handle)]
lib.crm_rules_free.argtypes = [handle]
lib.crm_rules_evaluate.argtypes = [handle, handle, ctypes.c_char_p, ctypes.c_char_p,
                                   ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p),
                                   ctypes.POINTER(ctypes.c_void_p)]
lib.crm_kpi_compute.argtypes = [handle, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]


class CrmError(Exception):
    """A status other than CRM_STATUS_OK, with the library's message."""


def check(status):
    """Raises CrmError for a failed call: the status name and the
    thread-local message (which names the JSON path)."""
    if status != 0:
        name = lib.crm_status_str(status).decode()
        raise CrmError(f"{name}: {lib.crm_last_error_message().decode()}")


def take_json(pointer):
    """Reads a string the library returned, frees it with crm_string_free()
    (never with free()), and parses it."""
    try:
        return json.loads(ctypes.string_at(pointer.value).decode())
    finally:
        lib.crm_string_free(pointer)


def text(value):
    return json.dumps(value).encode() if not isinstance(value, str) else value.encode()


dataset, rules = handle(), handle()
try:
    with open(SAMPLE, encoding="utf-8") as file:
        check(lib.crm_dataset_from_json(file.read().encode(), ctypes.byref(dataset)))
    out = ctypes.c_void_p()
    check(lib.crm_dataset_counts_json(dataset, ctypes.byref(out)))
    counts = take_json(out)
    print(f"{counts['contacts']} contacts, {counts['deals']} deals")

    check(lib.crm_rules_from_json(text(ROUTING), ctypes.byref(rules)))
    event = {"id": "E-1", "type": "deal_created", "at": "2026-05-01T08:00:00Z",
             "deal": "D-0001", "value": {"amount": "750.00", "currency": "USD"}}
    actions, state = ctypes.c_void_p(), ctypes.c_void_p()
    check(lib.crm_rules_evaluate(rules, dataset, text(event), b"{}", 1777626000,
                                 ctypes.byref(actions), ctypes.byref(state)))
    take_json(state)
    print("a $750.00 deal:", [action["type"] for action in take_json(actions)])

    request = {"kpis": ["win_rate", "revenue"], "granularity": "quarter",
               "period": {"start": "2026-07-01", "end": "2026-10-01"}}
    check(lib.crm_kpi_compute(dataset, text(request), ctypes.byref(out)))
    for row in take_json(out)["kpis"]:
        kpi = row["current"]
        print(f"{kpi['kpi']}: {kpi.get('value')} ({kpi['numerator']} / {kpi['denominator']})")

    bad = handle()
    try:
        check(lib.crm_dataset_from_json(b'{"deals": [{"id": 7}]}', ctypes.byref(bad)))
    except CrmError as err:
        print("error:", err)
finally:
    lib.crm_rules_free(rules)  # freeing NULL is a no-op
    lib.crm_dataset_free(dataset)
