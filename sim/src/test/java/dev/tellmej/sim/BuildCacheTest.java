package dev.tellmej.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.BlackBox;
import dev.tellmej.hdl.Design;
import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.examples.Counter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model cache: keyed by content, shared by parallel JVMs that build each model once. */
@Tag("slow")
class BuildCacheTest {
    /** Run by the second JVM: builds the counter into the cache given as the argument, prints whether it compiled. */
    public static void main(String[] args) {
        VerilatorBuild.Result result = VerilatorBuild.of(Hdl.elaborate(() -> new Counter(8)))
                .cacheRoot(Path.of(args[0])).build();
        System.out.println("compiled=" + result.compiled() + " key=" + result.key());
    }

    @Test
    void parallelJvmsBuildAModelOnceAndBothLoadIt(@TempDir Path cache) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CompletableFuture<ExternalCommand.Result> other = CompletableFuture.supplyAsync(() -> ExternalCommand.of(
                        java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        BuildCacheTest.class.getName(), cache.toString())
                .timeout(Duration.ofMinutes(10)).run().requireSuccess("build the counter in a second JVM"));
        Design<Counter> design = Hdl.elaborate(() -> new Counter(8));
        VerilatorBuild.Result here = VerilatorBuild.of(design).cacheRoot(cache).build();
        String there = other.get().stdout().strip();
        assertTrue(there.endsWith("key=" + here.key()), there);
        boolean compiledThere = there.startsWith("compiled=true");
        assertNotEquals(here.compiled(), compiledThere, "exactly one JVM compiles: here " + here.compiled()
                + ", there " + there);
        try (SimModel sim = SimModel.load(design, here, null)) {
            sim.reset();
            sim.poke(design.top().enable, true);
            sim.step(3);
            assertEquals(3, sim.peek(design.top().count));
        }
        VerilatorBuild.Result again = VerilatorBuild.of(design).cacheRoot(cache).build();
        assertFalse(again.compiled());
        assertTrue(again.elapsed().toMillis() < 2_000, "a cached model needs no tool: " + again.elapsed());
        try (var entries = Files.list(cache)) {
            assertEquals(List.of(here.key(), here.key() + ".lock", "verilator-version.txt"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theKeyFollowsTheRtlAndTheTracingFlag(@TempDir Path cache) {
        VerilatorBuild.Result narrow = VerilatorBuild.of(Hdl.elaborate(() -> new Counter(8))).cacheRoot(cache).build();
        VerilatorBuild.Result same = VerilatorBuild.of(Hdl.elaborate(() -> new Counter(8))).cacheRoot(cache).build();
        assertEquals(narrow.key(), same.key());
        assertFalse(same.compiled());
        VerilatorBuild.Result wide = VerilatorBuild.of(Hdl.elaborate(() -> new Counter(7))).cacheRoot(cache).build();
        assertNotEquals(narrow.key(), wide.key());
    }

    @Test
    void aFailedBuildShowsVerilatorsOutput(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken_box.v");
        Files.writeString(broken, "module broken_box(input wire [7:0] a, output wire [7:0] y);\n"
                + "  assign y = a +;\nendmodule\n");
        Design<BrokenTop> design = Hdl.elaborate(() -> new BrokenTop(broken));
        SimBuildException failure = assertThrows(SimBuildException.class,
                () -> VerilatorBuild.of(design).cacheRoot(dir.resolve("cache")).build());
        assertTrue(failure.getMessage().contains("broken_box.v:2"), failure.getMessage());
        assertTrue(failure.getMessage().contains("syntax error"), failure.getMessage());
        assertTrue(failure.output().contains("%Error"), failure.output());
    }

    /** A top around a black box whose Verilog does not parse. */
    static final class BrokenTop extends Module {
        final UInt a = in("a", Hdl.uint(8));
        final UInt y = out("y", Hdl.uint(8));

        BrokenTop(Path source) {
            Box box = instance("box", new Box(source));
            box.a.set(a);
            y.set(box.y);
        }
    }

    static final class Box extends BlackBox {
        final UInt a = in("a", Hdl.uint(8));
        final UInt y = out("y", Hdl.uint(8));

        Box(Path source) {
            definition("broken_box");
            source(source);
        }
    }
}
