package dev.vecgpt.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code torch.randperm} and int64 {@code random_()} against PyTorch 1.13's values (torch/randperm.json). */
class RandpermTest {

    private static final JsonNode REF = TorchReference.load("randperm.json");

    @Test
    void randpermAndTheDrawsAfterItAreTorchs() {
        for (JsonNode c : REF.get("randperm")) {
            TorchGenerator g = new TorchGenerator(c.get("seed").longValue());
            int n = c.get("n").intValue();
            assertArrayEquals(TorchReference.ints(c.get("perm")), g.randperm(n), "randperm(" + n + ")");
            for (JsonNode after : c.get("after")) { // randint(0, 2^31 - 1): one random() modulo the range
                assertEquals(after.longValue(), (g.random() & 0xFFFF_FFFFL) % Integer.MAX_VALUE, "draw after randperm(" + n + ")");
            }
        }
    }

    @Test
    void int64RandomIsTorchs() {
        TorchGenerator g = new TorchGenerator(123);
        for (JsonNode v : REF.get("int64_random_after_seed_123")) {
            assertEquals(Long.parseLong(v.asText()), g.randomInt64());
        }
    }

    @Test
    void aRestoredStateDrawsTheSame() {
        TorchGenerator g = new TorchGenerator(5);
        g.random();
        float[] unused = new float[3];
        g.exponential_(unused, 1.0);
        TorchGenerator copy = TorchGenerator.restore(g.state());
        for (int i = 0; i < 1000; i++) {
            assertEquals(g.random(), copy.random());
        }
        assertThrows(IllegalArgumentException.class, () -> TorchGenerator.restore(new byte[7]));
    }

    @Test
    void emptyAndBadSizes() {
        assertEquals(0, new TorchGenerator(1).randperm(0).length);
        assertThrows(IllegalArgumentException.class, () -> new TorchGenerator(1).randperm(-1));
        assertThrows(IllegalArgumentException.class, () -> new TorchGenerator(1).randperm(Integer.MAX_VALUE));
    }
}
