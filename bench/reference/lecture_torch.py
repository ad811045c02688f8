#!/usr/bin/env python3
"""The lecture's MLP in PyTorch with the lecture's generators: run-exp's `rng: torch` mode on the other side.

    /usr/bin/python3 bench/reference/lecture_torch.py [--words data/makemore.txt] [--first N] [--steps 200000]
        [--batch 32|full] [--lr 0.1] [--decay-at 100000] [--decay-lr 0.01] [--block 3] [--emb 10] [--hidden 200]
        [--seed 2147483647] [--shuffle-seed 42] [--keep 1000] [--samples 20] [--nudge] [--weights FILE]

As in the lecture (makemore part 2): random.seed(shuffle_seed); random.shuffle(words); n1 = int(0.8 n),
n2 = int(0.9 n); g = torch.Generator().manual_seed(seed); C, W1, b1, W2, b2 = torch.randn(..., generator=g) in that
order; each step ix = torch.randint(0, Xtr.shape[0], (batch,), generator=g) (none for a full batch), F.cross_entropy,
p.data += -lr * p.grad; then 20 names sampled with torch.multinomial(probs, num_samples=1, generator=manual_seed(seed + 10)).
Prints one JSON object: the first `keep` step losses, the full-split losses after training, the samples, the time.
One thread, so that PyTorch's own sums are reproducible.
--nudge moves W1[0, 0] up by one float32 ulp after the init: how far PyTorch drifts from itself on a rounding error.
--weights FILE (run-exp's weights.json) replaces the initial weights, for sampling from run-exp's trained net (--steps 0).
"""
import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--words', default='data/makemore.txt')
ap.add_argument('--first', type=int, default=0, help='only the first N words (0: all)')
ap.add_argument('--train', type=float, default=0.8)
ap.add_argument('--dev', type=float, default=0.1)
ap.add_argument('--steps', type=int, default=200000)
ap.add_argument('--batch', default='32')
ap.add_argument('--lr', type=float, default=0.1)
ap.add_argument('--decay-at', type=int, default=100000)
ap.add_argument('--decay-lr', type=float, default=0.01)
ap.add_argument('--block', type=int, default=3)
ap.add_argument('--emb', type=int, default=10)
ap.add_argument('--hidden', type=int, default=200)
ap.add_argument('--seed', type=int, default=2147483647)
ap.add_argument('--shuffle-seed', type=int, default=42)
ap.add_argument('--keep', type=int, default=1000, help='step losses to print')
ap.add_argument('--samples', type=int, default=20)
ap.add_argument('--nudge', action='store_true', help='W1[0, 0] one float32 ulp up after the init')
ap.add_argument('--weights', help="run-exp's weights.json to start from instead of the init")
args = ap.parse_args()
torch.set_num_threads(1)

words = open(args.words).read().splitlines()
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)
if args.first:
    words = words[:args.first]


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * args.block
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X, dtype=torch.int64).reshape(-1, args.block), torch.tensor(Y, dtype=torch.int64)


random.seed(args.shuffle_seed)
random.shuffle(words)
n1 = int(args.train * len(words))
n2 = int(round(args.train + args.dev, 12) * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

g = torch.Generator().manual_seed(args.seed)
C = torch.randn((V, args.emb), generator=g)
W1 = torch.randn((args.block * args.emb, args.hidden), generator=g)
b1 = torch.randn(args.hidden, generator=g)
W2 = torch.randn((args.hidden, V), generator=g)
b2 = torch.randn(V, generator=g)
if args.nudge:
    W1[0, 0] = torch.nextafter(W1[0, 0], torch.tensor(float('inf')))
if args.weights:
    given = {w['name']: torch.tensor(w['values'], dtype=torch.float32).reshape(w['shape']) for w in json.load(open(args.weights))}
    C, W1, b1, W2, b2 = (given[name] for name in ['C', 'W1', 'b1', 'W2', 'b2'])
parameters = [C, W1, b1, W2, b2]
for p in parameters:
    p.requires_grad = True

full = args.batch == 'full'
B = Xtr.shape[0] if full else int(args.batch)
losses = []
t0 = time.time()
for i in range(args.steps):
    if full:
        Xb, Yb = Xtr, Ytr
    else:
        ix = torch.randint(0, Xtr.shape[0], (B,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
    emb = C[Xb]  # (B, block, emb)
    h = torch.tanh(emb.view(-1, args.block * args.emb) @ W1 + b1)  # (B, hidden)
    logits = h @ W2 + b2  # (B, V)
    loss = F.cross_entropy(logits, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = args.lr if i < args.decay_at else args.decay_lr
    for p in parameters:
        p.data += -lr * p.grad
    if i < args.keep:
        losses.append(loss.item())
seconds = time.time() - t0


@torch.no_grad()
def split_loss(X, Y):
    if X.shape[0] == 0:
        return None
    emb = C[X]
    h = torch.tanh(emb.view(-1, args.block * args.emb) @ W1 + b1)
    return F.cross_entropy(h @ W2 + b2, Y).item()


g = torch.Generator().manual_seed(args.seed + 10)
samples = []
with torch.no_grad():
    for _ in range(args.samples):
        out = []
        context = [0] * args.block
        while True:
            emb = C[torch.tensor([context])]  # (1, block, emb)
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            probs = F.softmax(h @ W2 + b2, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            if ix == 0:
                break
            out.append(ix)
        samples.append(''.join(itos[i] for i in out))

print(json.dumps({'torch': torch.__version__, 'words': [n1, n2 - n1, len(words) - n2],
                  'examples': [Xtr.shape[0], Xdev.shape[0], Xte.shape[0]], 'steps': args.steps,
                  'losses': losses, 'train': split_loss(Xtr, Ytr), 'dev': split_loss(Xdev, Ydev),
                  'test': split_loss(Xte, Yte), 'samples': samples, 'seconds': round(seconds, 2)}))
