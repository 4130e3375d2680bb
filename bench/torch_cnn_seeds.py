"""PyTorch on specs/mnist_cnn.yaml's exact recipe, one line per seed: inputs (x/255 - 0.5)/0.5,
plain cross-entropy, SGD lr 0.05 momentum 0.9 weight decay 5e-4, batch 64, 3 epochs, test accuracy.

  python torch_cnn_seeds.py --data ../data/mnist 0 1 2 3 4 5

Compare with `regula train specs/mnist_cnn.yaml --seed S`: the recipe's spread across seeds is
a property of the recipe (its first steps are unstable), in PyTorch as in Regula.
"""
import argparse, json, os, sys
import torch, torch.nn as nn
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("seeds", type=int, nargs="+")
args = ap.parse_args()
torch.set_num_threads(args.threads)
xs, ys, xt, yt = torch_peer.mnist(args.data)
X = (torch.from_numpy(xs).unsqueeze(1) - 0.5) / 0.5
Y = torch.from_numpy(ys).long()
XT = (torch.from_numpy(xt).unsqueeze(1) - 0.5) / 0.5
loss_fn = nn.CrossEntropyLoss()
for seed in args.seeds:
    torch.manual_seed(seed)
    model = torch_peer.CNN()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    n = X.size(0)
    for epoch in range(3):
        model.train()
        perm = torch.randperm(n)
        for k in range(0, n - 64 + 1, 64):
            idx = perm[k:k + 64]
            loss = loss_fn(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(XT).argmax(1).numpy()
    print(json.dumps({"seed": seed, "test_acc": round(float((pred == yt).mean()), 4)}), flush=True)
