package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.sim.ModelBuildListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bars of long work: what they draw on a terminal, that they draw nothing elsewhere, and who hears a build. */
class ProgressBarTest {
    @Test
    void aModelBuildShowsItsTopModuleUntilItEnds() throws InterruptedException {
        StringWriter err = new StringWriter();
        PrintWriter writer = new PrintWriter(err, true);
        ModelBuildProgress progress = new ModelBuildProgress(top -> new ProgressBar(writer,
                "building Verilator model " + top, true));
        progress.building("tlmm_engine");
        Thread.sleep(1300); // the library draws from its own thread; the time so far ticks every second
        progress.built("tlmm_engine", Duration.ofSeconds(1), true);
        String drawn = err.toString();
        assertTrue(drawn.contains("building Verilator model tlmm_engine"), drawn);
        assertTrue(drawn.contains("0:00:01"), "the time so far is redrawn while the build runs: " + drawn);
        assertTrue(drawn.endsWith(System.lineSeparator()), "the bar's line is ended: " + drawn);
        int length = drawn.length();
        progress.built("tlmm_engine", Duration.ZERO, true);
        assertEquals(length, err.toString().length(), "a second end draws nothing");
    }

    @Test
    void offATerminalNothingIsDrawn() {
        StringWriter err = new StringWriter();
        PrintWriter writer = new PrintWriter(err, true);
        ModelBuildProgress progress = new ModelBuildProgress(top -> new ProgressBar(writer, "building " + top, false));
        progress.building("attention_unit");
        progress.built("attention_unit", Duration.ofSeconds(1), false);
        try (ProgressBar bar = new ProgressBar(writer, "bench tlmm", false).steps(3)) {
            bar.step("a").step("b").step("c");
            bar.clearLine();
        }
        assertEquals("", err.toString());
    }

    @Test
    void aBenchmarkBarCountsItsSteps() {
        StringWriter err = new StringWriter();
        try (ProgressBar bar = new ProgressBar(new PrintWriter(err, true), "bench device", true).steps(3)) {
            bar.step("run 1/3").step("run 2/3").step("run 3/3");
        }
        String drawn = err.toString();
        assertTrue(drawn.contains("bench device") && drawn.contains("3/3"), drawn);
    }

    @Test
    void aCommandHearsTheBuildsBelowIt() {
        ModelBuildListener listener = new ModelBuildListener() {};
        assertSame(ModelBuildListener.NONE, ModelBuildListener.current());
        assertSame(listener, ModelBuildListener.during(listener, ModelBuildListener::current));
        assertSame(ModelBuildListener.NONE, ModelBuildListener.current());
        StringWriter out = new StringWriter();
        // TellmeMain binds a bar for the command: a command sees a listener that is not NONE.
        CommandLineProbe.seen = null;
        TellmeMain.configure(new picocli.CommandLine(new CommandLineProbe()), new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true)).execute();
        assertTrue(CommandLineProbe.seen instanceof ModelBuildProgress, String.valueOf(CommandLineProbe.seen));
    }

    @picocli.CommandLine.Command(name = "probe")
    static final class CommandLineProbe implements Runnable {
        static ModelBuildListener seen;

        @Override
        public void run() {
            seen = ModelBuildListener.current();
        }
    }
}
