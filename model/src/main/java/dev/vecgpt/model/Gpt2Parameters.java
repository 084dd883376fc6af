package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Every parameter of the book's {@code GPTModel}, written once: its PyTorch name, its shape, how it is
 * initialized and where a Hugging Face GPT-2 checkpoint keeps it. Random initialization (whose order is
 * PyTorch's registration order), checkpoint loading, checking and {@link GptModel#parameterNames()} all
 * read this table, as llm.c's {@code ParameterTensors} or nanoGPT's {@code from_pretrained} do.
 */
final class Gpt2Parameters {

    /** What a parameter is, which decides its PyTorch initialization. */
    enum Kind {
        /** {@code nn.Embedding.weight}: {@code normal(0, 1)}. */
        EMBEDDING,
        /** {@code nn.Linear.weight} {@code [out, in]}: kaiming-uniform; packed for the matmul. */
        LINEAR_WEIGHT,
        /** {@code nn.Linear.bias} {@code [out]}: {@code uniform(±1/√in)}. */
        LINEAR_BIAS,
        /** A layer norm's {@code scale}: ones. */
        NORM_SCALE,
        /** A layer norm's {@code shift}: zeros. */
        NORM_SHIFT
    }

    /**
     * A parameter of every transformer block, in PyTorch's registration order. Widths are in units of
     * the embedding width d; Hugging Face keeps Q, K and V as thirds ({@code section}) of {@code c_attn}.
     */
    enum InBlock {
        QUERY_WEIGHT("att.W_query.weight", Kind.LINEAR_WEIGHT, 1, 1, "attn.c_attn.weight", 0),
        QUERY_BIAS("att.W_query.bias", Kind.LINEAR_BIAS, 1, 1, "attn.c_attn.bias", 0),
        KEY_WEIGHT("att.W_key.weight", Kind.LINEAR_WEIGHT, 1, 1, "attn.c_attn.weight", 1),
        KEY_BIAS("att.W_key.bias", Kind.LINEAR_BIAS, 1, 1, "attn.c_attn.bias", 1),
        VALUE_WEIGHT("att.W_value.weight", Kind.LINEAR_WEIGHT, 1, 1, "attn.c_attn.weight", 2),
        VALUE_BIAS("att.W_value.bias", Kind.LINEAR_BIAS, 1, 1, "attn.c_attn.bias", 2),
        OUT_PROJ_WEIGHT("att.out_proj.weight", Kind.LINEAR_WEIGHT, 1, 1, "attn.c_proj.weight", 0),
        OUT_PROJ_BIAS("att.out_proj.bias", Kind.LINEAR_BIAS, 1, 1, "attn.c_proj.bias", 0),
        UP_WEIGHT("ff.layers.0.weight", Kind.LINEAR_WEIGHT, 1, 4, "mlp.c_fc.weight", 0),
        UP_BIAS("ff.layers.0.bias", Kind.LINEAR_BIAS, 1, 4, "mlp.c_fc.bias", 0),
        DOWN_WEIGHT("ff.layers.2.weight", Kind.LINEAR_WEIGHT, 4, 1, "mlp.c_proj.weight", 0),
        DOWN_BIAS("ff.layers.2.bias", Kind.LINEAR_BIAS, 4, 1, "mlp.c_proj.bias", 0),
        NORM1_SCALE("norm1.scale", Kind.NORM_SCALE, 1, 1, "ln_1.weight", 0),
        NORM1_SHIFT("norm1.shift", Kind.NORM_SHIFT, 1, 1, "ln_1.bias", 0),
        NORM2_SCALE("norm2.scale", Kind.NORM_SCALE, 1, 1, "ln_2.weight", 0),
        NORM2_SHIFT("norm2.shift", Kind.NORM_SHIFT, 1, 1, "ln_2.bias", 0);

        final String suffix;
        final Kind kind;
        final int in;
        final int out;
        final String hfSuffix;
        final int section;

        InBlock(String suffix, Kind kind, int in, int out, String hfSuffix, int section) {
            this.suffix = suffix;
            this.kind = kind;
            this.in = in;
            this.out = out;
            this.hfSuffix = hfSuffix;
            this.section = section;
        }

        /** The query, key and value biases exist only with {@code qkv_bias} (off in the book's model). */
        boolean present(GptConfig config) {
            return config.qkvBias() || !(this == QUERY_BIAS || this == KEY_BIAS || this == VALUE_BIAS);
        }
    }

    /**
     * One parameter.
     *
     * @param name    PyTorch's name, e.g. {@code trf_blocks.0.att.W_query.weight}
     * @param kind    how PyTorch initializes it
     * @param shape   PyTorch's shape ({@code [out, in]} for a linear weight)
     * @param fanIn   the input width of its linear layer (for a bias's init), else 0
     * @param hfName  the Hugging Face tensor holding it (without a {@code transformer.} prefix)
     * @param hfShape that tensor's shape: linear weights are {@code Conv1D} {@code [in, out·sections]}
     * @param section which slice of {@code hfName} along its output dimension (Q, K, V of {@code c_attn})
     * @param block   the transformer block it belongs to, or -1
     * @param slot    its place in the block, or null
     */
    record Parameter(String name, Kind kind, Shape shape, int fanIn, String hfName, Shape hfShape, int section,
                     int block, InBlock slot) {}

    private Gpt2Parameters() {}

    static final String TOKEN_EMBEDDING = "tok_emb.weight";
    static final String POSITION_EMBEDDING = "pos_emb.weight";
    static final String FINAL_NORM_SCALE = "final_norm.scale";
    static final String FINAL_NORM_SHIFT = "final_norm.shift";
    static final String OUT_HEAD = "out_head.weight";

    /** The name of {@code slot} in block {@code block}. */
    static String name(int block, InBlock slot) {
        return "trf_blocks." + block + "." + slot.suffix;
    }

    /** Every parameter of a model of {@code config}, in PyTorch's registration order. */
    static List<Parameter> of(GptConfig config) {
        int d = config.embDim();
        int vocab = config.vocabSize();
        List<Parameter> all = new ArrayList<>();
        all.add(new Parameter(TOKEN_EMBEDDING, Kind.EMBEDDING, Shape.of(vocab, d), 0, "wte.weight",
                Shape.of(vocab, d), 0, -1, null));
        all.add(new Parameter(POSITION_EMBEDDING, Kind.EMBEDDING, Shape.of(config.contextLength(), d), 0,
                "wpe.weight", Shape.of(config.contextLength(), d), 0, -1, null));
        for (int b = 0; b < config.nLayers(); b++) {
            for (InBlock slot : InBlock.values()) {
                if (slot.present(config)) {
                    all.add(inBlock(b, slot, d));
                }
            }
        }
        all.add(new Parameter(FINAL_NORM_SCALE, Kind.NORM_SCALE, Shape.of(d), 0, "ln_f.weight", Shape.of(d), 0, -1,
                null));
        all.add(new Parameter(FINAL_NORM_SHIFT, Kind.NORM_SHIFT, Shape.of(d), 0, "ln_f.bias", Shape.of(d), 0, -1,
                null));
        // GPT-2 ties the output head to the token embedding.
        all.add(new Parameter(OUT_HEAD, Kind.LINEAR_WEIGHT, Shape.of(vocab, d), d, "wte.weight", Shape.of(vocab, d),
                0, -1, null));
        return all;
    }

    private static Parameter inBlock(int block, InBlock slot, int d) {
        int in = slot.in * d;
        int out = slot.out * d;
        int sections = slot.hfSuffix.startsWith("attn.c_attn") ? 3 : 1;
        String hfName = "h." + block + "." + slot.hfSuffix;
        return switch (slot.kind) {
            case LINEAR_WEIGHT -> new Parameter(name(block, slot), slot.kind, Shape.of(out, in), in, hfName,
                    Shape.of(in, out * sections), slot.section, block, slot);
            case LINEAR_BIAS -> new Parameter(name(block, slot), slot.kind, Shape.of(out), in, hfName,
                    Shape.of(out * sections), slot.section, block, slot);
            default -> new Parameter(name(block, slot), slot.kind, Shape.of(d), 0, hfName, Shape.of(d), 0, block, slot);
        };
    }
}
