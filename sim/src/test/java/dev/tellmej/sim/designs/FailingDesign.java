package dev.tellmej.sim.designs;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.BlackBox;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A design that fails on purpose: it registers {@code value} to {@code echo}, and a hand-written checker
 * (a black box) executes {@code $fatal} when it sees 0xAA at a clock edge, {@code $stop} for 0xBB, a
 * failed assertion with {@code $error} for 0x55, and {@code $finish} for 0xFF.
 */
public final class FailingDesign extends Module {
    /** The checker's Verilog; the line numbers of its statements are the test's expectations. */
    public static final String CHECKER_SOURCE = """
            `default_nettype none
            module fatal_checker (
              input wire       clk,
              input wire       reset,
              input wire [7:0] value
            );
              always @(posedge clk) begin
                if (value == 8'hAA) $fatal(1, "magic value %h seen", value);
                if (value == 8'hBB) $stop;
                assert (value != 8'h55) else $error("value must never be %h", value);
                if (value == 8'hFF) $finish;
              end
            endmodule
            `default_nettype wire
            """;
    public static final int FATAL_LINE = 8;
    public static final int STOP_LINE = 9;
    public static final int ASSERT_LINE = 10;

    public final UInt value = in("value", uint(8));
    public final UInt echo = out("echo", uint(8));

    public FailingDesign(Path checkerFile) {
        Checker checker = instance("value_checker", new Checker(checkerFile));
        checker.value.set(value);
        echo.set(regNext("echo_q", value, 0));
    }

    /** Writes the checker's source to {@code file} (unless it is already there) and returns the file. */
    public static Path writeChecker(Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file) || !Files.readString(file).equals(CHECKER_SOURCE)) {
                Files.writeString(file, CHECKER_SOURCE);
            }
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Checker extends BlackBox {
        final UInt value = in("value", uint(8));

        Checker(Path source) {
            clockDomain(); // clk and reset, connected to the parent's
            definition("fatal_checker");
            source(source.toAbsolutePath());
        }
    }
}
