package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.Reference;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Windows and batch order against PyTorch 1.13's DataLoader (reference/training/data_oracle.json). */
class DataLoaderTest {

    private static int[] ids(int n) {
        return IntStream.range(1000, 1000 + n).toArray();
    }

    @Test
    void windowsAreTheBooksRange() {
        // range(0, len - max_length, stride)
        assertEquals(18, new TokenWindows(ids(4612), 256, 256).size());
        assertEquals(2, new TokenWindows(ids(534), 256, 256).size());
        assertEquals(1, new TokenWindows(ids(257), 256, 256).size());
        assertEquals(0, new TokenWindows(ids(256), 256, 256).size());
        assertEquals(99, new TokenWindows(ids(700), 10, 7).size());
        int[] in = new int[4];
        int[] out = new int[4];
        new TokenWindows(ids(20), 4, 3).copy(2, in, out, 0);
        assertArrayEquals(new int[] {1006, 1007, 1008, 1009}, in);
        assertArrayEquals(new int[] {1007, 1008, 1009, 1010}, out);
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(ids(5), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenWindows(ids(5), 2, 0));
    }

    @Test
    void passesDrawAsPyTorchDoes() {
        JsonNode ref = Reference.json("training/data_oracle.json");
        Map<String, DataLoader> loaders = Map.of(
                "train", DataLoader.training(new TokenWindows(ids(4612), 256, 256), 2),
                "val", DataLoader.validation(new TokenWindows(ids(534), 256, 256), 2),
                "odd", new DataLoader(new TokenWindows(ids(700), 10, 7), 3, true, false));
        TorchGenerator global = new TorchGenerator(123);
        for (JsonNode pass : ref.get("passes_after_seed_123")) {
            DataLoader loader = loaders.get(pass.get("loader").asText());
            int limit = pass.get("batches_read").isNull() ? Integer.MAX_VALUE : pass.get("batches_read").intValue();
            JsonNode expected = pass.get("windows");
            Iterator<Batch> it = loader.iterate(global);
            int i = 0;
            for (; it.hasNext() && i < limit; i++) {
                Batch b = it.next();
                int[] want = new int[expected.get(i).size()];
                for (int r = 0; r < want.length; r++) {
                    want[r] = expected.get(i).get(r).intValue();
                }
                assertArrayEquals(want, b.windows(), pass.get("loader") + " batch " + i);
                assertEquals(want.length * loader.windows().maxLength(), b.tokens());
            }
            assertEquals(expected.size(), i, "batches in a pass over " + pass.get("loader"));
        }
        float[] rand = new float[4];
        for (int k = 0; k < 4; k++) { // torch.rand: 24 bits of one raw output each
            rand[k] = (global.random() & 0xFFFFFF) * 0x1p-24f;
        }
        JsonNode bits = ref.get("rand_after_passes_bits");
        for (int k = 0; k < 4; k++) {
            assertEquals(bits.get(k).intValue(), Float.floatToRawIntBits(rand[k]), "draw " + k + " after the passes");
        }
    }

    @Test
    void batchCountsAndTheLastPartialBatch() {
        DataLoader keep = new DataLoader(new TokenWindows(ids(700), 10, 7), 3, false, false);
        assertEquals(33, keep.batchCount());
        DataLoader drop = new DataLoader(new TokenWindows(ids(40), 10, 7), 2, false, true); // 5 windows
        assertEquals(2, drop.batchCount());
        DataLoader last = new DataLoader(new TokenWindows(ids(40), 10, 7), 2, false, false);
        Iterator<Batch> it = last.iterate(new TorchGenerator(1));
        it.next();
        it.next();
        Batch partial = it.next();
        assertEquals(1, partial.rows());
        assertArrayEquals(new int[] {4}, partial.windows());
        assertFalse(it.hasNext());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(new TokenWindows(ids(40), 10, 7), 0, true, true));
    }
}
