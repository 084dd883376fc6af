package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class ShapeAndTensorTest {

    @Test
    void shapeBasics() {
        Shape s = Shape.of(2, 4, 768);
        assertEquals(3, s.rank());
        assertEquals(2L * 4 * 768, s.size());
        assertEquals(768, s.dim(-1));
        assertEquals("[2, 4, 768]", s.toString());
        assertEquals(Shape.of(4, 768), s.dropFirst());
        assertTrue(s.endsWith(Shape.of(4, 768)));
        assertTrue(s.endsWith(s));
        assertFalse(s.endsWith(Shape.of(3, 768)));
        assertFalse(Shape.of(768).endsWith(s));
    }

    @Test
    void shapeRejectsEmptyAndNonPositiveDimensions() {
        assertThrows(IllegalArgumentException.class, Shape::of);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 0, 3));
        assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
        assertThrows(ArithmeticException.class, () -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
    }

    @Test
    void shapeIsImmutable() {
        int[] dims = {2, 3};
        Shape s = new Shape(dims);
        dims[0] = 9;
        s.dims()[1] = 9;
        assertEquals(Shape.of(2, 3), s);
    }

    @Test
    void tensorsAreZeroedAlignedAndRowMajor() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 2, 3);
            assertEquals(0, t.segment().address() % Tensor.ALIGNMENT);
            assertArrayEquals(new float[6], t.toArray());
            t.copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            assertEquals(6f, t.get(1, 2));
            assertEquals(4f, t.get(3));
            assertEquals(5, t.flatIndex(1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[5]));
        }
    }

    @Test
    void viewsShareMemory() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, Shape.of(3, 2), 1, 2, 3, 4, 5, 6);
            Tensor row = t.row(1);
            assertEquals(Shape.of(2), row.shape());
            assertArrayEquals(new float[] {3, 4}, row.toArray());
            row.set(0, 30);
            assertEquals(30f, t.get(1, 0));
            Tensor slice = t.slice(1, 3);
            assertEquals(Shape.of(2, 2), slice.shape());
            assertArrayEquals(new float[] {30, 4, 5, 6}, slice.toArray());
            assertEquals(Shape.of(6), t.reshape(Shape.of(6)).shape());
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(1, 1));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(Shape.of(5)));
        }
    }

    @Test
    void aTensorOfAClosedArenaIsDeadAndCannotBeRead() {
        Arena arena = Arena.ofConfined();
        Tensor t = Tensor.allocate(arena, 4);
        assertTrue(t.isAlive());
        arena.close();
        assertFalse(t.isAlive());
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }

    @Test
    void wrapChecksTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(Shape.of(2), java.lang.foreign.MemorySegment.ofArray(new float[2])));
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(Shape.of(3), arena.allocate(8)));
            assertEquals(Shape.of(2), Tensor.wrap(Shape.of(2), arena.allocate(8)).shape());
        }
    }
}
