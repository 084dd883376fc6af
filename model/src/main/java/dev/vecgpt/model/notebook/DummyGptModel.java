package dev.vecgpt.model.notebook;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.internal.DropoutState;
import dev.vecgpt.model.internal.TokenBatch;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The notebook's {@code DummyGPTModel}: token and positional embeddings, dropout, placeholder blocks
 * and norm, and the output head. Built with a seed, it holds the same weights as
 * {@code torch.manual_seed(seed); DummyGPTModel(config)}.
 *
 * <p>Like a PyTorch module it starts in training mode (dropout active); call {@link #eval()} to turn
 * dropout off. The weights live in an arena the model owns: close the model to free them. Like a
 * PyTorch module, it serves one caller at a time; the library's model is {@link dev.vecgpt.model.GptModel}.
 */
public final class DummyGptModel implements AutoCloseable {

    private final GptConfig config;
    private final Kernels kernels;
    private final Arena weights = Arena.ofShared();
    /** Dropout draws from the generator that initialized the weights, as from PyTorch's global one. */
    private final DropoutState dropout;

    private final Tensor tokEmb;
    private final Tensor posEmb;
    private final Tensor outHead;
    private final PackedWeight outHeadPacked;
    private final List<Layer> blocks;
    private final Layer finalNorm = new DummyLayerNorm();

    public DummyGptModel(GptConfig config, long seed) {
        this(config, seed, KernelProvider.kernels());
    }

    /** With explicit kernels, e.g. {@code KernelProvider.byName("scalar")} or {@code kernels.withThreads(1)}. */
    public DummyGptModel(GptConfig config, long seed, Kernels kernels) {
        this(config, seed, kernels, WeightFormat.F32);
    }

    /**
     * With the output head stored as {@code outHeadFormat}: {@link WeightFormat#BF16} halves the
     * memory the largest matmul reads, at the cost of rounding its weights to bfloat16.
     */
    public DummyGptModel(GptConfig config, long seed, Kernels kernels, WeightFormat outHeadFormat) {
        this(config, kernels, outHeadFormat, new TorchGenerator(seed));
    }

    private DummyGptModel(GptConfig config, Kernels kernels, WeightFormat outHeadFormat, TorchGenerator generator) {
        this.config = config;
        this.kernels = kernels;
        this.dropout = new DropoutState(config.dropRate(), generator);
        // PyTorch's registration order, which is the order of the random draws.
        tokEmb = Tensor.allocate(weights, config.vocabSize(), config.embDim());
        generator.normal_(tokEmb, 0, 1);
        posEmb = Tensor.allocate(weights, config.contextLength(), config.embDim());
        generator.normal_(posEmb, 0, 1);
        blocks = IntStream.range(0, config.nLayers()).<Layer>mapToObj(i -> new DummyTransformerBlock()).toList();
        outHead = Tensor.allocate(weights, config.vocabSize(), config.embDim());
        generator.kaimingUniform_(outHead);
        outHeadPacked = kernels.pack(outHead, outHeadFormat, weights);
    }

    public GptConfig config() {
        return config;
    }

    /** Dropout on (the default, as for a new PyTorch module). */
    public DummyGptModel train() {
        dropout.training(true);
        return this;
    }

    /** Dropout off: forward passes draw no random numbers and are a pure function of the ids. */
    public DummyGptModel eval() {
        dropout.training(false);
        return this;
    }

    public boolean isTraining() {
        return dropout.training();
    }

    /** How training-mode dropout draws its masks; {@link Dropout.Mode#X86_MKL} by default, as PyTorch on x86. */
    public DummyGptModel dropoutMode(Dropout.Mode mode) {
        dropout.mode(mode);
        return this;
    }

    public Tensor tokenEmbedding() {
        return tokEmb;
    }

    public Tensor positionEmbedding() {
        return posEmb;
    }

    public Tensor outHead() {
        return outHead;
    }

    /**
     * Logits {@code [B, T, vocab]} for token ids {@code [B][T]}, allocated from {@code arena}
     * (the caller's). Invalid ids throw before anything is computed or drawn.
     */
    public Tensor forward(int[][] ids, Arena arena) {
        TokenBatch batch = TokenBatch.of(ids, config);
        int b = batch.batch();
        int t = batch.length();
        int d = config.embDim();
        Tensor logits = Tensor.allocate(arena, Shape.of(b, t, config.vocabSize()));
        try (Arena scratch = Arena.ofShared()) { // shared: the kernels may use their threads
            Tensor x = Tensor.allocate(scratch, b, t, d);
            kernels.gather(tokEmb, batch.flat(), x);
            kernels.add(x, posEmb.slice(0, t), x);
            dropout.apply(x);
            for (Layer block : blocks) {
                x = block.forward(x, scratch);
            }
            x = finalNorm.forward(x, scratch);
            kernels.matmul(x, outHeadPacked, logits);
            return logits;
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
