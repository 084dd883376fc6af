package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.io.Safetensors;
import dev.vecgpt.core.io.SafetensorsFile;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.Gpt2Parameters.Parameter;
import dev.vecgpt.model.internal.DropoutState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * GPT-2 as the book's {@code GPTModel}: token and positional embeddings, dropout, transformer blocks,
 * final layer norm and an output head. Built with a seed, it holds the same weights as
 * {@code torch.manual_seed(seed); GPTModel(config)}; {@link #load} reads OpenAI's pretrained GPT-2.
 *
 * <p>A model is its weights only, read-only once built: share one between any number of threads, each
 * running its own {@link GptSession} (which holds the KV cache and scratch memory). Closing the model
 * frees the weights (and kernels it made for itself); close its sessions first.
 *
 * <p>A {@link TrainingPass} changes the weights: its optimizer updates them in place, and
 * {@link #weightsChanged()} hands them to generation and scoring, while no session runs.
 */
public final class GptModel implements AutoCloseable {

    private final GptConfig config;
    private final Kernels kernels;
    private final boolean ownsKernels;
    private final WeightFormat format;
    private final Arena weights;
    private final Tensor tokEmb;
    private final Tensor posEmb;
    /** Row p of posEmb as a view {@code [1, D]}, made once: a decode step adds one without making a view. */
    private final Tensor[] positionRows;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final PackedWeight outHead;
    /** True when the output head is the token embedding (GPT-2 checkpoints), counted once as PyTorch does. */
    private final boolean tiedHead;
    /** Parameters by PyTorch name, in registration order: each a {@link Tensor} or a {@link PackedWeight}. */
    private final Map<String, Object> parameters;
    /** PyTorch's global generator as building left it: where each session's training-mode dropout starts. */
    private final TorchGenerator afterInit;
    /** Sessions open (closed ones and those the garbage collector freed are not counted), or {@link #CLOSED}. */
    private final AtomicInteger openSessions = new AtomicInteger();
    private static final int CLOSED = Integer.MIN_VALUE;
    /**
     * Float32 master weights by name, in registration order, made for the first training pass: the
     * model's own tensors, and for each packed linear weight a float32 copy (unpacked once), from which
     * {@link #weightsChanged()} packs it again. Null until a training pass asks.
     */
    private Map<String, Tensor> masters;

    /** {@code torch.manual_seed(seed); GPTModel(config)}, float32, on the JVM's kernels. */
    public GptModel(GptConfig config, long seed) {
        this(config, seed, ModelOptions.DEFAULT);
    }

    public GptModel(GptConfig config, long seed, ModelOptions options) {
        this(config, options, new TorchGenerator(seed), Arena.ofShared(), null);
    }

    /**
     * OpenAI's pretrained GPT-2 from a Hugging Face {@code model.safetensors}, or from a directory holding
     * one (a model directory as Hugging Face lays it out: {@code model.safetensors} and {@code config.json}).
     * The configuration comes from the file: vocabulary and width from {@code wte}, context from
     * {@code wpe}, layers from the {@code h.N} blocks, heads from a {@code config.json} beside the file
     * ({@code n_head}) or else from the GPT-2 size of that width. The output head is tied to the token
     * embedding. A checkpoint that {@code vecgpt train --save} wrote (the book's parameter names,
     * {@code tok_emb.weight} …, its own output head) is read too, its configuration from its tensors and metadata.
     *
     * <p>The file is mapped while it is read and every tensor is copied out of it: once this returns, the
     * model holds no mapping, so a checkpoint rewritten or truncated under a running model (what
     * {@code cp} over it does) changes nothing. A file changed during the load is an {@link IOException}.
     *
     * @throws NoSuchFileException      if there is no such file, or a directory has no {@code model.safetensors}
     * @throws IOException              if it cannot be read, is not valid safetensors or changed while read
     * @throws IllegalArgumentException if it is not a GPT-2 checkpoint, naming every missing, mis-shaped or
     *                                  unexpected tensor
     */
    public static GptModel load(Path checkpoint, ModelOptions options) throws IOException {
        Path file = checkpointFile(checkpoint);
        int heads = ConfigJson.heads(file.resolveSibling("config.json"));
        long size = Files.size(file);
        Arena weights = Arena.ofShared();
        GptModel model = null;
        try (Arena mapping = Arena.ofShared()) { // closed, so unmapped, once every tensor is copied out
            SafetensorsFile safetensors = Safetensors.open(file, mapping);
            if (BookCheckpoint.holds(safetensors)) {
                GptConfig config = BookCheckpoint.config(safetensors);
                model = new GptModel(config, options, new TorchGenerator(0), weights,
                        (arena, scratch) -> new BookCheckpoint(safetensors, config, arena, scratch));
            } else {
                GptConfig config = HuggingFaceGpt2.config(safetensors, heads);
                model = new GptModel(config, options, new TorchGenerator(0), weights,
                        (arena, scratch) -> new HuggingFaceGpt2(safetensors, config, arena, scratch));
            }
            return model;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (InternalError e) {
            // What the JVM throws when a copy out of the mapping faults: the file shrank under it.
            if (Files.size(file) != size) {
                throw new IOException(file + " changed while it was read (" + size + " bytes, now "
                        + Files.size(file) + "): rewritten or truncated? Load it again once it is whole", e);
            }
            throw e;
        } finally {
            if (model == null && weights.scope().isAlive()) {
                weights.close();
            }
        }
    }

    /**
     * {@code checkpoint} itself, or a directory's {@code model.safetensors}.
     *
     * @throws NoSuchFileException if there is no such file, or the directory has no {@code model.safetensors}
     */
    private static Path checkpointFile(Path checkpoint) throws NoSuchFileException {
        if (Files.isDirectory(checkpoint)) {
            Path file = checkpoint.resolve("model.safetensors");
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(checkpoint.toString(), null, "a directory without model.safetensors"
                        + " (a Hugging Face GPT-2 directory holds model.safetensors and config.json)");
            }
            return file;
        }
        if (!Files.isRegularFile(checkpoint)) {
            throw new NoSuchFileException(checkpoint.toString(), null, "no such file");
        }
        return checkpoint;
    }

    /**
     * The configuration of the GPT-2 in {@code checkpoint} (a file or a directory, as {@link #load} takes),
     * read as {@link #load} reads it, without building the model (only the file's header is read).
     */
    public static GptConfig config(Path checkpoint) throws IOException {
        Path file = checkpointFile(checkpoint);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile safetensors = Safetensors.open(file, arena);
            return BookCheckpoint.holds(safetensors) ? BookCheckpoint.config(safetensors)
                    : HuggingFaceGpt2.config(safetensors, ConfigJson.heads(file.resolveSibling("config.json")));
        }
    }

    /** {@link #load(Path, ModelOptions)} with float32 weights on the JVM's kernels. */
    public static GptModel load(Path checkpoint) throws IOException {
        return load(checkpoint, ModelOptions.DEFAULT);
    }

    /**
     * Draws the parameters from {@code generator}, or reads them with {@code reader} (then the generator
     * only serves dropout), into {@code weights}, which the model then owns. The reader gets that arena and
     * a scratch arena for weights to pack.
     */
    GptModel(GptConfig config, ModelOptions options, TorchGenerator generator, Arena weights,
             BiFunction<Arena, Arena, WeightSource> reader) {
        this.config = config;
        this.weights = weights;
        Kernels base = options.baseKernels();
        boolean own = options.threads() > 0 && options.threads() != base.threads();
        this.kernels = own ? base.withThreads(options.threads()) : base;
        this.ownsKernels = own;
        this.format = options.format();
        List<Parameter> order = Gpt2Parameters.of(config);
        Steps steps = new Steps(options.progress(), order.size() + (options.warmUp() ? WarmUp.ROUNDS : 0));
        Thread warmUp = options.warmUp() ? startWarmUp(config, steps) : null;
        try (Arena scratch = Arena.ofConfined()) {
            WeightSource source = reader == null ? new RandomWeights(generator, weights, scratch)
                    : reader.apply(weights, scratch);
            Map<String, Object> loaded = new LinkedHashMap<>();
            boolean tied = false;
            for (Parameter p : order) { // PyTorch's order: the order of the draws
                Tensor t = source.load(p);
                loaded.put(p.name(), p.kind() == Gpt2Parameters.Kind.LINEAR_WEIGHT ? kernels.pack(t, format, weights) : t);
                tied |= p.name().equals(Gpt2Parameters.OUT_HEAD)
                        && t.segment().address() == ((Tensor) loaded.get(Gpt2Parameters.TOKEN_EMBEDDING)).segment().address();
                steps.step();
            }
            parameters = Collections.unmodifiableMap(loaded);
            tokEmb = (Tensor) loaded.get(Gpt2Parameters.TOKEN_EMBEDDING);
            posEmb = (Tensor) loaded.get(Gpt2Parameters.POSITION_EMBEDDING);
            positionRows = new Tensor[config.contextLength()];
            for (int p = 0; p < positionRows.length; p++) {
                positionRows[p] = posEmb.slice(p, p + 1);
            }
            for (int i = 0; i < config.nLayers(); i++) {
                blocks.add(TransformerBlock.of(i, loaded, kernels, config.nHeads()));
            }
            finalNorm = new LayerNorm(kernels, (Tensor) loaded.get(Gpt2Parameters.FINAL_NORM_SCALE),
                    (Tensor) loaded.get(Gpt2Parameters.FINAL_NORM_SHIFT));
            outHead = (PackedWeight) loaded.get(Gpt2Parameters.OUT_HEAD);
            tiedHead = tied;
            afterInit = generator.copy();
            join(warmUp);
            steps.finish();
        } catch (RuntimeException | Error e) {
            join(warmUp); // it runs on this model's kernels, which closing may end
            close();
            throw e;
        }
    }

    /**
     * The warm-up ({@link ModelOptions#warmUp()}) on a thread of its own, on this model's kernels and
     * format. Only a head start: whatever fails there fails again, with its message, in the real model.
     */
    private Thread startWarmUp(GptConfig config, Steps steps) {
        return Thread.ofPlatform().name("vecgpt-warmup").start(() -> {
            try {
                WarmUp.run(kernels, config, format, WarmUp.ROUNDS, steps::step);
            } catch (RuntimeException e) {
                // the real model reports it
            }
        });
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the warm-up uses the kernels this model may close: wait for it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The build's steps for {@link ModelOptions#progress()}, counted from two threads, reported one at a time. */
    private static final class Steps {
        private final ModelOptions.Progress progress;
        private final int total;
        private int done;

        Steps(ModelOptions.Progress progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        synchronized void step() {
            if (progress != null && done < total) {
                progress.step(++done, total);
            }
        }

        /** Steps a failed warm-up did not take. */
        synchronized void finish() {
            while (progress != null && done < total) {
                step();
            }
        }
    }

    public GptConfig config() {
        return config;
    }

    /** The kernels this model runs on. */
    public Kernels kernels() {
        return kernels;
    }

    /** How the linear layers' weights are stored. */
    public WeightFormat format() {
        return format;
    }

    /**
     * A new session on this model: its own KV cache and scratch memory ({@link GptSession#nativeBytes()}),
     * in eval mode. Sessions run at once in different threads; close each one.
     */
    public GptSession newSession() {
        registerSession();
        try {
            return new GptSession(this);
        } catch (RuntimeException | Error e) {
            openSessions.decrementAndGet();
            throw e;
        }
    }

    /**
     * A new training pass on this model for batches of {@code batch} sequences of {@code length} tokens
     * ({@link TrainingPass#bytes} of memory, allocated once). Its parameters' values are this model's
     * weights (the linear layers' as float32 masters): an optimizer that updates them trains this model;
     * call {@link #weightsChanged()} before generating or scoring with it. Close the pass when done.
     *
     * @throws IllegalArgumentException if batch or length is below 1, or length is past the context
     * @throws IllegalStateException    if the model is closed
     */
    public TrainingPass newTrainingPass(int batch, int length) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch is " + batch + ", must be >= 1");
        }
        if (length < 1 || length > config.contextLength()) {
            throw new IllegalArgumentException("length is " + length + ", must be in [1, " + config.contextLength()
                    + "] (the model's context)");
        }
        Map<String, Tensor> values = masters();
        registerSession();
        try {
            return new TrainingPass(this, values, tiedHead, batch, length);
        } catch (RuntimeException | Error e) {
            openSessions.decrementAndGet();
            throw e;
        }
    }

    /** The float32 master of every parameter, made on first use (see {@link #masters}). */
    private synchronized Map<String, Tensor> masters() {
        if (masters == null) {
            Map<String, Tensor> made = new LinkedHashMap<>();
            for (Map.Entry<String, Object> p : parameters.entrySet()) {
                Tensor value;
                if (tiedHead && p.getKey().equals(Gpt2Parameters.OUT_HEAD)) {
                    value = tokEmb;
                } else if (p.getValue() instanceof PackedWeight packed) {
                    value = packed.unpack(weights);
                } else {
                    value = (Tensor) p.getValue();
                }
                made.put(p.getKey(), value);
            }
            masters = Collections.unmodifiableMap(made);
        }
        return masters;
    }

    /**
     * Makes generation and scoring use the master weights a training pass's optimizer changed: packs each
     * linear weight again from its float32 master, in place (no memory is allocated). It reads and writes
     * every linear weight once (123.5M floats for the book's 124M model), on the caller's thread: call it
     * when the trained weights are needed (before generating a sample), not after every step. The other parameters are the model's own tensors, updated in place.
     * Not while a session of this model is generating or scoring. Does nothing before a training pass.
     */
    public synchronized void weightsChanged() {
        if (masters == null) {
            return;
        }
        for (Map.Entry<String, Object> p : parameters.entrySet()) {
            if (p.getValue() instanceof PackedWeight packed) {
                kernels.repack(masters.get(p.getKey()), packed);
            }
        }
    }


    /** Called once per session, by its {@code close()} or by the cleaner when it was dropped unclosed. */
    /** Counts one more session or training pass, unless the model is closed. */
    private void registerSession() {
        int open;
        do {
            open = openSessions.get();
            if (open == CLOSED) {
                throw closed();
            }
        } while (!openSessions.compareAndSet(open, open + 1));
    }

    void sessionClosed() {
        openSessions.decrementAndGet();
    }

    /** Sessions open now; dropped ones count until the garbage collector has freed them. */
    int openSessions() {
        return Math.max(0, openSessions.get());
    }

    private void requireOpen() {
        if (openSessions.get() == CLOSED) {
            throw closed();
        }
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("the model is closed");
    }

    /**
     * A new batch on this model for up to {@code capacity} generations at once, advanced together one
     * token per step ({@link GptBatch}); it counts as a session until closed.
     */
    public GptBatch newBatch(int capacity) {
        registerSession();
        try {
            return new GptBatch(this, capacity);
        } catch (RuntimeException | Error e) {
            openSessions.decrementAndGet();
            throw e;
        }
    }

    /** The blocks in order, for a batch's step. */
    List<TransformerBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** The token embedding {@code [vocab, D]}. */
    Tensor tokenEmbedding() {
        return tokEmb;
    }

    /** Position {@code p}'s embedding as a view {@code [1, D]}. */
    Tensor positionRow(int p) {
        return positionRows[p];
    }

    /** PyTorch's names of the parameters, in registration order. */
    public List<String> parameterNames() {
        return List.copyOf(parameters.keySet());
    }

    /** A float32 copy of parameter {@code name} in {@code arena} (a packed weight as it is multiplied). */
    public Tensor parameter(String name, Arena arena) {
        requireOpen();
        Object p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name + "; parameters are " + parameters.keySet());
        }
        if (p instanceof PackedWeight packed) {
            return packed.unpack(arena);
        }
        Tensor t = (Tensor) p;
        Tensor copy = Tensor.allocate(arena, t.shape());
        MemorySegment.copy(t.segment(), 0, copy.segment(), 0, t.segment().byteSize());
        return copy;
    }

    /**
     * The number of scalar parameters, as PyTorch's {@code sum(p.numel() for p in model.parameters())}:
     * a tied output head counts once.
     */
    public long parameterCount() {
        long count = 0;
        for (Object p : parameters.values()) {
            count += p instanceof PackedWeight packed ? packed.shape().size() : ((Tensor) p).size();
        }
        return tiedHead ? count - outHead.shape().size() : count;
    }

    /**
     * A copy of PyTorch's global generator as building this model left it (after
     * {@code torch.manual_seed(seed); GPTModel(config)}, the state the book's data loaders and dropout
     * then draw from): for a session's dropout, or a trainer's draws.
     */
    public TorchGenerator generatorAfterInit() {
        return afterInit.copy();
    }

    /**
     * Runs the embeddings and every block over {@code flat} ids (positions from {@code start}) into
     * {@code ws.x}, appending keys and values to {@code cache} if there is one.
     */
    void hidden(int[] flat, int start, Workspace ws, KvCache cache, DropoutState dropout) {
        embed(flat, start, ws, dropout);
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).forward(ws, cache, dropout);
        }
        if (cache != null) {
            cache.advance(ws.length);
        }
    }

    /**
     * {@link #hidden} for the next token's logits (eval): the last block computes only the last
     * position's stream, into {@code last.x}; every position's keys and values still go to
     * {@code cache} if there is one. {@code last} is a one-position workspace.
     */
    void lastHidden(int[] flat, int start, Workspace ws, Workspace last, KvCache cache, DropoutState dropout) {
        if (dropout.training()) {
            throw new IllegalStateException("a pass for the last logits is for inference, and dropout is on");
        }
        embed(flat, start, ws, dropout);
        int lastBlock = blocks.size() - 1;
        for (int i = 0; i < lastBlock; i++) {
            blocks.get(i).forward(ws, cache, dropout);
        }
        blocks.get(lastBlock).forwardLast(ws, last, cache);
        if (cache != null) {
            cache.advance(ws.length);
        }
    }

    /** Token plus position embeddings of {@code flat} (positions from {@code start}), then dropout, into {@code ws.x}. */
    private void embed(int[] flat, int start, Workspace ws, DropoutState dropout) {
        kernels.gather(tokEmb, flat, ws.x);
        kernels.add(ws.x, ws.length == 1 ? positionRows[start] : posEmb.slice(start, start + ws.length), ws.x);
        dropout.apply(ws.x);
    }

    /** {@code logits = out_head(final_norm(x))} for rows {@code x [.., D]}; {@code normed} is scratch of x's shape. */
    void logits(Tensor x, Tensor normed, Tensor logits) {
        finalNorm(x, normed);
        head(normed, logits);
    }

    void finalNorm(Tensor x, Tensor normed) {
        finalNorm.forward(x, normed);
    }

    /** {@code logits = out_head(normed)}. */
    void head(Tensor normed, Tensor logits) {
        kernels.matmul(normed, outHead, logits);
    }

    /**
     * Frees the weights, and the kernels the model made for itself; closing twice does nothing. A closed
     * model refuses new sessions and parameter copies with "the model is closed".
     *
     * @throws IllegalStateException if sessions are still open (nothing is freed then); a session dropped
     *                               without {@code close()} counts until the garbage collector has freed it
     */
    @Override
    public void close() {
        while (true) {
            int open = openSessions.get();
            if (open == CLOSED) {
                return;
            }
            if (open > 0) {
                throw new IllegalStateException(open + " session(s) of this model are still open: close them first");
            }
            if (openSessions.compareAndSet(0, CLOSED)) {
                break;
            }
        }
        if (weights.scope().isAlive()) {
            weights.close();
        }
        if (ownsKernels) {
            kernels.close();
        }
    }
}
