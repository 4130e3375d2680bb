/// The Python side of the PyTorch round trip (issue 13, 3(b)), run once for all exported specs.
///
/// Reads a JSON manifest of `{name, dir, class, checkpoint, input, input_shape, logits, logits_shape,
/// labels?, tokens?}` (raw little-endian float32 files; `labels` an IDX label file when the entry holds the
/// whole test set), loads Regula's checkpoint into the exported module with `load_state_dict(strict=True)`
/// through a hand-written safetensors reader, and prints one JSON line per spec: the largest absolute
/// and relative logit differences and, for whole test sets, how many predictions differ and both accuracies.
let pytorchRoundTripScript = #"""
import gzip, importlib.util, json, struct, sys
import numpy as np
import torch

torch.set_num_threads(1)


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    dtypes = {"F32": "<f4", "I64": "<i8"}
    out = {}
    for name, h in header.items():
        begin, end = h["data_offsets"]
        a = np.frombuffer(raw, dtype=dtypes[h["dtype"]], count=(end - begin) // np.dtype(dtypes[h["dtype"]]).itemsize,
                          offset=8 + n + begin).reshape(h["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


for entry in json.load(open(sys.argv[1])):
    result = {"name": entry["name"]}
    try:
        spec = importlib.util.spec_from_file_location("model_" + entry["name"], entry["dir"] + "/model.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = getattr(module, entry["class"])()
        model.load_state_dict(load_safetensors(entry["checkpoint"]), strict=True)
        model.eval()
        x = torch.from_numpy(np.fromfile(entry["input"], dtype=np.float32).reshape(entry["input_shape"]))
        if entry.get("tokens"):  # token ids arrive as floats
            x = x.long()
        expected = np.fromfile(entry["logits"], dtype=np.float32).reshape(entry["logits_shape"]).astype(np.float64)
        with torch.no_grad():
            got = torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)]).numpy().astype(np.float64)
        diff = np.abs(got - expected)
        result.update(max_abs=float(diff.max()), max_rel=float((diff / np.maximum(np.abs(expected), 1.0)).max()),
                      max_logit=float(np.abs(expected).max()), count=len(x))
        if entry.get("labels"):
            with gzip.open(entry["labels"], "rb") as f:
                labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:len(x)]
            ours, theirs = got.argmax(axis=1), expected.argmax(axis=1)
            result.update(differ=int((ours != theirs).sum()), torch_accuracy=float((ours == labels).mean()),
                          regula_accuracy=float((theirs == labels).mean()))
    except Exception as error:  # reported per spec, so one failure does not hide the others
        result["error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(result), flush=True)
"""#
