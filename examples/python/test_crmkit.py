"""Tests of the ctypes binding (run by tests/python.rs when python3 exists).

    python3 examples/python/test_crmkit.py path/to/libcrmkit.so
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crmkit  # noqa: E402

LIB_PATH = None
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample_company.json")


class BindingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = crmkit.load(LIB_PATH)

    def test_versions_are_reported(self):
        self.assertRegex(self.lib.version(), r"^\d+\.\d+\.\d+")
        self.assertGreaterEqual(self.lib.abi_version(), 1)

    def test_the_sample_dataset_loads_and_counts(self):
        with open(SAMPLE, encoding="utf-8") as file:
            with self.lib.dataset_from_json(file.read()) as dataset:
                counts = dataset.counts()
        self.assertEqual(counts["contacts"], 300)
        self.assertEqual(counts["companies"], 60)

    def test_a_dict_is_accepted_as_json(self):
        with self.lib.dataset_from_json({"contacts": []}) as dataset:
            self.assertEqual(dataset.counts()["contacts"], 0)

    def test_errors_carry_status_name_and_path(self):
        with self.assertRaises(crmkit.CrmError) as caught:
            self.lib.dataset_from_json('{"deals": [{"id": 7}]}')
        self.assertEqual(caught.exception.name, "CRM_STATUS_JSON")
        self.assertIn("deals[0]", caught.exception.message)

    def test_malformed_json_is_an_error(self):
        for text in ["", "{", "[1,2", "null", "\ufeff{}"]:
            with self.assertRaises(crmkit.CrmError):
                self.lib.dataset_from_json(text)

    def test_nul_characters_are_refused_before_reaching_c(self):
        with self.assertRaises(ValueError):
            self.lib.dataset_from_json("{}\0{}")

    def test_a_closed_handle_cannot_be_used(self):
        dataset = self.lib.dataset_from_json("{}")
        dataset.close()
        dataset.close()  # closing twice is harmless
        with self.assertRaises(ValueError):
            dataset.counts()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LIB_PATH = sys.argv.pop(1)
    unittest.main(verbosity=1)
