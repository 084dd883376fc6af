package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The width {@code -Dvecgpt.vectorBits} asks for is the one the kernels, their tiles and their log
 * line use (the build runs the kernel tests at 128 and 256 bits besides the preferred width), and a
 * width the machine does not have is refused by name.
 */
class VectorWidthTest {

    private static final String BITS = System.getProperty("vecgpt.vectorBits");

    @Test
    void theKernelsRunAtTheRequestedWidth() {
        int expected = BITS == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(BITS);
        assertEquals(expected, SimdKernels.SPECIES.vectorBitSize());
        assertEquals(expected, MachineShape.CURRENT.vectorBits());
        assertEquals(expected / Float.SIZE, MachineShape.CURRENT.lanes());
        assertTrue(MachineShape.CURRENT.describe().startsWith("FloatVector " + expected + "-bit"),
                MachineShape.CURRENT.describe());
    }

    /** On x86, 32 vector registers come with AVX-512's 512-bit vectors: a narrower width gets the 16-register tile. */
    @Test
    void theTileFollowsTheWidth() {
        MachineShape shape = MachineShape.CURRENT;
        if (shape.arch().equals("amd64") && System.getProperty("vecgpt.tileRows") == null) {
            assertEquals(shape.vectorBits() >= 512 ? 4 : 2, shape.tileRows(), shape.describe());
        }
        assertEquals(shape.tileRows(), PanelMatmul.ROWS);
    }

    @Test
    void aWidthAboveTheMachinesIsRefusedByName() throws Exception {
        // MaxVectorSize=16 makes this machine's widest float vector 128 bits.
        Process probe = ProbeJvm.start(List.of("-XX:MaxVectorSize=16", "-Dvecgpt.vectorBits=256"));
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "the probe did not finish within 60 s");
        String err = new String(probe.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, probe.exitValue(), err);
        assertTrue(err.contains("-Dvecgpt.vectorBits=256: this machine's float vectors have at most 128 bits"), err);
    }
}
