#!/usr/bin/python3
"""Tests of safetensors_io (stdlib only; the torch helpers are tested when torch is importable).
Run: /usr/bin/python3 python/test_safetensors_io.py"""
import os
import struct
import sys
import tempfile
import unittest
from array import array

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io as st  # noqa: E402


def f32(values):
    return array("f", values).tobytes()


class RoundTrip(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "t.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_round_trip_keeps_order_values_and_metadata(self):
        tensors = {"b.weight": ("F32", [2, 3], f32([1, 2, 3, 4, 5, -6.5])),
                   "a.count": ("I64", [], struct.pack("<q", 7)),
                   "empty": ("F32", [0, 4], b"")}
        st.write(self.path, tensors, {"model": "resnet20", "classes": '["x"]'})
        meta, back = st.read(self.path)
        self.assertEqual(meta, {"model": "resnet20", "classes": '["x"]'})
        self.assertEqual(list(back), ["b.weight", "a.count", "empty"])
        self.assertEqual(back["b.weight"], ("F32", [2, 3], tensors["b.weight"][2]))
        self.assertEqual(struct.unpack("<q", back["a.count"][2])[0], 7)

    def test_header_is_padded_to_8_bytes_with_spaces(self):
        st.write(self.path, {"x": ("F32", [1], f32([1]))})
        with open(self.path, "rb") as f:
            blob = f.read()
        (n,) = struct.unpack("<Q", blob[:8])
        self.assertEqual(n % 8, 0)
        self.assertTrue(blob[8:8 + n].decode().endswith(("}", " ")))
        self.assertEqual(len(blob), 8 + n + 4)

    def test_rejects_size_shape_disagreement_on_write(self):
        with self.assertRaises(st.SafetensorsError):
            st.write(self.path, {"x": ("F32", [2], f32([1]))})
        self.assertFalse(os.path.exists(self.path))

    def test_rejects_bad_files(self):
        def bad(blob, fragment):
            with open(self.path, "wb") as f:
                f.write(blob)
            with self.assertRaises(st.SafetensorsError) as cm:
                st.read(self.path)
            self.assertIn(fragment, str(cm.exception))

        good = st.header_bytes({"x": ("F32", [2], f32([1, 2]))})
        bad(b"\x01\x02", "truncated")
        bad(struct.pack("<Q", 1 << 40) + b"{}", "absurd")
        bad(struct.pack("<Q", 64) + b"{}", "past the end")
        bad(struct.pack("<Q", 8) + b"not json", "not valid JSON")
        bad(struct.pack("<Q", len(good)) + good + f32([1]), "truncated")  # truncated data
        bad(struct.pack("<Q", len(good)) + good + f32([1, 2, 3]), "trailing")

    def test_torch_helpers_round_trip(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch not installed")
        sd = {"w": torch.randn(3, 4), "n": torch.tensor(5, dtype=torch.int64),
              "h": torch.randn(5).half(), "b": torch.randn(2).bfloat16()}
        st.save_state_dict(sd, self.path, {"k": "v"})
        back, meta = st.load_state_dict(self.path)
        self.assertEqual(meta, {"k": "v"})
        for k, v in sd.items():
            self.assertEqual(back[k].dtype, v.dtype)
            self.assertTrue(torch.equal(back[k], v), k)


if __name__ == "__main__":
    unittest.main()
