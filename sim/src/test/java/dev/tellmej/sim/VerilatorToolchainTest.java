package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C++ toolchain behind the simulator works: Verilator builds and runs a small design end to end. */
class VerilatorToolchainTest {
    @Test
    void verilatorBuildsAndRunsACounter(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("count_to_ten.v"), """
                `default_nettype none
                module count_to_ten;
                  reg clk = 1'b0;
                  reg [3:0] count = 4'd0;
                  always #5 clk <= ~clk;
                  always @(posedge clk) begin
                    count <= count + 4'd1;
                    if (count == 4'd9) begin
                      $display("count=%0d", count + 4'd1);
                      $finish;
                    end
                  end
                endmodule
                """);
        ExternalCommand.of(EdaTool.VERILATOR.require().toString(), "--binary", "-Wall",
                        "--Mdir", "obj", "count_to_ten.v")
                .directory(dir).timeout(Duration.ofMinutes(5)).run().requireSuccess("verilate count_to_ten.v");
        ExternalCommand.Result run = ExternalCommand.of(dir.resolve("obj/Vcount_to_ten").toString())
                .directory(dir).timeout(Duration.ofMinutes(1)).run().requireSuccess("run the verilated counter");
        assertEquals("count=10", run.stdout().lines().findFirst().orElse(""));
    }
}
