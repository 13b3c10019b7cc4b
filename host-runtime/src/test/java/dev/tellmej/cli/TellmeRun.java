package dev.tellmej.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the tool in this JVM, for the command tests: its exit code and what it printed.
 *
 * @param exitCode the code {@code tellme} exits with
 * @param out      standard output
 * @param err      standard error
 */
record TellmeRun(int exitCode, String out, String err) {
    /** Runs {@code tellme args...}. */
    static TellmeRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TellmeMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new TellmeRun(code, out.toString(), err.toString());
    }
}
