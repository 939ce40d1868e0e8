#!/usr/bin/python3
"""A small safetensors reader/writer on the Python standard library (struct + json).

Debian ships no Python `safetensors` package, so jresnet's scripts use this instead. The format:
an 8-byte little-endian header length N, N bytes of JSON
({name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}), padded
with spaces to a multiple of 8, then the raw little-endian tensor bytes (offsets relative to the
end of the header). The reader checks what the reference implementation checks: sizes agree with
shapes and the byte ranges tile the data section exactly.

Raw API (no third-party module):      write(path, {name: (dtype, shape, bytes)}, metadata)
                                      read(path) -> (metadata, {name: (dtype, shape, bytes)})
PyTorch helpers (import torch lazily): save_state_dict(state_dict, path, metadata)
                                      load_state_dict(path) -> (OrderedDict of tensors, metadata)
"""
import json
import os
import struct
import sys
import tempfile
from collections import OrderedDict

ITEM_SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
             "U8": 1, "BOOL": 1}
MAX_HEADER = 100_000_000


class SafetensorsError(ValueError):
    pass


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def header_bytes(tensors, metadata=None):
    """The padded JSON header for {name: (dtype, shape, bytes)} in the given order."""
    h, off = OrderedDict(), 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise SafetensorsError("__metadata__ must map strings to strings")
        h["__metadata__"] = dict(metadata)
    for name, (dtype, shape, data) in tensors.items():
        if dtype not in ITEM_SIZE:
            raise SafetensorsError("tensor %r: unknown dtype %r" % (name, dtype))
        if len(data) != _numel(shape) * ITEM_SIZE[dtype]:
            raise SafetensorsError("tensor %r: %d bytes for shape %s of %s" % (name, len(data), list(shape), dtype))
        h[name] = {"dtype": dtype, "shape": [int(d) for d in shape], "data_offsets": [off, off + len(data)]}
        off += len(data)
    raw = json.dumps(h, separators=(",", ":")).encode("utf-8")
    return raw + b" " * (-len(raw) % 8)


def write(path, tensors, metadata=None):
    """Atomically writes {name: (dtype, shape, bytes)}: temp file in the same folder, fsync, rename."""
    head = header_bytes(tensors, metadata)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(head)))
            f.write(head)
            for _, _, data in tensors.values():
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(path):
    """Returns (metadata, OrderedDict name -> (dtype, shape, bytes)); raises SafetensorsError."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError("%s: truncated (%d bytes)" % (path, len(blob)))
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER:
        raise SafetensorsError("%s: absurd header length %d" % (path, n))
    if 8 + n > len(blob):
        raise SafetensorsError("%s: header length %d past the end of the file" % (path, n))
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    except ValueError as e:
        raise SafetensorsError("%s: header is not valid JSON: %s" % (path, e))
    if not isinstance(header, dict):
        raise SafetensorsError("%s: header is not a JSON object" % path)
    metadata = header.pop("__metadata__", None) or {}
    data = blob[8 + n:]
    out, spans = OrderedDict(), []
    for name, info in header.items():
        dtype, shape, (b, e) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in ITEM_SIZE:
            raise SafetensorsError("%s: tensor %r: unknown dtype %r" % (path, name, dtype))
        if not 0 <= b <= e or e - b != _numel(shape) * ITEM_SIZE[dtype]:
            raise SafetensorsError("%s: tensor %r: data_offsets %s disagree with shape %s" % (path, name, [b, e], shape))
        spans.append((b, e, name))
        out[name] = (dtype, list(shape), data[b:e])
    pos = 0
    for b, e, name in sorted(spans):
        if b != pos:
            raise SafetensorsError("%s: tensor %r: offsets overlap or leave a gap at byte %d" % (path, name, pos))
        pos = e
    if pos > len(data):
        raise SafetensorsError("%s: truncated: tensors need %d data bytes, file has %d" % (path, pos, len(data)))
    if pos < len(data):
        raise SafetensorsError("%s: %d trailing data bytes belong to no tensor" % (path, len(data) - pos))
    return metadata, out


# --------------------------------------------------------------------------- PyTorch helpers

_TORCH_DTYPES = None


def _torch_dtypes():
    global _TORCH_DTYPES
    if _TORCH_DTYPES is None:
        import torch
        _TORCH_DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16",
                         torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
                         torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}
    return _TORCH_DTYPES


def tensor_bytes(t):
    """(dtype, shape, little-endian bytes) of a torch tensor."""
    import torch
    dt = _torch_dtypes()[t.dtype]
    t = t.detach().cpu().contiguous()
    if sys.byteorder != "little":
        raise SafetensorsError("big-endian hosts are not supported")
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        raw = t.view(torch.int16).numpy().tobytes()
    else:
        raw = t.numpy().tobytes()
    return dt, list(t.shape), raw


def save_state_dict(state_dict, path, metadata=None):
    write(path, OrderedDict((k, tensor_bytes(v)) for k, v in state_dict.items()), metadata)


def load_state_dict(path):
    """(OrderedDict name -> torch tensor, metadata)."""
    import numpy as np
    import torch
    np_types = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
                "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    metadata, raw = read(path)
    out = OrderedDict()
    for name, (dtype, shape, data) in raw.items():
        if dtype == "BF16":
            t = torch.from_numpy(np.frombuffer(data, dtype="<i2").copy()).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(data, dtype=np.dtype(np_types[dtype]).newbyteorder("<")).copy())
        out[name] = t.reshape(shape)
    return out, metadata
