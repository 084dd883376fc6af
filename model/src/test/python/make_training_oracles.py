"""Makes the PyTorch known answers for the training tests: the data loader's draws, AdamW, and the book's chapter-5
run on "The Verdict".

Run with Debian's python3-torch 1.13.1 (CPU, built without MKL, so dropout draws the portable masks), from the
repository root:
    nice /usr/bin/python3 model/src/test/python/make_training_oracles.py [data] [adamw] [small] [book]
(default: all four; "small" is the book's run on a tiny model, seconds; "book" trains GPT-2 124M for ten epochs,
an hour or more on two cores, and needs about 5 GB of memory).
Reads reference/training/verdict_ids.json (the text's token ids, written from the Java Tokenizer; tiktoken is not
packaged for Debian). Writes model/src/test/resources/reference/training/{data,adamw,small_book,book}_oracle.json and
core/src/test/resources/torch/randperm.json.
Floats that tests compare bit for bit are stored as int32 bit patterns; the book's losses as Python floats (repr).
"""
import json
import math
import os
import sys
import time

import torch

from book_gpt import GPTModel, calc_loss_batch, calc_loss_loader, config, create_dataloader_v1, generate_text_simple

assert not torch.backends.mkl.is_available(), "needs a build without MKL (the portable dropout masks)"
PARTS = sys.argv[1:] or ["data", "adamw", "small", "book"]
RES = os.path.join(os.path.dirname(__file__), "..", "resources", "reference", "training")
CORE_RES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "core", "src", "test", "resources", "torch")


def ibits(t):
    return t.detach().contiguous().view(-1).view(torch.int32).tolist()


def write(name, obj, folder=RES):
    with open(os.path.join(folder, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def verdict_ids():
    with open(os.path.join(RES, "verdict_ids.json")) as f:
        d = json.load(f)
    return d["train"], d["val"]


# ---------------------------------------------------------------- data: randperm, int64 random_, DataLoader order
def make_data():
    perms = []
    for seed, n in [(0, 1), (1, 2), (123, 9), (123, 18), (7, 100), (2 ** 40 + 5, 1000)]:
        g = torch.Generator()
        g.manual_seed(seed)
        perms.append({"seed": seed, "n": n, "perm": torch.randperm(n, generator=g).tolist(),
                      "after": torch.randint(0, 2 ** 31 - 1, (3,), generator=g).tolist()})
    torch.manual_seed(123)
    int64s = [int(torch.empty((), dtype=torch.int64).random_().item()) for _ in range(5)]
    # Iterating loaders: each iter() draws a base seed; a shuffling loader's sampler then draws its own seed and a
    # randperm. Record the batch order of several passes, in the book's interleaving of train and val passes, and
    # a float drawn after them (the state the dropout masks then start from).
    torch.manual_seed(123)
    ids = list(range(1000, 1000 + 4612))
    train = create_dataloader_v1(ids, batch_size=2, max_length=256, stride=256, shuffle=True, drop_last=True)
    val = create_dataloader_v1(ids[:534], batch_size=2, max_length=256, stride=256, shuffle=False, drop_last=False)
    odd = create_dataloader_v1(ids[:700], batch_size=3, max_length=10, stride=7, shuffle=True, drop_last=False)
    passes = []
    for name, loader, limit in [("train", train, None), ("train", train, 2), ("val", val, None), ("odd", odd, None),
                                ("train", train, 5), ("odd", odd, 1)]:
        order = []
        stride = 7 if name == "odd" else 256
        for i, (x, _) in enumerate(loader):
            if limit is not None and i >= limit:
                break
            order.append([(int(row[0]) - 1000) // stride for row in x])
        passes.append({"loader": name, "batches_read": limit, "windows": order})
    write("randperm.json", {
        "note": "g = torch.Generator(); g.manual_seed(seed); randperm(n, generator=g), then randint(0, 2**31 - 1, (3,),"
                " generator=g); and torch.manual_seed(123) then five torch.empty((), dtype=torch.int64).random_()"
                " (as decimal strings); made by model/src/test/python/make_training_oracles.py with PyTorch "
                + torch.__version__,
        "randperm": perms, "int64_random_after_seed_123": [str(v) for v in int64s]}, CORE_RES)
    write("data_oracle.json", {
        "note": "made by make_training_oracles.py with PyTorch " + torch.__version__,
        "loaders": {"train": "ids 1000.. (4612 ids), batch 2, max_length 256, stride 256, shuffle, drop_last",
                    "val": "ids 1000.. (534 ids), batch 2, max_length 256, stride 256, no shuffle, keep last",
                    "odd": "ids 1000.. (700 ids), batch 3, max_length 10, stride 7, shuffle, keep last"},
        "passes_after_seed_123": passes,
        "rand_after_passes_bits": ibits(torch.rand(4))})
    print("data written", flush=True)


# ---------------------------------------------------------------- AdamW and clip_grad_norm_
def make_adamw():
    cases = []
    for n, lr, wd, clip in [(1, 4e-4, 0.1, None), (5, 1e-3, 0.0, None), (16, 4e-4, 0.1, None), (37, 5e-2, 0.1, None),
                            (100, 4e-4, 0.1, None), (33, 1e-2, 0.5, 1.0)]:
        torch.manual_seed(n)
        p0 = torch.randn(n)
        q0 = torch.randn(3, 7)
        params = [torch.nn.Parameter(p0.clone()), torch.nn.Parameter(q0.clone())]
        opt = torch.optim.AdamW(params, lr=lr, weight_decay=wd)
        steps = []
        for s in range(4):
            grads = [torch.randn(n) * (10.0 ** (s - 2)), torch.randn(3, 7)]
            opt.zero_grad()
            for p, g in zip(params, grads):
                p.grad = g.clone()
            norm = None
            if clip is not None:
                norm = float(torch.nn.utils.clip_grad_norm_(params, clip))
            opt.step()
            steps.append({"grads_bits": [ibits(g) for g in grads], "total_norm": norm,
                          "clipped_grads_bits": [ibits(p.grad) for p in params] if clip is not None else None,
                          "params_bits": [ibits(p) for p in params],
                          "exp_avg_bits": [ibits(opt.state[p]["exp_avg"]) for p in params],
                          "exp_avg_sq_bits": [ibits(opt.state[p]["exp_avg_sq"]) for p in params]})
        cases.append({"n": n, "lr": lr, "weight_decay": wd, "max_norm": clip,
                      "initial_bits": [ibits(p0), ibits(q0)], "steps": steps})
    write("adamw_oracle.json", {"note": "torch.optim.AdamW(params, lr, weight_decay) defaults betas (0.9, 0.999), eps"
                                        " 1e-8; two parameters [n] and [3, 7]; made by make_training_oracles.py with"
                                        " PyTorch " + torch.__version__, "cases": cases})
    print("adamw written", flush=True)


# ---------------------------------------------------------------- the book's chapter-5 run
def write_book(name, cfg, evals, step_losses, step_batches, samples, seconds, complete):
    write(name, {
        "note": "the book's chapter-5 train_model_simple on the-verdict (seed 123, GPTModel " + json.dumps(cfg) +
                ", batch 2,"
                " stride 256, AdamW lr 4e-4 weight decay 0.1, 10 epochs, eval_freq 5, eval_iter 5) in PyTorch "
                + torch.__version__ + " without MKL, " + str(torch.get_num_threads()) + " threads; losses at full"
                " precision; samples are token ids (start context 'Every effort moves you' + 50 greedy tokens);"
                " step_batches are the dataset indices of each step's rows; made by make_training_oracles.py",
        "complete": complete, "evaluations": evals, "step_losses": step_losses, "step_batches": step_batches,
        "samples": samples, "seconds": seconds})


def make_book(name="book_oracle.json", cfg=None):
    """The book's run; with another cfg, the same run on a model of other sizes."""
    cfg = cfg or config(256)
    train_ids, val_ids = verdict_ids()
    torch.manual_seed(123)
    train_loader = create_dataloader_v1(train_ids, batch_size=2, max_length=256, stride=256, drop_last=True,
                                        shuffle=True)
    val_loader = create_dataloader_v1(val_ids, batch_size=2, max_length=256, stride=256, drop_last=False,
                                      shuffle=False)
    start = time.time()
    torch.manual_seed(123)
    model = GPTModel(cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.0004, weight_decay=0.1)
    start_ids = [6109, 3626, 6100, 345]  # "Every effort moves you"
    evals, step_losses, step_batches, samples = [], [], [], []
    tokens_seen, global_step = 0, -1
    for epoch in range(10):
        model.train()
        for input_batch, target_batch in train_loader:
            step_batches.append(train_loader.dataset.log[-len(input_batch):])
            optimizer.zero_grad()
            loss = calc_loss_batch(input_batch, target_batch, model)
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
            tokens_seen += input_batch.numel()
            global_step += 1
            if global_step % 5 == 0:
                model.eval()
                with torch.no_grad():
                    train_loss = calc_loss_loader(train_loader, model, num_batches=5)
                    val_loss = calc_loss_loader(val_loader, model, num_batches=5)
                model.train()
                evals.append({"epoch": epoch + 1, "step": global_step, "train_loss": train_loss,
                              "val_loss": val_loss, "tokens_seen": tokens_seen})
                print(f"Ep {epoch + 1} (Step {global_step:06d}): Train loss {train_loss:.3f}, Val loss {val_loss:.3f}"
                      f"   [{train_loss!r} {val_loss!r}, {time.time() - start:.0f} s]", flush=True)
                write_book(name, cfg, evals, step_losses, step_batches, samples, time.time() - start, False)
        model.eval()
        out = generate_text_simple(model, torch.tensor([start_ids]), 50, 256)[0].tolist()
        model.train()
        samples.append(out)
        print("sample", epoch + 1, out, flush=True)
        write_book(name, cfg, evals, step_losses, step_batches, samples, time.time() - start, epoch == 9)
    print(name, "written", flush=True)


def make_small():
    """The book's run on a model 16 wide with 2 blocks of 2 heads: seconds instead of hours, for CI."""
    cfg = dict(config(256), emb_dim=16, n_heads=2, n_layers=2)
    make_book("small_book_oracle.json", cfg)


for part in PARTS:
    {"data": make_data, "adamw": make_adamw, "small": make_small, "book": make_book}[part]()
