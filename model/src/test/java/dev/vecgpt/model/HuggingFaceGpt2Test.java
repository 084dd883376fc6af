package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.io.Safetensors;
import dev.vecgpt.core.random.TorchGenerator;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading Hugging Face GPT-2 checkpoints, on tiny ones the test writes: the loaded model's logits
 * must equal those of the same weights put into a model directly (by {@link Direct} below, which maps
 * the names and transposes the Conv1D weights on its own).
 */
class HuggingFaceGpt2Test {

    private static final GptConfig TINY = new GptConfig(97, 16, 32, 4, 2, 0.1, true);
    private static final int[][] IDS = {{5, 17, 3, 96, 0, 41}};

    @TempDir
    Path dir;

    private final Kernels kernels = KernelProvider.kernels();

    /** Random tensors under Hugging Face's names and shapes. */
    static Map<String, Tensor> checkpoint(GptConfig config, Arena arena, String prefix) {
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        HuggingFaceGpt2.expected(config).forEach((name, shape) -> {
            Tensor t = Tensor.allocate(arena, shape);
            for (long i = 0; i < t.size(); i++) {
                t.set(i, (float) random.nextGaussian() * 0.2f);
            }
            tensors.put(prefix + name, t);
        });
        return tensors;
    }

    private static Tensor logits(GptModel model, Arena arena) {
        try (GptSession session = model.newSession()) {
            return session.forward(IDS, arena);
        }
    }

    /** A checkpoint as Hugging Face publishes it: {@code model.safetensors} and a {@code config.json} beside it. */
    static Path write(Path file, Map<String, Tensor> tensors, GptConfig config) throws IOException {
        Safetensors.write(file, tensors, Map.of("format", "pt"));
        Files.writeString(file.resolveSibling("config.json"), "{\"model_type\": \"gpt2\", \"n_embd\": "
                + config.embDim() + ", \"n_head\": " + config.nHeads() + ", \"n_layer\": " + config.nLayers() + "}");
        return file;
    }

    private final ModelOptions options = ModelOptions.DEFAULT.withKernels(kernels);

    @Test
    void loadedLogitsEqualTheSameWeightsBuiltDirectly() throws IOException {
        for (String prefix : new String[] {"", "transformer."}) {
            try (Arena arena = Arena.ofShared()) {
                Map<String, Tensor> tensors = checkpoint(TINY, arena, prefix);
                Path file = write(dir.resolve("model" + prefix.length() + ".safetensors"), tensors, TINY);
                try (GptModel loaded = GptModel.load(file, options);
                     GptModel direct = new GptModel(TINY, options, new TorchGenerator(0), Arena.ofShared(),
                             (a, scratch) -> new Direct(tensors, prefix, a, scratch));
                     GptSession session = loaded.newSession()) {
                    assertEquals(TINY, loaded.config(), "the configuration read off the file and its config.json");
                    Tensor expected = logits(direct, arena);
                    Tensor actual = logits(loaded, arena);
                    assertEquals(Shape.of(1, 6, 97), actual.shape());
                    assertEquals(-1, expected.segment().mismatch(actual.segment()), "prefix '" + prefix + "'");
                    long params = HuggingFaceGpt2.expected(TINY).values().stream().mapToLong(Shape::size).sum();
                    assertEquals(params, loaded.parameterCount(), "the tied head counts once");
                    assertArrayEquals(session.generate(IDS[0], Generation.greedy(5), t -> true, false),
                            session.generate(IDS[0], Generation.greedy(5)));
                }
            }
        }
    }

    @Test
    void bfloat16CheckpointsAreWidened() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = checkpoint(TINY, arena, "");
            tensors.values().forEach(t -> {
                for (long i = 0; i < t.size(); i++) {
                    t.set(i, WeightFormat.roundToBf16(t.get(i)));
                }
            });
            Path f32 = write(dir.resolve("f32.safetensors"), tensors, TINY);
            Path bf16 = dir.resolve("bf16.safetensors");
            writeBf16(bf16, tensors);
            try (GptModel a = GptModel.load(f32, options);
                 GptModel b = GptModel.load(bf16, options)) {
                assertEquals(-1, logits(a, arena).segment().mismatch(logits(b, arena).segment()));
            }
        }
    }

    @Test
    void everyMissingMisShapedOrUnexpectedTensorIsNamed() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = checkpoint(TINY, arena, "");
            tensors.remove("h.1.mlp.c_fc.bias");
            tensors.remove("ln_f.weight");
            tensors.put("h.0.attn.c_proj.weight", Tensor.allocate(arena, 32, 31));
            tensors.put("h.7.attn.c_attn.weight", Tensor.allocate(arena, 2, 2));
            tensors.put("h.0.attn.bias", Tensor.allocate(arena, 1, 1, 16, 16)); // a causal-mask buffer: ignored
            Path file = write(dir.resolve("bad.safetensors"), tensors, TINY);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GptModel.load(file, options));
            String m = e.getMessage();
            assertTrue(m.startsWith(file.toString()), m);
            for (String expected : new String[] {"missing h.1.mlp.c_fc.bias", "missing ln_f.weight",
                    "h.0.attn.c_proj.weight is [32, 31], expected [32, 32]", "unexpected h.7.attn.c_attn.weight"}) {
                assertTrue(m.contains(expected), "'" + m + "' lacks '" + expected + "'");
            }
            assertTrue(!m.contains("h.0.attn.bias"), m);
            NoSuchFileException absent = assertThrows(NoSuchFileException.class,
                    () -> GptModel.load(dir.resolve("absent.safetensors")));
            assertTrue(absent.getMessage().contains("absent.safetensors"), absent.getMessage());
        }
    }

    @Test
    void aFileThatIsNotGpt2SaysWhatIsMissing() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Path file = dir.resolve("other.safetensors");
            Safetensors.write(file, Map.of("encoder.weight", Tensor.allocate(arena, 4, 4)), Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptModel.load(file));
            assertEquals(file + " is not a GPT-2 checkpoint: no wte.weight; no wpe.weight; no transformer blocks "
                    + "(h.0.ln_1.weight) (its tensors: encoder.weight)", e.getMessage());
        }
    }

    @Test
    void withoutConfigJsonTheHeadsFollowTheGpt2SizeOfTheWidth() throws IOException {
        GptConfig oneLayer768 = new GptConfig(11, 8, 768, 12, 1, 0.1, true);
        try (Arena arena = Arena.ofShared()) {
            Path file = dir.resolve("wide.safetensors");
            Safetensors.write(file, checkpoint(oneLayer768, arena, ""), Map.of());
            try (GptModel model = GptModel.load(file, options)) {
                assertEquals(oneLayer768, model.config());
            }
            Path narrow = dir.resolve("narrow.safetensors");
            Safetensors.write(narrow, checkpoint(TINY, arena, ""), Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptModel.load(narrow));
            assertTrue(e.getMessage().contains("width 32 is none of GPT-2's sizes"), e.getMessage());
        }
    }

    /** A model directory as Hugging Face lays it out loads as its {@code model.safetensors} does. */
    @Test
    void aDirectoryLoadsItsModelSafetensorsAndConfigJson() throws IOException {
        Path model = Files.createDirectory(dir.resolve("gpt2 tiny"));
        try (Arena arena = Arena.ofShared()) {
            write(model.resolve("model.safetensors"), checkpoint(TINY, arena, ""), TINY);
            assertEquals(TINY, GptModel.config(model));
            try (GptModel fromDir = GptModel.load(model, options);
                 GptModel fromFile = GptModel.load(model.resolve("model.safetensors"), options)) {
                assertEquals(TINY, fromDir.config(), "n_head 4 from config.json: GPT-2's rule would say 1");
                assertEquals(-1, logits(fromDir, arena).segment().mismatch(logits(fromFile, arena).segment()));
            }
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> GptModel.load(empty));
        assertEquals(empty + ": a directory without model.safetensors (a Hugging Face GPT-2 directory holds "
                + "model.safetensors and config.json)", e.getMessage());
    }

    @Test
    void aConfigJsonWithHeadsAsAStringSaysSo() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Path file = write(dir.resolve("model.safetensors"), checkpoint(TINY, arena, ""), TINY);
            Files.writeString(dir.resolve("config.json"), "{\"n_head\": \"4\"}");
            IOException e = assertThrows(IOException.class, () -> GptModel.load(file));
            assertEquals(dir.resolve("config.json") + ": n_head is the string \"4\", not a number (write it without "
                    + "quotes)", e.getMessage());
            Files.writeString(dir.resolve("config.json"), "{\"n_head\": 0}");
            e = assertThrows(IOException.class, () -> GptModel.load(file));
            assertEquals(dir.resolve("config.json") + ": n_head is 0, not a positive integer", e.getMessage());
        }
    }

    /** The test's own mapping of the book's names to Hugging Face's, from the names alone. */
    private record Direct(Map<String, Tensor> hf, String prefix, Arena arena, Arena scratch) implements WeightSource {

        private Tensor get(String name) {
            return hf.get(prefix + name);
        }

        @Override
        public Tensor load(Gpt2Parameters.Parameter parameter) {
            String name = parameter.name();
            return switch (parameter.kind()) {
                case EMBEDDING -> get(name.startsWith("tok") ? "wte.weight" : "wpe.weight");
                case LINEAR_WEIGHT -> linearWeight(name, parameter.shape().dim(1), parameter.shape().dim(0));
                case LINEAR_BIAS -> linearBias(name, parameter.shape().dim(0));
                case NORM_SCALE, NORM_SHIFT -> norm(name, parameter.kind() == Gpt2Parameters.Kind.NORM_SCALE);
            };
        }

        private Tensor linearWeight(String name, int in, int out) {
            if (name.equals("out_head.weight")) {
                return get("wte.weight");
            }
            String[] p = name.split("\\.");
            String h = "h." + p[1] + ".";
            Tensor conv;
            int offset = 0;
            switch (p[3]) {
                case "W_query" -> conv = get(h + "attn.c_attn.weight");
                case "W_key" -> { conv = get(h + "attn.c_attn.weight"); offset = out; }
                case "W_value" -> { conv = get(h + "attn.c_attn.weight"); offset = 2 * out; }
                case "out_proj" -> conv = get(h + "attn.c_proj.weight");
                default -> conv = get(h + (p[4].equals("0") ? "mlp.c_fc.weight" : "mlp.c_proj.weight"));
            }
            Tensor w = Tensor.allocate(scratch, out, in);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    w.set((long) o * in + i, conv.get(i, offset + o));
                }
            }
            return w;
        }

        private Tensor linearBias(String name, int out) {
            String[] p = name.split("\\.");
            String h = "h." + p[1] + ".";
            Tensor full = switch (p[3]) {
                case "W_query", "W_key", "W_value" -> get(h + "attn.c_attn.bias");
                case "out_proj" -> get(h + "attn.c_proj.bias");
                default -> get(h + (p[4].equals("0") ? "mlp.c_fc.bias" : "mlp.c_proj.bias"));
            };
            int offset = p[3].equals("W_key") ? out : p[3].equals("W_value") ? 2 * out : 0;
            Tensor b = Tensor.allocate(arena, out);
            for (int o = 0; o < out; o++) {
                b.set(o, full.get(offset + o));
            }
            return b;
        }

        private Tensor norm(String name, boolean scale) {
            String[] p = name.split("\\.");
            String ln = name.startsWith("final") ? "ln_f" : "h." + p[1] + (p[2].equals("norm1") ? ".ln_1" : ".ln_2");
            return get(ln + (scale ? ".weight" : ".bias"));
        }
    }

    /** A BF16 checkpoint with a hand-built header, as another writer would make it. */
    private static void writeBf16(Path file, Map<String, Tensor> tensors) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = e.getValue().size() * 2;
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"BF16\",")
                    .append("\"shape\":").append(e.getValue().shape()).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        for (Tensor t : tensors.values()) {
            for (long i = 0; i < t.size(); i++) {
                b.putShort(WeightFormat.toBf16(t.get(i)));
            }
        }
        Files.write(file, b.array());
    }
}
