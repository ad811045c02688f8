#!/usr/bin/env python3
"""Reference values for run-exp's lecture-exact generators (src/rng/), from real PyTorch and CPython.

Run once with Debian's PyTorch 1.13 (CPU capability AVX2) and CPython 3:
    /usr/bin/python3 bench/reference/torch_rng.py > /tmp/torch_rng.json
The numbers it prints are committed in test/train/rng/reference.ts; the tests compare our TypeScript
generators against them to the last bit and need no Python. Float32 values are printed as the exact decimal
of the double they widen to (repr), so they read back bit for bit.
"""
import hashlib
import json
import random
import struct
import sys

import torch


def f32_bits_sha256(t):
    """sha256 of a float32 tensor's values as little-endian bytes: every bit of it."""
    return hashlib.sha256(t.contiguous().numpy().astype('<f4').tobytes()).hexdigest()


def head_tail(t, k=4):
    v = [float(x) for x in t.flatten().tolist()]
    return {'numel': len(v), 'first': v[:k], 'last': v[-k:], 'sha256': f32_bits_sha256(t)}


out = {'torch': torch.__version__, 'python_version': sys.version.split()[0],
       'capability': [l.strip() for l in torch.__config__.show().splitlines() if 'CPU capability' in l]}

# 1. The lecture's init, first net: C (27, 2), W1 (6, 100), b1 (100), W2 (100, 27), b2 (27), then 5 randint draws.
g = torch.Generator().manual_seed(2147483647)
out['lecture_small'] = {name: head_tail(torch.randn(shape, generator=g))
                        for name, shape in [('C', (27, 2)), ('W1', (6, 100)), ('b1', (100,)), ('W2', (100, 27)), ('b2', (27,))]}
out['lecture_small']['randint_32'] = torch.randint(0, 32, (8,), generator=g).tolist()

# 2. The lecture's final net: C (27, 10), W1 (30, 200), b1 (200), W2 (200, 27), b2 (27), then minibatches of 32
#    from the lecture's 182,625 training examples on the same generator.
g = torch.Generator().manual_seed(2147483647)
out['lecture_final'] = {name: head_tail(torch.randn(shape, generator=g))
                        for name, shape in [('C', (27, 10)), ('W1', (30, 200)), ('b1', (200,)), ('W2', (200, 27)), ('b2', (27,))]}
batches = [torch.randint(0, 182625, (32,), generator=g).tolist() for _ in range(3)]
out['lecture_final']['randint_182625'] = batches

# 3. Below 16 elements: the scalar Box-Muller path (double precision, the second value cached in the generator),
#    mixed with the vectorised path, which neither uses nor clears the cache.
g = torch.Generator().manual_seed(42)
seq = []
for shape in [(1,), (3,), (15,), (16,), (2,), (17,), (5, 3)]:
    t = torch.randn(shape, generator=g)
    seq.append({'shape': list(shape), 'values': [float(x) for x in t.flatten().tolist()]})
out['small_tensors_seed_42'] = seq

# 4. Many vectorised draws: bits of 100,000 values (rare branches of the float32 log/sincos).
g = torch.Generator().manual_seed(7)
out['randn_100000_seed_7'] = head_tail(torch.randn(100000, generator=g))
g = torch.Generator().manual_seed(7)
out['randn_15x2000_seed_7'] = f32_bits_sha256(torch.stack([torch.randn(15, generator=g) for _ in range(2000)]))

# 5. randint: random() % range for a range below 2^32, 64 bits beyond.
g = torch.Generator().manual_seed(0)
out['randint_seed_0'] = {'range_10': torch.randint(0, 10, (20,), generator=g).tolist(),
                         'range_1000003': torch.randint(0, 1000003, (10,), generator=g).tolist(),
                         'range_2p31': torch.randint(0, 2**31, (5,), generator=g).tolist()}
# rand(float64): 53 bits of random64() = (first << 32) | second.
g = torch.Generator().manual_seed(0)
out['rand_f64_seed_0'] = torch.rand(4, dtype=torch.float64, generator=g).tolist()
g = torch.Generator().manual_seed(0)
out['rand_f32_seed_0'] = [float(x) for x in torch.rand(4, generator=g).tolist()]

# 6. multinomial(probs, 1) as the lecture calls it (replacement=False: PyTorch 1.13 draws exponentials and takes
#    argmax(probs / q)), on manual_seed(seed + 10). Probabilities from fixed logits (float32 softmax).
g = torch.Generator().manual_seed(2147483647 + 10)
logits = torch.tensor([[((i * 7919) % 27) / 9.0 - 1.5 for i in range(27)]], dtype=torch.float32)
probs = torch.softmax(logits, dim=1)
out['multinomial'] = {'probs': [float(x) for x in probs.flatten().tolist()],
                      'draws': [torch.multinomial(probs, num_samples=1, generator=g).item() for _ in range(40)]}
# and on a one-hot-ish distribution with zeros: a zero probability is never drawn
p0 = torch.zeros(1, 27)
p0[0, 3] = 0.25
p0[0, 20] = 0.75
g = torch.Generator().manual_seed(1)
out['multinomial']['draws_sparse'] = [torch.multinomial(p0, num_samples=1, generator=g).item() for _ in range(30)]

# 7. CPython: random.seed(n) (init_by_array of |n|'s 32-bit words), getrandbits, random(), shuffle.
py = {}
for seed in [42, 0, 2147483647, 2**40 + 5, -7]:
    r = random.Random(seed)
    py[str(seed)] = {'getrandbits32': [r.getrandbits(32) for _ in range(4)],
                     'getrandbits_k': [r.getrandbits(k) for k in (1, 5, 17, 31, 32)]}
    r = random.Random(seed)
    py[str(seed)]['random'] = [r.random() for _ in range(3)]
    r = random.Random(seed)
    xs = list(range(20))
    r.shuffle(xs)
    py[str(seed)]['shuffle_20'] = xs
out['python'] = py
words = open(sys.argv[1]).read().splitlines() if len(sys.argv) > 1 else None
if words:
    r = random.Random(42)
    first5 = words[:5]
    r.shuffle(first5)
    r = random.Random(42)
    ws = list(words)
    r.shuffle(ws)
    out['python']['names_seed_42'] = {'first5_shuffled': first5, 'shuffled_head': ws[:8],
                                      'sha256_shuffled': hashlib.sha256('\n'.join(ws).encode()).hexdigest()}

json.dump(out, sys.stdout, indent=1)
print()
