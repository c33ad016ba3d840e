"""crmkit from Python, with nothing but the standard library's ctypes.

    import crmkit
    lib = crmkit.load("target/release/libcrmkit.so")
    with lib.dataset_from_json(open("examples/data/sample_company.json").read()) as ds:
        print(ds.counts())

Every C function returns a crm_status; a failure raises CrmError with the
status name and crm_last_error_message(). Strings returned by crmkit are
copied into Python and freed with crm_string_free. Handles are freed by
`close()` or a `with` block (and, as a last resort, when garbage-collected).
"""

import ctypes
import json
import os

__all__ = ["CrmError", "Library", "load"]

CRM_STATUS_OK = 0


class CrmError(Exception):
    """A crmkit call failed: `status` is the crm_status code, `name` its
    name (CRM_STATUS_JSON...) and `message` the library's explanation."""

    def __init__(self, status, name, message):
        super().__init__(f"{name}: {message}")
        self.status = status
        self.name = name
        self.message = message


class _Handle:
    """An owned crmkit handle, freed once by `close()`."""

    def __init__(self, lib, pointer, free):
        self._lib = lib
        self._pointer = pointer
        self._free = free

    @property
    def pointer(self):
        if not self._pointer:
            raise ValueError("the handle has been closed")
        return self._pointer

    def close(self):
        if self._pointer:
            self._free(self._pointer)
            self._pointer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Dataset(_Handle):
    """A validated, immutable snapshot of CRM records (crm_dataset)."""

    def counts(self):
        """The number of records of each kind."""
        return json.loads(self._lib._json_out(self._lib._c.crm_dataset_counts_json, self.pointer))


class Library:
    """The crmkit shared library, loaded with ctypes."""

    def __init__(self, path):
        self._c = c = ctypes.CDLL(path)
        c.crm_last_error_message.restype = ctypes.c_char_p
        c.crm_last_error_message.argtypes = []
        c.crm_status_str.restype = ctypes.c_char_p
        c.crm_status_str.argtypes = [ctypes.c_int32]
        c.crm_string_free.restype = None
        c.crm_string_free.argtypes = [ctypes.c_void_p]
        c.crm_version.restype = ctypes.c_char_p
        c.crm_version.argtypes = []
        c.crm_abi_version.restype = ctypes.c_uint32
        c.crm_abi_version.argtypes = []
        c.crm_dataset_from_json.restype = ctypes.c_int
        c.crm_dataset_from_json.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        c.crm_dataset_free.restype = None
        c.crm_dataset_free.argtypes = [ctypes.c_void_p]
        c.crm_dataset_counts_json.restype = ctypes.c_int
        c.crm_dataset_counts_json.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]

    # -- plumbing ---------------------------------------------------------

    def _check(self, status):
        if status != CRM_STATUS_OK:
            name = self._c.crm_status_str(status).decode()
            message = self._c.crm_last_error_message().decode("utf-8", "replace")
            raise CrmError(status, name, message)

    def _take_string(self, pointer):
        """Copies a string returned by crmkit and frees the original."""
        try:
            return ctypes.string_at(pointer).decode("utf-8")
        finally:
            self._c.crm_string_free(pointer)

    def _json_out(self, function, *args):
        """Calls `function(*args, &out)` and returns the string written to out."""
        out = ctypes.c_void_p()
        self._check(function(*args, ctypes.byref(out)))
        return self._take_string(out)

    @staticmethod
    def _text(value):
        """UTF-8 bytes for a C string argument; JSON-encodes non-strings."""
        if not isinstance(value, str):
            value = json.dumps(value)
        if "\0" in value:
            raise ValueError("text passed to crmkit must not contain NUL characters")
        return value.encode("utf-8")

    # -- the API ----------------------------------------------------------

    def version(self):
        """The library's version string."""
        return self._c.crm_version().decode()

    def abi_version(self):
        """The library's C ABI version."""
        return self._c.crm_abi_version()

    def dataset_from_json(self, document):
        """Loads and validates a dataset (a JSON string or a Python dict)."""
        out = ctypes.c_void_p()
        self._check(self._c.crm_dataset_from_json(self._text(document), ctypes.byref(out)))
        return Dataset(self, out, self._c.crm_dataset_free)


def load(path=None):
    """Loads libcrmkit.so from `path`, $CRMKIT_LIB, or target/release."""
    if path is None:
        path = os.environ.get("CRMKIT_LIB")
    if path is None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.path.join(root, "target", "release", "libcrmkit.so")
    return Library(path)
