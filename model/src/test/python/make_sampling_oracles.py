"""Makes the PyTorch known answers for the sampling, generation and scoring tests.

Run with Debian's python3-torch 1.13.1 (CPU, built without MKL: exponential_ is then the path current
PyTorch releases take on every CPU), from the repository root:
    /usr/bin/python3 model/src/test/python/make_sampling_oracles.py [sampling] [generate] [score]
(default: all three parts; each part writes its own file).
It needs the token ids of the score texts, which it reads from reference/score/ids.json (written from
the Java Tokenizer, GPT-2's BPE; ScoreTest checks that the Java tokenizer still gives them).
Writes model/src/test/resources/reference/{sampling_oracle,generate_oracle,score_oracle}.json.
Floats that tests compare bit for bit are stored as int32 bit patterns.
"""
import json
import math
import os
import sys
import time
import zlib

import torch
import torch.nn.functional as F

assert not torch.backends.mkl.is_available(), "needs a build without MKL"
PARTS = sys.argv[1:] or ["sampling", "generate", "score"]
RES = os.path.join(os.path.dirname(__file__), "..", "resources", "reference")


def ibits(t):
    return t.detach().contiguous().view(-1).view(torch.int32).tolist()


from book_gpt import GPTModel, config  # the book's chapter-4 model, shared with make_training_oracles.py


def generate(model, idx, max_new_tokens, context_size, temperature=0.0, top_k=None, eos_id=None):
    """The book's chapter-5 generate, unchanged in substance."""
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        logits = logits[:, -1, :]
        if top_k is not None:
            top_logits, _ = torch.topk(logits, top_k)
            min_val = top_logits[:, -1]
            logits = torch.where(logits < min_val, torch.tensor(float("-inf")), logits)
        if temperature > 0.0:
            logits = logits / temperature
            probs = torch.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
        else:
            idx_next = torch.argmax(logits, dim=-1, keepdim=True)
        if idx_next == eos_id:
            break
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


def margins(model, idx, max_new_tokens, context_size, temperature, top_k):
    """The book's generate step by step (same draws), measuring how far each choice is from flipping: for a
    draw the relative gap between the best and second-best probs / q, for argmax the top-2 logit gap.
    Returns the margins and the final ids."""
    out = []
    for _ in range(max_new_tokens):
        with torch.no_grad():
            logits = model(idx[:, -context_size:])[:, -1, :]
        if top_k is not None:
            min_val = torch.topk(logits, top_k)[0][:, -1]
            logits = torch.where(logits < min_val, torch.tensor(float("-inf")), logits)
        if temperature > 0.0:
            probs = torch.softmax(logits / temperature, dim=-1)
            state = torch.get_rng_state()
            ratio = probs / torch.empty_like(probs).exponential_(1)
            torch.set_rng_state(state)
            nxt = torch.multinomial(probs, 1)
            top2 = torch.topk(ratio[0], 2).values
            assert int(torch.argmax(ratio)) == int(nxt)
            out.append(float((top2[0] - top2[1]) / top2[0]))
        else:
            nxt = torch.argmax(logits, dim=-1, keepdim=True)
            top2 = torch.topk(logits[0], 2).values
            out.append(float(top2[0] - top2[1]))
        idx = torch.cat((idx, nxt), dim=1)
    return out, idx[0].tolist()


def seeded_model(context_length):
    torch.manual_seed(123)
    return GPTModel(config(context_length)).eval()


def write(name, obj):
    with open(os.path.join(RES, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")

def step(logits, temperature, top_k):
    """One generate step on a [1, V] row: top-k, temperature, softmax, multinomial."""
    if top_k is not None:
        min_val = torch.topk(logits, top_k)[0][:, -1]
        logits = torch.where(logits < min_val, torch.tensor(float("-inf")), logits)
    return int(torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1))


def make_sampling():
    sampling = {"note": "made by make_sampling_oracles.py with PyTorch " + torch.__version__ + " (no MKL)"}
    rows = []
    for n in [1, 5, 8, 9, 17, 100, 1000]:
        torch.manual_seed(n)
        x = torch.randn(n) * 4
        rows.append({"x_bits": ibits(x), "p_bits": ibits(torch.softmax(x, dim=-1))})
    sampling["softmax_rows"] = rows
    torch.manual_seed(7)
    x7 = torch.randn(50257) * 3
    p7 = torch.softmax(x7, dim=-1)
    sampling["softmax_50257_seed7"] = {"how": "manual_seed(7); softmax(randn(50257) * 3)",
                                       "crc32_bits": zlib.crc32(p7.numpy().tobytes())}
    book = torch.tensor([[4.51, 0.89, -1.90, 6.75, 1.63, -1.62, -1.89, 6.28, 1.79]])
    hists = []
    for temperature, top_k, seed in [(0.1, None, 123), (5.0, None, 123), (1.4, 3, 123), (1.0, 2, 5)]:
        torch.manual_seed(seed)
        h = [0] * 9
        for _ in range(1000):
            h[step(book, temperature, top_k)] += 1
        hists.append({"temperature": temperature, "top_k": top_k or 0, "seed": seed, "histogram": h})
    sampling["book_example_histograms"] = hists
    steps = []
    for temperature, top_k, seed in [(1.4, 25, 123), (0.7, 50, 9), (2.0, None, 1)]:
        torch.manual_seed(seed)
        steps.append({"temperature": temperature, "top_k": top_k or 0, "seed": seed,
                      "draws": [step(x7.unsqueeze(0), temperature, top_k) for _ in range(20)]})
    sampling["generate_steps_50257_seed7"] = steps
    write("sampling_oracle.json", sampling)


def make_generate():
    prompts = {"Every effort moves you": [6109, 3626, 6100, 345], "Hello, I am": [15496, 11, 314, 716]}
    settings = [(1.4, 25, 123), (1.0, None, 123), (0.7, 50, 7), (0.0, None, 0)]
    cases = []
    for ctx in [256, 1024]:
        model = seeded_model(ctx)
        if ctx == 1024:  # the book's model: these are gpt2_seed123.json's eval logits
            with torch.no_grad():
                print("Hello, I am: first logits", model(torch.tensor([[15496, 11, 314, 716]]))[0, 0, :3].tolist(),
                      "(the book's model: -0.2949, -0.8076, 0.0640)", flush=True)
        for text, ids in prompts.items():
            for temperature, top_k, seed in settings:
                n_new = 20
                t0 = time.time()
                torch.manual_seed(seed)
                m, out = margins(model, torch.tensor([ids]), n_new, ctx, temperature, top_k)
                if text == "Every effort moves you" and temperature == 1.4:  # the replay is the book's generate
                    torch.manual_seed(seed)
                    assert generate(model, torch.tensor([ids]), n_new, ctx, temperature, top_k)[0].tolist() == out
                cases.append({"context_length": ctx, "prompt": text, "prompt_ids": ids, "temperature": temperature,
                              "top_k": top_k or 0, "sample_seed": seed, "new_tokens": out[len(ids):],
                              "margin_kind": "relative gap of top-2 probs/q" if temperature > 0 else "top-2 logit gap",
                              "margins": m, "min_margin": min(m)})
                print(ctx, text, temperature, top_k, out[len(ids):], "min margin %.3g" % min(m),
                      "%.0f s" % (time.time() - t0), flush=True)
        del model
    write("generate_oracle.json", {
        "note": "torch.manual_seed(123); GPTModel(cfg).eval() (the book's chapter-4 model, qkv_bias False, drop_rate"
                " 0.1); torch.manual_seed(sample_seed); the book's generate(model, idx, 20, context_length,"
                " temperature, top_k); PyTorch " + torch.__version__ + " (no MKL)",
        "cases": cases})


def make_score():
    with open(os.path.join(RES, "score", "ids.json")) as f:
        text_ids = json.load(f)
    scores = []
    for ctx in [256, 1024]:
        model = seeded_model(ctx)
        for text, stride in [("short.txt", 256), ("short.txt", 32), ("long.txt", 256), ("long.txt", 128),
                             ("long.txt", 1024)]:
            ids = text_ids[text]
            if len(ids) <= ctx or (stride > ctx):
                continue
            starts = list(range(0, len(ids) - ctx, stride))
            inputs = torch.tensor([ids[i:i + ctx] for i in starts])
            targets = torch.tensor([ids[i + 1:i + ctx + 1] for i in starts])
            with torch.no_grad():
                logits = torch.cat([model(inputs[b:b + 1]) for b in range(len(starts))])
                loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
                loss64 = F.cross_entropy(logits.double().flatten(0, 1), targets.flatten())
            scores.append({"context_length": ctx, "text": text, "tokens": len(ids), "stride": stride,
                           "window_starts": starts, "cross_entropy": float(loss),
                           "cross_entropy_float64_logits": float(loss64), "perplexity": math.exp(float(loss))})
            print("score", ctx, text, stride, len(starts), "windows", float(loss), math.exp(float(loss)), flush=True)
        del model
    write("score_oracle.json", {
        "note": "torch.manual_seed(123); GPTModel(cfg).eval(); windows inputs = ids[i:i+L], targets = ids[i+1:i+L+1]"
                " for i in range(0, n - L, S); F.cross_entropy(logits.flatten(0, 1), targets.flatten()) (mean over"
                " every target), also from float64 logits; perplexity = exp; PyTorch " + torch.__version__,
        "cases": scores})


for part in PARTS:
    {"sampling": make_sampling, "generate": make_generate, "score": make_score}[part]()
