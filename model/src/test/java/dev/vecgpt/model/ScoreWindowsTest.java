package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link ScoreWindows} against the book's loop {@code for i in range(0, n - L, S)}, written out by hand. */
class ScoreWindowsTest {

    private static final int[] TEN = IntStream.range(100, 110).toArray(); // ids 100..109, n = 10

    @Test
    void sideBySideWindows() {
        // n = 10, L = 4, S = 4: range(0, 6, 4) = 0, 4
        ScoreWindows w = ScoreWindows.of(TEN, 4);
        assertEquals(2, w.count());
        assertArrayEquals(new int[] {100, 101, 102, 103}, w.inputs(0));
        assertArrayEquals(new int[] {101, 102, 103, 104}, w.targets(0));
        assertArrayEquals(new int[] {104, 105, 106, 107}, w.inputs(1));
        assertArrayEquals(new int[] {105, 106, 107, 108}, w.targets(1));
        assertEquals(8, w.targetCount());
    }

    @Test
    void overlappingWindows() {
        // L = 4, S = 2: range(0, 6, 2) = 0, 2, 4
        ScoreWindows w = ScoreWindows.of(TEN, 4, 2);
        assertEquals(3, w.count());
        assertEquals(4, w.start(2));
        assertArrayEquals(new int[] {105, 106, 107, 108}, w.targets(2));
    }

    /** i < n − L is strict: with n = L + 1 exactly one window, whose last target is the last token. */
    @Test
    void theBoundIsStrict() {
        ScoreWindows one = ScoreWindows.of(TEN, 9);
        assertEquals(1, one.count());
        assertArrayEquals(IntStream.range(101, 110).toArray(), one.targets(0));
        // n = 10, L = 5, S = 5: range(0, 5, 5) = 0 only; the last token (109) is never a target
        assertEquals(1, ScoreWindows.of(TEN, 5).count());
        // n = 10, L = 3, S = 1: range(0, 7) = 7 windows
        assertEquals(7, ScoreWindows.of(TEN, 3, 1).count());
    }

    @Test
    void tooShortATextNamesItsTokenCountAndWhatIsNeeded() {
        var e = assertThrows(IllegalArgumentException.class, () -> ScoreWindows.of(TEN, 10));
        assertTrue(e.getMessage().contains("10 tokens") && e.getMessage().contains("at least 11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoreWindows.of(TEN, 4, 0));
        assertTrue(e.getMessage().contains("stride is 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoreWindows.of(TEN, 0));
        assertTrue(e.getMessage().contains("length is 0"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ScoreWindows.of(TEN, 4).inputs(2));
    }
}
