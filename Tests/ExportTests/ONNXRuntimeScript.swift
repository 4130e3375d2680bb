/// The Python side of the ONNX round trip, run once for every exported spec.
///
/// Reads a JSON manifest of `{name, onnx, input, input_shape, input_dtype, logits, logits_shape}`
/// (raw little-endian files), checks each model with `onnx.checker.check_model(full_check=True)`,
/// runs it in ONNX Runtime (CPU, one thread) and prints one JSON line per spec with the largest
/// absolute and relative differences from Regula's logits and the model's declared interface.
let onnxRuntimeScript = #"""
import json, sys
import numpy as np
import onnx
import onnxruntime as ort

options = ort.SessionOptions()
options.intra_op_num_threads = 1
for entry in json.load(open(sys.argv[1])):
    result = {"name": entry["name"]}
    try:
        model = onnx.load(entry["onnx"])
        onnx.checker.check_model(model, full_check=True)
        dtype = np.int32 if entry["input_dtype"] == "int32" else np.float32
        x = np.fromfile(entry["input"], dtype=np.float32).reshape(entry["input_shape"]).astype(dtype)
        expected = np.fromfile(entry["logits"], dtype=np.float32).reshape(entry["logits_shape"])
        session = ort.InferenceSession(entry["onnx"], options, providers=["CPUExecutionProvider"])
        (got,) = session.run(["logits"], {"input": x})
        diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        scale = np.maximum(np.abs(expected.astype(np.float64)), 1.0)
        result.update(
            shape=list(got.shape),
            max_abs=float(diff.max()),
            max_rel=float((diff / scale).max()),
            max_logit=float(np.abs(expected).max()),
            producer=model.producer_name,
            metadata={p.key: p.value for p in model.metadata_props},
            input_dims=[d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim],
            output_dims=[d.dim_param or d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim],
        )
    except Exception as error:  # reported per spec, so one failure does not hide the others
        result["error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(result), flush=True)
"""#
