package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.SafetensorsFile;
import dev.vecgpt.model.Gpt2Parameters.Parameter;
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
 * larger sizes), where {@link Gpt2Parameters} says each one is. Hugging Face keeps Q, K and V in one
 * {@code c_attn} and stores linear weights as {@code Conv1D} {@code [in, out]}, the transpose of
 * {@code nn.Linear}; the output head is tied to {@code wte}. Names may carry a {@code transformer.} prefix.
 *
 * <p>Every tensor is checked when the source is made: missing, mis-shaped and unexpected tensors are
 * all named in one error. Every tensor is copied out of the file as it is read (embeddings, biases and
 * norms into the model's arena, linear weights transposed into scratch for packing), so that the model
 * keeps no view of the mapping: a file truncated under a mapping faults whoever reads it.
 */
final class HuggingFaceGpt2 implements WeightSource {

    /** Buffers some exports include that are not parameters (the causal mask), and the tied head. */
    private static final Set<String> IGNORED_SUFFIXES = Set.of(".attn.bias", ".attn.masked_bias");

    private final SafetensorsFile file;
    private final String prefix;
    private final Arena arena;
    private final Arena scratch;
    /** The copy of {@code wte}: the token embedding and the tied output head are one tensor. */
    private Tensor tokenEmbedding;

    /** Parameters kept as they are go to {@code arena}, linear weights (packed by the model) to {@code scratch}. */
    HuggingFaceGpt2(SafetensorsFile file, GptConfig config, Arena arena, Arena scratch) {
        this.file = file;
        this.arena = arena;
        this.scratch = scratch;
        this.prefix = prefix(file);
        check(config);
    }

    private static String prefix(SafetensorsFile file) {
        return file.names().contains("transformer.wte.weight") ? "transformer." : "";
    }

    /** The tensors a checkpoint of {@code config} holds, by name without prefix, with their shapes. */
    static Map<String, Shape> expected(GptConfig config) {
        Map<String, Shape> names = new LinkedHashMap<>();
        for (Parameter p : Gpt2Parameters.of(config)) {
            names.put(p.hfName(), p.hfShape());
        }
        return names;
    }

    /**
     * The configuration of the GPT-2 in {@code file}: vocabulary and width from {@code wte}, context length
     * from {@code wpe}, layers from the {@code h.N} blocks, and heads from {@code headsFromConfigJson} when
     * known, else from the GPT-2 size of that width.
     *
     * @throws IllegalArgumentException if the file is not a GPT-2 checkpoint, naming what is wrong
     */
    static GptConfig config(SafetensorsFile file, int headsFromConfigJson) throws IOException {
        String prefix = prefix(file);
        List<String> problems = new ArrayList<>();
        for (String needed : List.of("wte.weight", "wpe.weight")) {
            if (!file.names().contains(prefix + needed)) {
                problems.add("no " + needed);
            } else if (file.shape(prefix + needed).rank() != 2) {
                problems.add(needed + " is " + file.shape(prefix + needed) + ", not a matrix");
            }
        }
        int layers = 0;
        while (file.names().contains(prefix + "h." + layers + ".ln_1.weight")) {
            layers++;
        }
        if (layers == 0) {
            problems.add("no transformer blocks (h.0.ln_1.weight)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file.file() + " is not a GPT-2 checkpoint: " + String.join("; ", problems)
                    + " (its tensors: " + sample(file.names()) + ")");
        }
        Shape wte = file.shape(prefix + "wte.weight");
        Shape wpe = file.shape(prefix + "wpe.weight");
        int width = wte.dim(1);
        int heads = headsFromConfigJson > 0 ? headsFromConfigJson : switch (width) {
            case 768 -> 12;
            case 1024 -> 16;
            case 1280 -> 20;
            case 1600 -> 25;
            default -> throw new IllegalArgumentException(file.file() + ": width " + width
                    + " is none of GPT-2's sizes (768, 1024, 1280, 1600), so the number of heads is unknown: "
                    + "put a config.json with n_head beside the file");
        };
        if (width % heads != 0) {
            throw new IllegalArgumentException(file.file() + ": width " + width + " is not divisible by " + heads
                    + " heads");
        }
        return new GptConfig(wte.dim(0), wpe.dim(0), width, heads, layers, 0.1, true);
    }

    private static String sample(Set<String> names) {
        List<String> first = names.stream().limit(5).toList();
        return names.size() > first.size() ? String.join(", ", first) + ", … (" + names.size() + " in all)"
                : String.join(", ", first);
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
    public Tensor load(Parameter p) {
        if (p.hfName().equals("wte.weight")) {
            if (tokenEmbedding == null) {
                tokenEmbedding = copy(tensor(p.hfName()), arena);
            }
            return tokenEmbedding;
        }
        Tensor stored = tensor(p.hfName());
        return switch (p.kind()) {
            case LINEAR_WEIGHT -> {
                try (Arena read = Arena.ofConfined()) {
                    yield transposed(copy(stored, read), p);
                }
            }
            case LINEAR_BIAS -> {
                long bytes = p.shape().size() * Float.BYTES;
                MemorySegment part = stored.segment().asSlice(p.section() * bytes, bytes);
                yield copy(Tensor.wrap(p.shape(), part), arena);
            }
            default -> copy(stored, arena);
        };
    }

    /** {@code t} copied into {@code into} in one bulk copy (a fault in it, from a file truncated meanwhile, is an error, not a crash). */
    private static Tensor copy(Tensor t, Arena into) {
        Tensor copy = Tensor.allocate(into, t.shape());
        MemorySegment.copy(t.segment(), 0, copy.segment(), 0, t.segment().byteSize());
        return copy;
    }

    /** Section {@code p.section()} of a {@code Conv1D} weight {@code [in, columns]}, as {@code nn.Linear}'s {@code [out, in]}. */
    private Tensor transposed(Tensor conv, Parameter p) {
        int out = p.shape().dim(0);
        int in = p.shape().dim(1);
        int columns = conv.shape().dim(1);
        long first = (long) p.section() * out;
        Tensor w = Tensor.allocate(scratch, out, in);
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                w.set((long) o * in + i, conv.get((long) i * columns + first + o));
            }
        }
        return w;
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
