"""PyTorch (CPU, one thread) counterpart of bench/train-step.ts: the same two networks, batch
sizes, loss and Adam settings, one training step timed as forward, backward, update and reading
the loss back. Called once per timing round by the TypeScript bench; prints one JSON line.

    python3 bench/train_step_torch.py --model mlp|cnn [--min-ms 1500] [--min-steps 5]
"""
import argparse
import json
import os
import statistics
import time

# The thread counts must be fixed before torch (and its BLAS) is loaded: the node process it is
# compared with runs single-threaded wasm, and the machine's other core is shared.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def mlp():
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    return net, torch.randn(128, 784)


def cnn():
    # NCHW, torch's native layout; 28 → 24 → 12 → 8 → 4, so 4·4·32 features reach the dense layer.
    net = nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4 * 4 * 32, 10),
    )
    return net, torch.randn(64, 1, 28, 28)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=("mlp", "cnn"), required=True)
    parser.add_argument("--min-ms", type=float, default=1500)
    parser.add_argument("--min-steps", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    net, x = mlp() if args.model == "mlp" else cnn()
    labels = torch.arange(x.shape[0]) % 10
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), labels)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    times = []
    cpu = []  # process CPU time per step: steadier than wall time on a loaded machine
    start = time.perf_counter()
    while (time.perf_counter() - start) * 1000 < args.min_ms or len(times) < args.min_steps:
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({
        "ms": statistics.median(times),
        "cpu_ms": statistics.median(cpu),
        "steps": len(times),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
