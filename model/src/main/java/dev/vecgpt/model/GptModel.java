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
    private final AtomicInteger openSessions = new AtomicInteger();

    /** {@code torch.manual_seed(seed); GPTModel(config)}, float32, on the JVM's kernels. */
    public GptModel(GptConfig config, long seed) {
        this(config, seed, ModelOptions.DEFAULT);
    }

    public GptModel(GptConfig config, long seed, ModelOptions options) {
        this(config, options, new TorchGenerator(seed), Arena.ofShared(), null);
    }

    /**
     * OpenAI's pretrained GPT-2 from a Hugging Face {@code model.safetensors} (memory-mapped for as long
     * as the model is open). The configuration comes from the file: vocabulary and width from {@code wte},
     * context from {@code wpe}, layers from the {@code h.N} blocks, heads from a {@code config.json} beside
     * the file ({@code n_head}) or else from the GPT-2 size of that width. The output head is tied to the
     * token embedding.
     *
     * @throws NoSuchFileException      if there is no such file
     * @throws IOException              if it cannot be read or is not valid safetensors
     * @throws IllegalArgumentException if it is not a GPT-2 checkpoint, naming every missing, mis-shaped or
     *                                  unexpected tensor
     */
    public static GptModel load(Path checkpoint, ModelOptions options) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new NoSuchFileException(checkpoint.toString(), null, "no such file");
        }
        int heads = ConfigJson.heads(checkpoint.resolveSibling("config.json"));
        Arena weights = Arena.ofShared();
        try {
            SafetensorsFile file = Safetensors.open(checkpoint, weights);
            GptConfig config = HuggingFaceGpt2.config(file, heads);
            return new GptModel(config, options, new TorchGenerator(0), weights,
                    (arena, scratch) -> new HuggingFaceGpt2(file, config, scratch));
        } catch (IOException | RuntimeException e) {
            if (weights.scope().isAlive()) {
                weights.close();
            }
            throw e;
        }
    }

    /**
     * The configuration of the GPT-2 in {@code checkpoint}, read as {@link #load} reads it, without
     * building the model (only the file's header is read).
     */
    public static GptConfig config(Path checkpoint) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new NoSuchFileException(checkpoint.toString(), null, "no such file");
        }
        try (Arena arena = Arena.ofConfined()) {
            return HuggingFaceGpt2.config(Safetensors.open(checkpoint, arena),
                    ConfigJson.heads(checkpoint.resolveSibling("config.json")));
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
        try (Arena scratch = Arena.ofConfined()) {
            WeightSource source = reader == null ? new RandomWeights(generator, weights, scratch)
                    : reader.apply(weights, scratch);
            Map<String, Object> loaded = new LinkedHashMap<>();
            boolean tied = false;
            for (Parameter p : Gpt2Parameters.of(config)) { // PyTorch's order: the order of the draws
                Tensor t = source.load(p);
                loaded.put(p.name(), p.kind() == Gpt2Parameters.Kind.LINEAR_WEIGHT ? kernels.pack(t, format, weights) : t);
                tied |= p.name().equals(Gpt2Parameters.OUT_HEAD)
                        && t.segment().address() == ((Tensor) loaded.get(Gpt2Parameters.TOKEN_EMBEDDING)).segment().address();
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
        } catch (RuntimeException e) {
            close();
            throw e;
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
        openSessions.incrementAndGet();
        try {
            return new GptSession(this);
        } catch (RuntimeException | Error e) {
            openSessions.decrementAndGet();
            throw e;
        }
    }

    void sessionClosed() {
        openSessions.decrementAndGet();
    }

    /**
     * A new batch on this model for up to {@code capacity} generations at once, advanced together one
     * token per step ({@link GptBatch}); it counts as a session until closed.
     */
    public GptBatch newBatch(int capacity) {
        openSessions.incrementAndGet();
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

    /** A copy of the generator as building the model left it, for a session's dropout. */
    TorchGenerator generatorAfterInit() {
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
     * Frees the weights, and the kernels the model made for itself.
     *
     * @throws IllegalStateException if sessions are still open (nothing is freed then)
     */
    @Override
    public void close() {
        int open = openSessions.get();
        if (open > 0) {
            throw new IllegalStateException(open + " session(s) of this model are still open: close them first");
        }
        if (weights.scope().isAlive()) {
            weights.close();
        }
        if (ownsKernels) {
            kernels.close();
        }
    }
}
