package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parameters from a Hugging Face GPT-2 checkpoint ({@code model.safetensors} of {@code gpt2} and its
 * larger sizes), mapped to the book's names. Hugging Face keeps Q, K and V in one {@code c_attn} and
 * stores linear weights as {@code Conv1D} {@code [in, out]}, the transpose of {@code nn.Linear}; the
 * output head is tied to {@code wte}. Names may carry a {@code transformer.} prefix.
 *
 * <p>Every tensor is checked when the source is made: missing, mis-shaped and unexpected tensors are
 * all named in one error. Float32 embeddings, biases and norms are views of the mapped file.
 */
final class HuggingFaceGpt2 implements WeightSource {

    /** Buffers some exports include that are not parameters (the causal mask), and the tied head. */
    private static final Set<String> IGNORED_SUFFIXES = Set.of(".attn.bias", ".attn.masked_bias");

    private final SafetensorsFile file;
    private final String prefix;
    private final int dim;
    private final Arena scratch;

    HuggingFaceGpt2(SafetensorsFile file, GptConfig config, Arena scratch) {
        this.file = file;
        this.dim = config.embDim();
        this.scratch = scratch;
        this.prefix = file.names().contains("transformer.wte.weight") ? "transformer." : "";
        check(config);
    }

    /** The tensors a checkpoint of {@code config} holds, by name without prefix, with their shapes. */
    static Map<String, Shape> expected(GptConfig config) {
        int d = config.embDim();
        Map<String, Shape> names = new LinkedHashMap<>();
        names.put("wte.weight", Shape.of(config.vocabSize(), d));
        names.put("wpe.weight", Shape.of(config.contextLength(), d));
        for (int i = 0; i < config.nLayers(); i++) {
            String h = "h." + i + ".";
            names.put(h + "ln_1.weight", Shape.of(d));
            names.put(h + "ln_1.bias", Shape.of(d));
            names.put(h + "attn.c_attn.weight", Shape.of(d, 3 * d));
            names.put(h + "attn.c_attn.bias", Shape.of(3 * d));
            names.put(h + "attn.c_proj.weight", Shape.of(d, d));
            names.put(h + "attn.c_proj.bias", Shape.of(d));
            names.put(h + "ln_2.weight", Shape.of(d));
            names.put(h + "ln_2.bias", Shape.of(d));
            names.put(h + "mlp.c_fc.weight", Shape.of(d, 4 * d));
            names.put(h + "mlp.c_fc.bias", Shape.of(4 * d));
            names.put(h + "mlp.c_proj.weight", Shape.of(4 * d, d));
            names.put(h + "mlp.c_proj.bias", Shape.of(d));
        }
        names.put("ln_f.weight", Shape.of(d));
        names.put("ln_f.bias", Shape.of(d));
        return names;
    }

    private void check(GptConfig config) {
        if (!config.qkvBias()) {
            throw new IllegalArgumentException("GPT-2 checkpoints have qkv biases: use a config with qkvBias true, "
                    + "e.g. GptConfig.GPT2_124M");
        }
        Map<String, Shape> expected = expected(config);
        List<String> problems = new ArrayList<>();
        Set<String> unexpected = new TreeSet<>();
        for (String name : file.names()) {
            String bare = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            boolean ignored = IGNORED_SUFFIXES.stream().anyMatch(bare::endsWith)
                    || bare.equals("lm_head.weight") || name.equals("lm_head.weight");
            if (!expected.containsKey(bare) && !ignored) {
                unexpected.add(name);
            }
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            String name = prefix + e.getKey();
            if (!file.names().contains(name)) {
                problems.add("missing " + name);
            } else if (!shape(name).equals(e.getValue())) {
                problems.add(name + " is " + shape(name) + ", expected " + e.getValue());
            }
        }
        unexpected.forEach(name -> problems.add("unexpected " + name));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file.file() + " is not a GPT-2 checkpoint of this configuration ("
                    + config + "): " + String.join("; ", problems));
        }
    }

    @Override
    public Tensor embedding(String name, int rows, int dim) {
        return tensor(name.equals("tok_emb.weight") ? "wte.weight" : "wpe.weight");
    }

    /** Our names {@code trf_blocks.i.att.W_query.weight} etc., from Conv1D weights transposed. */
    @Override
    public Tensor linearWeight(String name, int in, int out) {
        if (name.equals("out_head.weight")) {
            return tensor("wte.weight"); // tied
        }
        Layer layer = layer(name);
        Tensor conv = tensor(layer.hfName + ".weight");      // [in, columns]
        int columns = conv.shape().dim(1);
        Tensor w = Tensor.allocate(scratch, out, in);
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                w.set((long) o * in + i, conv.get((long) i * columns + layer.section * dim + o));
            }
        }
        return w;
    }

    @Override
    public Tensor linearBias(String name, int in, int out) {
        Layer layer = layer(name);
        Tensor bias = tensor(layer.hfName + ".bias");
        MemorySegment part = bias.segment().asSlice((long) layer.section * dim * Float.BYTES, (long) out * Float.BYTES);
        return Tensor.wrap(Shape.of(out), part);
    }

    @Override
    public Tensor norm(String name, int dim, boolean scale) {
        String norm;
        if (name.startsWith("final_norm")) {
            norm = "ln_f";
        } else {
            String[] parts = name.split("\\.");              // trf_blocks.i.norm1.scale
            norm = "h." + parts[1] + (parts[2].equals("norm1") ? ".ln_1" : ".ln_2");
        }
        return tensor(norm + (scale ? ".weight" : ".bias"));
    }

    /** A Hugging Face layer and which third of {@code c_attn} (0 for every other layer). */
    private record Layer(String hfName, int section) {}

    private static Layer layer(String ours) {
        String[] parts = ours.split("\\.");                  // trf_blocks.i.att.W_query.weight
        String h = "h." + parts[1] + ".";
        return switch (parts[2] + "." + parts[3]) {
            case "att.W_query" -> new Layer(h + "attn.c_attn", 0);
            case "att.W_key" -> new Layer(h + "attn.c_attn", 1);
            case "att.W_value" -> new Layer(h + "attn.c_attn", 2);
            case "att.out_proj" -> new Layer(h + "attn.c_proj", 0);
            case "ff.layers" -> new Layer(h + (parts[4].equals("0") ? "mlp.c_fc" : "mlp.c_proj"), 0);
            default -> throw new IllegalArgumentException("no Hugging Face GPT-2 tensor for " + ours);
        };
    }

    private Tensor tensor(String bare) {
        try {
            return file.tensor(prefix + bare);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Shape shape(String name) {
        try {
            return file.shape(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
