package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void barShowsStepsOfTotalAndTime() {
        assertEquals("building the model [###############...............] 37/74 1.5 s",
                Progress.line("building the model", 37, 74, 1.5));
        assertEquals("building the model ... 2.0 s", Progress.line("building the model", 0, 0, 2.0));
        assertEquals("x [##############################] 9/9 0.0 s", Progress.line("x", 12, 9, 0));
    }

    @Test
    void drawsOnlyWhenEnabledAndOnlyAfterASecond() throws InterruptedException {
        StringWriter quiet = new StringWriter();
        try (Progress.Task task = new Progress(new PrintWriter(quiet), false).start("work", 2)) {
            Thread.sleep(1300);
            task.step();
        }
        assertEquals("", quiet.toString());

        StringWriter shortWork = new StringWriter();
        try (Progress.Task task = new Progress(new PrintWriter(shortWork), true).start("work", 2)) {
            task.step();
        }
        assertEquals("", shortWork.toString(), "work under a second shows nothing");

        StringWriter terminal = new StringWriter();
        try (Progress.Task task = new Progress(new PrintWriter(terminal), true).start("work", 2)) {
            task.step();
            Thread.sleep(1400);
        }
        String drawn = terminal.toString();
        assertTrue(drawn.startsWith("\rwork [###############...............] 1/2 1."), drawn);
        assertTrue(drawn.endsWith("\r") && drawn.contains("\r   "), "the bar is wiped at the end: " + drawn);
    }

    @Test
    void propertyOverridesTheTerminalGuess() {
        String before = System.getProperty("vecgpt.progress");
        try {
            System.setProperty("vecgpt.progress", "always");
            assertTrue(Progress.stderrIsTerminal());
            System.setProperty("vecgpt.progress", "never");
            assertEquals(false, Progress.stderrIsTerminal());
        } finally {
            if (before == null) {
                System.clearProperty("vecgpt.progress");
            } else {
                System.setProperty("vecgpt.progress", before);
            }
        }
    }
}
