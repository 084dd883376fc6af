package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.io.Safetensors;
import dev.vecgpt.core.random.TorchGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 as the notebook's {@code GPTModel}: token and positional embeddings, dropout, transformer
 * blocks, final layer norm and an output head without bias. Built with a seed, it holds the same
 * weights as {@code torch.manual_seed(seed); GPTModel(config)}.
 *
 * <p>Like a PyTorch module it starts in training mode; {@link #eval()} turns dropout off. Weights
 * live in an arena the model owns: close the model to free them. Not thread-safe: one forward pass
 * or generation at a time (the kernels themselves use several threads).
 */
public final class GptModel extends TrainableModel<GptModel> {

    private final Tensor tokEmb;
    private final Tensor posEmb;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final PackedWeight outHead;
    /** True when the output head is the token embedding (GPT-2 checkpoints), counted once as PyTorch does. */
    private final boolean tiedHead;
    /** Parameters by PyTorch name, in registration order: each a {@link Tensor} or a {@link PackedWeight}. */
    private final Map<String, Object> parameters = new LinkedHashMap<>();

    public GptModel(GptConfig config, long seed) {
        this(config, seed, KernelProvider.kernels(), WeightFormat.F32);
    }

    /** With explicit kernels, and every linear layer's weights stored as {@code format}. */
    public GptModel(GptConfig config, long seed, Kernels kernels, WeightFormat format) {
        this(config, kernels, format, new TorchGenerator(seed), null);
    }

    /**
     * OpenAI's pretrained GPT-2 from a Hugging Face {@code model.safetensors} (memory-mapped for as long
     * as the model is open), with {@code config} one of {@link GptConfig#pretrained}'s sizes. The output
     * head is tied to the token embedding; the SIMD kernels multiply by a packed copy of it.
     *
     * @throws IOException              if the file cannot be read or is not valid safetensors
     * @throws IllegalArgumentException naming every missing, mis-shaped or unexpected tensor
     */
    public static GptModel load(Path checkpoint, GptConfig config, Kernels kernels, WeightFormat format)
            throws IOException {
        try {
            return new GptModel(config, kernels, format, new TorchGenerator(0), (arena, scratch) -> {
                try {
                    return new HuggingFaceGpt2(Safetensors.open(checkpoint, arena), config, scratch);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    public static GptModel load(Path checkpoint, GptConfig config) throws IOException {
        return load(checkpoint, config, KernelProvider.kernels(), WeightFormat.F32);
    }

    /**
     * Draws the parameters from {@code generator}, or reads them with {@code reader} (then the generator
     * only serves dropout). The reader gets the model's arena and a scratch arena for weights to pack.
     */
    GptModel(GptConfig config, Kernels kernels, WeightFormat format, TorchGenerator generator,
             java.util.function.BiFunction<Arena, Arena, WeightSource> reader) {
        super(config, kernels, generator);
        try (Arena scratch = Arena.ofConfined()) {
            WeightSource source = reader == null ? new RandomWeights(generator, weights, scratch)
                    : reader.apply(weights, scratch);
            // Construction order is PyTorch's module order, which is the order of the random draws.
            tokEmb = source.embedding("tok_emb.weight", config.vocabSize(), config.embDim());
            register("tok_emb.weight", tokEmb);
            posEmb = source.embedding("pos_emb.weight", config.contextLength(), config.embDim());
            register("pos_emb.weight", posEmb);
            build(config, source, format);
            finalNorm = new LayerNorm("final_norm", config.embDim(), source, kernels);
            registerNorm("final_norm", finalNorm);
            Tensor head = source.linearWeight("out_head.weight", config.embDim(), config.vocabSize());
            tiedHead = head.segment().address() == tokEmb.segment().address();
            outHead = kernels.pack(head, format, weights);
            register("out_head.weight", outHead);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private void build(GptConfig config, WeightSource source, WeightFormat format) {
        for (int i = 0; i < config.nLayers(); i++) {
            TransformerBlock block = new TransformerBlock(config, i, source, dropout, kernels, format, weights);
            blocks.add(block);
            String p = "trf_blocks." + i + ".";
            registerLinear(p + "att.W_query", block.att.query);
            registerLinear(p + "att.W_key", block.att.key);
            registerLinear(p + "att.W_value", block.att.value);
            registerLinear(p + "att.out_proj", block.att.outProj);
            registerLinear(p + "ff.layers.0", block.ff.up);
            registerLinear(p + "ff.layers.2", block.ff.down);
            registerNorm(p + "norm1", block.norm1);
            registerNorm(p + "norm2", block.norm2);
        }
    }

    private void register(String name, Object parameter) {
        parameters.put(name, parameter);
    }

    private void registerLinear(String name, Linear linear) {
        register(name + ".weight", linear.weight);
        if (linear.bias != null) {
            register(name + ".bias", linear.bias);
        }
    }

    private void registerNorm(String name, LayerNorm norm) {
        register(name + ".scale", norm.scale);
        register(name + ".shift", norm.shift);
    }

    /** PyTorch's parameter names, in registration order. */
    public List<String> parameterNames() {
        return Collections.unmodifiableList(new ArrayList<>(parameters.keySet()));
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

    /**
     * Logits {@code [B, T, vocab]} for token ids {@code [B][T]}, allocated from {@code arena} (the
     * caller's). Invalid ids throw before anything is computed or drawn.
     */
    public Tensor forward(int[][] ids, Arena arena) {
        TokenBatch batch = TokenBatch.of(ids, config);
        Tensor logits = Tensor.allocate(arena, Shape.of(batch.batch(), batch.length(), config.vocabSize()));
        try (Arena scratch = Arena.ofShared()) { // shared: the kernels may use their threads
            Workspace ws = new Workspace(config, batch.batch(), batch.length(), batch.length(), scratch);
            hidden(batch.flat(), 0, ws, null);
            finalNorm.forward(ws.x, ws.normed);
            kernels.matmul(ws.normed, outHead, logits);
        }
        return logits;
    }

    /** Runs the embeddings and every block over {@code flat} ids (positions from {@code start}) into {@code ws.x}. */
    private void hidden(int[] flat, int start, Workspace ws, KvCache cache) {
        embed(tokEmb, posEmb, flat, start, ws.x);
        for (TransformerBlock block : blocks) {
            block.forward(ws, cache);
        }
        if (cache != null) {
            cache.advance(ws.length);
        }
    }

    /**
     * Greedy generation, as the notebook's {@code generate_text_simple} in eval mode: appends
     * {@code maxNewTokens} tokens, each the argmax of the last position's logits over the last
     * {@code context_length} tokens. Keys and values of past positions are cached, so each new token
     * costs one position's work.
     *
     * @return the prompt followed by the new tokens
     */
    public int[] generate(int[] prompt, int maxNewTokens) {
        return generate(prompt, maxNewTokens, true);
    }

    /** {@link #generate(int[], int)}, with or without the KV cache (the same tokens either way). */
    public int[] generate(int[] prompt, int maxNewTokens, boolean useCache) {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens is " + maxNewTokens + ", must be >= 0");
        }
        TokenBatch.of(new int[][] {crop(prompt, config.contextLength())}, config); // ids in range, not empty
        boolean wasTraining = dropout.training();
        dropout.training(false);
        int[] tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int length = prompt.length;
        try (Arena arena = Arena.ofShared()) {
            Tensor logits = Tensor.allocate(arena, 1, config.vocabSize());
            KvCache cache = useCache ? new KvCache(config, arena) : null;
            Workspace step = useCache ? new Workspace(config, 1, 1, config.contextLength(), arena) : null;
            int[] last = new int[1];
            for (; length < tokens.length; length++) {
                if (cache != null && cache.length() > 0 && cache.length() < cache.capacity()) {
                    last[0] = tokens[length - 1];
                    step(last, cache, step, logits);
                } else {
                    // First token, no cache, or a full context: (re)read the last context_length tokens.
                    int[] window = crop(Arrays.copyOf(tokens, length), config.contextLength());
                    if (cache != null) {
                        cache.reset();
                    }
                    prefill(window, cache, logits);
                }
                tokens[length] = argmax(logits);
            }
        } finally {
            dropout.training(wasTraining);
        }
        return tokens;
    }

    private static int[] crop(int[] tokens, int last) {
        return Arrays.copyOfRange(tokens, Math.max(0, tokens.length - last), tokens.length);
    }

    /** Runs {@code window} from position 0 and leaves the last position's logits in {@code logits}. */
    private void prefill(int[] window, KvCache cache, Tensor logits) {
        try (Arena scratch = Arena.ofShared()) {
            Workspace ws = new Workspace(config, 1, window.length, window.length, scratch);
            hidden(window, 0, ws, cache);
            lastLogits(ws, logits);
        }
    }

    /** One new token at the cache's next position: the decode step. */
    private void step(int[] token, KvCache cache, Workspace ws, Tensor logits) {
        hidden(token, cache.length(), ws, cache);
        lastLogits(ws, logits);
    }

    private void lastLogits(Workspace ws, Tensor logits) {
        int d = config.embDim();
        Tensor last = ws.x.reshape(Shape.of(ws.length, d)).slice(ws.length - 1, ws.length);
        Tensor normed = ws.normed.reshape(Shape.of(ws.length, d)).slice(0, 1);
        finalNorm.forward(last, normed);
        kernels.matmul(normed, outHead, logits);
    }

    /** The first index of the largest logit, as {@code torch.argmax}. */
    private static int argmax(Tensor logits) {
        int best = 0;
        float max = logits.get(0);
        for (int i = 1; i < logits.size(); i++) {
            float v = logits.get(i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }
}
