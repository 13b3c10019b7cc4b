package dev.tellmej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code tellme bench sim} on a tiny configuration: it runs and prints every figure. */
@Tag("slow")
class BenchSimCommandTest {
    @Test
    void printsEveryFigure() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "bench", "sim", "--lanes", "2", "--cycles", "20000", "--runs", "3", "--no-cold-build", "--no-yosys");
        assertEquals(0, code, err.toString());
        for (String figure : new String[] {"Java drives the clock:", "C++ loop, same model:", "Java / C++:",
                "downcall:", "cached model load:"}) {
            assertTrue(out.toString().contains(figure), out.toString());
        }
    }

    @Test
    void rejectsNonPositiveSizes() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "sim", "--runs", "0");
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("tellme: --runs must be from 1 to 1000, not 0\n"), err.toString());
    }
}
