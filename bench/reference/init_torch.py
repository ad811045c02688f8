#!/usr/bin/env python3
"""Reference values for model.init and diagnostics (src/train/init.ts, src/train/diagnostics.ts), from real PyTorch.

Run once with Debian's PyTorch 1.13 (CPU capability AVX2):
    /usr/bin/python3 bench/reference/init_torch.py data/makemore.txt > /tmp/init_torch.json
The numbers it prints are committed in test/train/init-reference.ts; the tests need no Python.

1. The kaiming factor as the lecture's part 3 computes it, (5/3)/((n_embd * block_size)**0.5), for some fan-ins
   (2921 and 3541 among them, where CPython's pow and a correctly rounded sqrt differ in the double's last bit), and
   the float32 it becomes when it multiplies a float32 tensor (PyTorch rounds a Python scalar to the tensor's dtype).
2. The lecture's final net (manual_seed(2147483647), C (27, 10), W1 (30, 200), b1 (200), W2 (200, 27), b2 (27)) under
   the part-3 sequence of inits: the scaled tensors' bits.
3. Diagnostics at step 0 of the lecture's run on its names (random.seed(42) shuffle, 80 % for training, the first
   minibatch torch.randint(0, n, (32,)) after the init), as the lecture computes them: h.mean(), h.std() (unbiased),
   (h.abs() > 0.97).float().mean(), torch.histc(h, 50, -1, 1), dead units (|h| > 0.97 on every row), and per parameter
   p.grad.std(), p.data.std(), their ratio, and ((lr * p.grad).std() / p.data.std()).log10() at lr 0.1.
"""
import hashlib
import json
import random
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def f32_bits_sha256(t):
    return hashlib.sha256(t.contiguous().numpy().astype('<f4').tobytes()).hexdigest()


def head_tail(t, k=4):
    v = [float(x) for x in t.flatten().tolist()]
    return {'first': v[:k], 'last': v[-k:], 'sha256': f32_bits_sha256(t)}


out = {'torch': torch.__version__}

# 1. The kaiming factor.
out['kaiming'] = [{'fan_in': f, 'double': (5 / 3) / (f ** 0.5), 'float32': float(torch.tensor((5 / 3) / (f ** 0.5), dtype=torch.float32))}
                  for f in [1, 30, 200, 2921, 3541, 12345]]

# 2. The part-3 sequence on the lecture's final net.
n_embd, block_size, n_hidden, V = 10, 3, 200, 27
INITS = {
    'part2': {},
    'softmax_fixed': {'W2': 0.01, 'b2': 0},
    'tanh_fixed': {'W1': 0.2, 'b1': 0.01, 'W2': 0.01, 'b2': 0},
    'kaiming': {'W1': (5 / 3) / ((n_embd * block_size) ** 0.5), 'b1': 0.01, 'W2': 0.01, 'b2': 0},
}
SHAPES = [('C', (V, n_embd)), ('W1', (n_embd * block_size, n_hidden)), ('b1', (n_hidden,)), ('W2', (n_hidden, V)), ('b2', (V,))]


def init(factors, g):
    return {name: torch.randn(shape, generator=g) * factors.get(name, 1) for name, shape in SHAPES}


out['inits'] = {}
for label, factors in INITS.items():
    g = torch.Generator().manual_seed(2147483647)
    out['inits'][label] = {name: head_tail(p) for name, p in init(factors, g).items()}

# 3. Step-0 diagnostics on the lecture's names.
words = open(sys.argv[1]).read().splitlines()
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
random.seed(42)
random.shuffle(words)
X, Y = [], []
for w in words[:int(0.8 * len(words))]:
    context = [0] * block_size
    for ch in w + '.':
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
Xtr, Ytr = torch.tensor(X), torch.tensor(Y)
lr = 0.1
out['diagnostics'] = {}
for label in ['part2', 'kaiming']:
    g = torch.Generator().manual_seed(2147483647)
    params = init(INITS[label], g)
    for p in params.values():
        p.requires_grad = True
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    emb = params['C'][Xtr[ix]]
    h = torch.tanh(emb.view(-1, n_embd * block_size) @ params['W1'] + params['b1'])
    loss = F.cross_entropy(h @ params['W2'] + params['b2'], Ytr[ix])
    loss.backward()
    saturated = h.abs() > 0.97
    row = {'loss': loss.item(), 'batch': ix.tolist(),
           'tanh': {'mean': h.mean().item(), 'std': h.std().item(), 'saturated': saturated.float().mean().item(),
                    'dead': int(saturated.all(dim=0).sum()), 'hist': [int(c) for c in torch.histc(h, 50, -1, 1).tolist()]},
           'params': {}}
    for name, p in params.items():
        grad_std, data_std = p.grad.std().item(), p.data.std().item()
        row['params'][name] = {'grad_std': grad_std, 'data_std': data_std,
                               'grad_data': grad_std / data_std if data_std > 0 else None,
                               'update_data': ((lr * p.grad).std() / p.data.std()).log10().item() if data_std > 0 else None}
    out['diagnostics'][label] = row

print(json.dumps(out, indent=2))
