"""Makes the PyTorch known answers for the gradient tests (GradientOracleTest).

The book's chapter-4 GPTModel, built as the book builds it (torch.manual_seed(123); GPTModel(cfg)), in train
mode, one forward over a batch, F.cross_entropy against the targets and one loss.backward(); the gradient of
every parameter is recorded.

Run with Debian's python3-torch 1.13 (CPU, no MKL: its dropout masks are vecgpt's `portable` ones), from the
repository root (Debian's libblas.so.3 alternative may point at nothing; OpenBLAS's directory then serves):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \\
        /usr/bin/python3 model/src/test/python/make_gradient_oracles.py [small] [full]
small: a tiny configuration, every gradient in full -> reference/gradients/small.json
full:  GPT-2 124M at context 256, batch 2: the first two 256-token windows of "The Verdict" (the ids in
       reference/gradients/verdict-513-ids.txt, GPT-2's BPE as the Java Tokenizer gives them; targets shifted
       by one), a fingerprint per gradient -> reference/gradients/full.json
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

assert not torch.backends.mkl.is_available(), "needs a build without MKL"
PARTS = sys.argv[1:] or ["small", "full"]
RES = os.path.join(os.path.dirname(__file__), "..", "resources", "reference", "gradients")
torch.set_num_threads(1)


from book_gpt import GPTModel  # the book's chapter-4 model, one copy of it


def one_step(cfg, inputs, targets):
    """Seed 123, train mode, one forward and backward: (loss, model)."""
    torch.manual_seed(123)
    model = GPTModel(cfg)
    model.train()
    logits = model(inputs)
    loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
    loss.backward()
    return loss.item(), model


def small():
    cfg = {"vocab_size": 40, "context_length": 12, "emb_dim": 16, "n_heads": 2, "n_layers": 2, "drop_rate": 0.1,
           "qkv_bias": False}
    gen = torch.Generator().manual_seed(7)
    ids = torch.randint(0, cfg["vocab_size"], (2, 10), generator=gen)
    inputs, targets = ids[:, :9].contiguous(), ids[:, 1:].contiguous()
    targets[1, 3] = -100  # ignore_index: one target left out of the mean
    loss, model = one_step(cfg, inputs, targets)
    out = {"config": cfg, "inputs": inputs.tolist(), "targets": targets.tolist(), "loss": loss,
           "gradients": {n: {"shape": list(p.shape), "values": p.grad.view(-1).tolist()}
                         for n, p in model.named_parameters()}}
    with open(os.path.join(RES, "small.json"), "w") as f:
        json.dump(out, f)


SAMPLES = 64


def full():
    cfg = {"vocab_size": 50257, "context_length": 256, "emb_dim": 768, "n_heads": 12, "n_layers": 12,
           "drop_rate": 0.1, "qkv_bias": False}
    with open(os.path.join(RES, "verdict-513-ids.txt")) as f:
        ids = torch.tensor([int(s) for s in f.read().split()])
    inputs = torch.stack([ids[0:256], ids[256:512]])
    targets = torch.stack([ids[1:257], ids[257:513]])
    loss, model = one_step(cfg, inputs, targets)
    grads = {}
    for n, p in model.named_parameters():
        g = p.grad.view(-1)
        size = g.numel()
        # fixed indices spread over the tensor (a stride prime to the row widths), plus the largest gradient
        idx = sorted(set([(i * 7919 * 104729) % size for i in range(SAMPLES)] + [int(g.abs().argmax())]))
        grads[n] = {"shape": list(p.shape), "maxAbs": g.abs().max().item(), "sum": g.double().sum().item(),
                    "sumAbs": g.double().abs().sum().item(), "indices": idx, "values": g[idx].tolist()}
    out = {"config": cfg, "loss": loss, "gradients": grads}
    with open(os.path.join(RES, "full.json"), "w") as f:
        json.dump(out, f)


for part in PARTS:
    {"small": small, "full": full}[part]()
    print("wrote", part)
