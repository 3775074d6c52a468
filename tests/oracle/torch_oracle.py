# torch_oracle.py: the PyTorch oracle for MnistBp's training steps (issue 10, item 9). It replays, in
# float32 with torch, the training steps a C# test ran with Trainer.Step from the same bits (layers by
# their Layer.Kind, initial parameters, batches, loss, optimizer), and returns the parameters after the
# last step and each step's loss, for the test to compare (tests/MnistBp.Tests/Oracle/TorchOracle.cs).
# It does not train anything of its own: no random numbers (Dropout replays the C# masks), no data.
#
# Run: /usr/bin/python3 torch_oracle.py [--float64] scenario.json [result.json]   (one scenario; result
#      to stdout when no second path; --float64 replays it in double precision, a reference for both
#      float32 runs), or  torch_oracle.py --serve  (one scenario per stdin line, one result per stdout
#      line: torch is imported once for a whole test run). MNISTBP_ORACLE_DUMP=DIR makes the C# tests
#      write their scenarios there.
# A scenario with "dtype": "float64" is replayed in double precision: the reference that tells which of
# two float32 runs is nearer the exact answer (Adam and RMSprop, whose steps divide by √v + ε, need it: see TorchOracle.cs).
# Floats travel as base64 of little-endian float32 arrays (bit-exact both ways); scalar settings as the
# exact double value of a float32. A missing torch is reported as {"unavailable": "..."} (exit code 3).
#
# Adding a component is one line: a layer in LAYERS, a loss in LOSSES, an optimizer in OPTIMIZERS.
import base64
import json
import sys
import traceback

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # a machine without python3-torch: the C# side skips (or fails under MNISTBP_CI=1)
    print(json.dumps({"unavailable": f"{error} (install it with: apt-get install -y python3-torch)"}), flush=True)
    sys.exit(3)

torch.set_num_threads(1)  # one reduction order per run; the oracle's own results never vary


DTYPES = {"float32": torch.float32, "float64": torch.float64}  # the precision of a replay: the scenario's "dtype", float32 unless set


def decode(array, dtype=torch.float32):
    """A {"shape": [...], "data": base64} array of float32 as a tensor of that shape, in dtype."""
    raw = bytearray(base64.b64decode(array["data"]))
    values = torch.frombuffer(raw, dtype=torch.float32) if raw else torch.zeros(0, dtype=torch.float32)
    return values.reshape(array["shape"]).to(dtype).clone()


def encode(tensor):
    """A tensor as {"shape": [...], "data": base64 of float32}, bit for bit (a float64 replay is rounded once, here)."""
    values = tensor.detach().to(torch.float32).contiguous().reshape(-1)
    return {"shape": list(tensor.shape), "data": base64.b64encode(values.numpy().astype("<f4").tobytes()).decode("ascii")}


# Layers by Layer.Kind: forward(x, parameters, settings, mask) and each parameter's role, in the order of
# Layer.Parameters. A "weight" is decayed by weightDecay, a "bias" never is (Nielsen's L2 leaves biases alone).
# Dense keeps the library's W [inputSize x outputSize], so Z = A·W + b is x @ W + b (torch.nn.Linear stores
# Wᵀ [out x in] and computes x @ Wᵀ + b: the same numbers). Dropout multiplies by the mask the C# layer drew at
# that step (already scaled by 1 / (1 - rate): m = (u >= rate) / (1 - rate)) instead of drawing its own.
LAYERS = {
    "Dense": (lambda x, p, s, m: x @ p[0] + p[1], ("weight", "bias")),
    "Sigmoid": (lambda x, p, s, m: torch.sigmoid(x), ()),
    "Relu": (lambda x, p, s, m: torch.relu(x), ()),
    "LeakyRelu": (lambda x, p, s, m: F.leaky_relu(x, negative_slope=s["slope"]), ()),
    "Tanh": (lambda x, p, s, m: torch.tanh(x), ()),
    "Softmax": (lambda x, p, s, m: torch.softmax(x, dim=1), ()),
    "Dropout": (lambda x, p, s, m: x * m, ()),
}

# Losses by their C# class name: loss(predicted, target), predicted and target [batchSize x outputSize], n = batchSize.
LOSSES = {
    # C = 1/(2n) Σ ||a - y||²
    "QuadraticCost": lambda a, y: ((a - y) ** 2).sum() / (2 * a.shape[0]),
    # L = mean((y - a)²) over every element
    "MeanSquaredError": lambda a, y: ((y - a) ** 2).mean(),
    # C = -(1/n) Σ_x Σ_j [y ln a + (1 - y) ln(1 - a)]   (Nielsen ch. 3; no clamp: the oracle's data never saturates)
    "CrossEntropyCost": lambda a, y: -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum() / a.shape[0],
    # L = (1/n) Σ_x [log Σ_k e^(z_k) - Σ_j y_j z_j]   (logits z, probability targets, mean over the batch)
    "SoftmaxCrossEntropy": lambda z, y: F.cross_entropy(z, y, reduction="mean"),
    # C = (1/n) Σ_x Σ_j -[y ln σ(z) + (1 - y) ln(1 - σ(z))]   (logits z, summed over outputs, mean over the batch)
    "SigmoidCrossEntropy": lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum") / z.shape[0],
}

# Optimizers by their C# class name: make(param_groups, settings). Weight decay goes on the "weight" group only.
OPTIMIZERS = {
    "Sgd": lambda g, o: torch.optim.SGD(g, lr=o["learnRate"]),
    "Momentum": lambda g, o: torch.optim.SGD(g, lr=o["learnRate"], momentum=o["momentum"], nesterov=o["nesterov"]),
    "Adam": lambda g, o: torch.optim.Adam(g, lr=o["learnRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"]),
    "AdamW": lambda g, o: torch.optim.AdamW(g, lr=o["learnRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"]),
    "RmsProp": lambda g, o: torch.optim.RMSprop(g, lr=o["learnRate"], alpha=o["rho"], eps=o["epsilon"]),
}


def run(scenario):
    """Replays the scenario's steps; returns {"parameters": [...], "losses": [...]}."""
    dtype = DTYPES[scenario.get("dtype", "float32")]
    layers = []
    decayed, not_decayed, all_parameters = [], [], []
    for index, layer in enumerate(scenario["layers"]):
        kind = layer["kind"]
        if kind not in LAYERS:
            raise ValueError(f"layer {index}: no torch twin for kind '{kind}'; add a line to LAYERS in torch_oracle.py")
        forward, roles = LAYERS[kind]
        parameters = [decode(p, dtype).requires_grad_(True) for p in layer["parameters"]]
        if len(parameters) != len(roles):
            raise ValueError(f"layer {index} ({kind}): {len(parameters)} parameters given, LAYERS knows {len(roles)} ({roles})")
        for parameter, role in zip(parameters, roles):
            (decayed if role == "weight" else not_decayed).append(parameter)
        all_parameters.extend(parameters)
        masks = [decode(m, dtype) for m in layer.get("masks", [])]
        layers.append((forward, parameters, layer.get("settings", {}), masks))

    loss_name = scenario["loss"]
    if loss_name not in LOSSES:
        raise ValueError(f"no torch twin for loss '{loss_name}'; add a line to LOSSES in torch_oracle.py")
    loss_function = LOSSES[loss_name]
    settings = scenario["optimizer"]
    if settings["kind"] not in OPTIMIZERS:
        raise ValueError(f"no torch twin for optimizer '{settings['kind']}'; add a line to OPTIMIZERS in torch_oracle.py")
    groups = [{"params": decayed, "weight_decay": settings.get("weightDecay", 0.0)}, {"params": not_decayed, "weight_decay": 0.0}]
    optimizer = OPTIMIZERS[settings["kind"]]([g for g in groups if g["params"]], settings)

    losses = []
    for step, batch in enumerate(scenario["steps"]):
        x, y = decode(batch["inputs"], dtype), decode(batch["targets"], dtype)
        for forward, parameters, layer_settings, masks in layers:  # forward: every layer, first to last
            x = forward(x, parameters, layer_settings, masks[step] if masks else None)
        loss = loss_function(x, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"parameters": [encode(p) for p in all_parameters], "losses": losses}


def answer(line, dtype=None):
    try:
        scenario = json.loads(line)
        if dtype:
            scenario["dtype"] = dtype
        return run(scenario)
    except Exception:  # the C# side shows this in the failing test's message
        return {"error": traceback.format_exc()}


def main(arguments):
    dtype = None
    if arguments[:1] == ["--float64"]:
        dtype, arguments = "float64", arguments[1:]
    if arguments == ["--serve"]:
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(answer(line)), flush=True)
        return 0
    if len(arguments) not in (1, 2):
        print("usage: torch_oracle.py [--float64] scenario.json [result.json] | --serve", file=sys.stderr)
        return 2
    with open(arguments[0], encoding="utf-8") as file:
        result = answer(file.read(), dtype)
    text = json.dumps(result)
    if len(arguments) == 2:
        with open(arguments[1], "w", encoding="utf-8") as file:
            file.write(text)
    else:
        print(text)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
