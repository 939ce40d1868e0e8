#!/usr/bin/python3
"""Checks ONNX files jresnet exported, with the `onnx` package (Debian's python3-onnx).

Usage: onnx_check.py FILE.onnx...

For every file: onnx.checker.check_model and strict, type-checking shape inference (what
check_model's full_check runs),
then the contract of jresnet's export: IR version 8, opset 17, one float32 NCHW input `input` and one
output `logits` with the class count of the metadata, the metadata keys jresnet writes. Prints one
JSON line per file (ir_version, opset, input/output shapes, the inferred logits shape, op counts) for
the Java test to read; exits 1 with the reason on the first failure.
"""
import collections
import json
import sys

import onnx
from onnx import shape_inference

REQUIRED_METADATA = ["format", "model", "num_classes", "classes", "mean", "std", "input_size", "input_layout"]


def dims(value_info):
    return [d.dim_param if d.HasField("dim_param") else d.dim_value
            for d in value_info.type.tensor_type.shape.dim]


def check(path):
    model = onnx.load(path)
    # check_model(full_check=True) is check_model then this strict, type-checking shape inference;
    # done here in two steps to keep the inferred graph.
    onnx.checker.check_model(model)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    opsets = {o.domain: o.version for o in model.opset_import}
    meta = {p.key: p.value for p in model.metadata_props}
    g = model.graph
    problems = []
    if model.ir_version != 8:
        problems.append("ir_version %d" % model.ir_version)
    if opsets != {"": 17}:
        problems.append("opsets %s" % opsets)
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        problems.append("metadata lacks %s" % missing)
    if [i.name for i in g.input] != ["input"] or [o.name for o in g.output] != ["logits"]:
        problems.append("inputs %s outputs %s" % ([i.name for i in g.input], [o.name for o in g.output]))
    if g.input[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        problems.append("input is not float32")
    classes = json.loads(meta.get("classes", "[]"))
    if len(classes) != int(meta.get("num_classes", -1)) or dims(g.output[0])[1] != len(classes):
        problems.append("%d class names, num_classes %s, logits %s" % (len(classes), meta.get("num_classes"), dims(g.output[0])))
    if problems:
        raise ValueError("; ".join(problems))
    return {
        "file": path,
        "ir_version": model.ir_version,
        "opset": opsets[""],
        "input": dims(g.input[0]),
        "output": dims(g.output[0]),
        "inferred_logits": dims(inferred.graph.output[0]),
        "ops": dict(sorted(collections.Counter(n.op_type for n in g.node).items())),
        "classes": len(classes),
    }


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for p in paths:
        try:
            print(json.dumps(check(p)), flush=True)
        except Exception as e:  # one line naming the file, for the Java test's failure message
            print("FAIL %s: %s: %s" % (p, type(e).__name__, str(e).splitlines()[0] if str(e) else ""), flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
