package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Core alone has no faster kernels: the provider says so and falls back to the reference. */
class KernelProviderTest {

    @Test
    void withoutOpsSimdTheScalarKernelsAreChosenWithAReason() {
        assertEquals("scalar", KernelProvider.kernels().name());
        assertTrue(KernelProvider.description().startsWith("vecgpt kernels: scalar ("), KernelProvider.description());
    }

    @Test
    void forcingKernelsThatCannotLoadIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelProvider.byName("simd"));
        assertTrue(e.getMessage().contains("simd"), e.getMessage());
        assertEquals("scalar", KernelProvider.byName("scalar").name());
    }
}
