package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.lib.Stream;
import dev.tellmej.hdl.lib.UpCounter;
import dev.tellmej.hdl.testing.IcarusBench;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Registers, resets, memories and records behave in simulation (Icarus Verilog, four-state) as the language
 * documents them, checked cycle by cycle against Java models.
 */
class SequentialSemanticsTest {
    private static final long SEED = 0x5eed_0002L;

    /** One write port and one registered read port on the same memory, for read-under-write. */
    static final class RamUnderTest extends Module {
        RamUnderTest(ReadUnderWrite policy, RamStyle style) {
            param("rw", policy.name().toLowerCase(java.util.Locale.ROOT));
            Bool writeEnable = in("wr_en", bool());
            UInt writeAddress = in("wr_addr", uint(4));
            Bits writeData = in("wr_data", bits(16));
            Bits writeMask = in("wr_mask", bits(2));
            UInt readAddress = in("rd_addr", uint(4));
            Bits readData = out("rd_data", bits(16));
            Bits romData = out("rom_data", bits(8));
            Mem<Bits> ram = mem("ram", bits(16), 16).style(style).readUnderWrite(policy).init(new long[16]);
            if (policy == ReadUnderWrite.WRITE_FIRST) {
                when(writeEnable, () -> ram.write(writeAddress, writeData));
            } else {
                when(writeEnable, () -> ram.write(writeAddress, writeData, writeMask));
            }
            readData.set(ram.readSync("ram_q", readAddress));
            Mem<Bits> rom = mem("rom", bits(8), 16).style(RamStyle.DISTRIBUTED);
            long[] contents = new long[16];
            for (int i = 0; i < 16; i++) {
                contents[i] = (i * 37 + 5) & 0xff;
            }
            rom.init(contents);
            romData.set(rom.readAsync(readAddress));
        }
    }

    private static List<Map<String, Long>> ramStimulus(Random random, int cycles) {
        List<Map<String, Long>> stimulus = new ArrayList<>();
        for (int i = 0; i < cycles; i++) {
            Map<String, Long> in = new HashMap<>();
            long address = random.nextInt(4); // few addresses, so reads often hit writes
            in.put("wr_en", random.nextInt(3) == 0 ? 0L : 1L);
            in.put("wr_addr", address);
            in.put("wr_data", (long) random.nextInt(1 << 16));
            in.put("wr_mask", (long) random.nextInt(4));
            in.put("rd_addr", random.nextBoolean() ? address : (long) random.nextInt(4));
            stimulus.add(in);
        }
        return stimulus;
    }

    @Test
    void readFirstReturnsOldDataAndMasksSelectBytes() {
        checkRam(ReadUnderWrite.READ_FIRST);
    }

    @Test
    void writeFirstReturnsTheDataBeingWritten() {
        checkRam(ReadUnderWrite.WRITE_FIRST);
    }

    private static void checkRam(ReadUnderWrite policy) {
        Design<RamUnderTest> design = elaborate(() -> new RamUnderTest(policy, RamStyle.BLOCK));
        Random random = new Random(SEED);
        List<Map<String, Long>> stimulus = ramStimulus(random, 300);
        List<Map<String, BigInteger>> samples = IcarusBench.run(design, "ram-" + policy, stimulus);
        long[] model = new long[16];
        Long expectedRead = null;
        for (int cycle = 0; cycle < stimulus.size(); cycle++) {
            Map<String, Long> in = stimulus.get(cycle);
            Map<String, BigInteger> out = samples.get(cycle);
            int readAddress = (int) (long) in.get("rd_addr");
            assertEquals((readAddress * 37 + 5) & 0xff, out.get("rom_data").intValue(), "rom, cycle " + cycle);
            if (expectedRead != null) {
                assertEquals((long) expectedRead, out.get("rd_data").longValue(),
                        policy + " read, cycle " + cycle + " (seed " + SEED + ")");
            }
            // The clock edge at the end of this cycle: read register, then memory update.
            int writeAddress = (int) (long) in.get("wr_addr");
            boolean write = in.get("wr_en") == 1;
            long data = in.get("wr_data");
            long mask = policy == ReadUnderWrite.WRITE_FIRST ? 3 : in.get("wr_mask");
            long merged = model[writeAddress];
            if ((mask & 1) != 0) {
                merged = (merged & 0xff00) | (data & 0x00ff);
            }
            if ((mask & 2) != 0) {
                merged = (merged & 0x00ff) | (data & 0xff00);
            }
            boolean hit = write && writeAddress == readAddress;
            expectedRead = policy == ReadUnderWrite.WRITE_FIRST && hit ? data : model[readAddress];
            if (write) {
                model[writeAddress] = merged;
            }
        }
    }

    /** Registers with enables and both reset styles; an UpCounter. */
    static final class Registers extends Module {
        Registers() {
            Bool enable = in("enable", bool());
            UInt data = in("data", uint(8));
            UInt held = out("held", uint(8));
            UInt count = out("count", uint(3));
            Bool wrapped = out("wrapped", bool());
            held.set(regNextWhen("held_q", data, enable, 0x5a));
            UpCounter counter = UpCounter.create("counter", 6);
            when(enable, counter::increment);
            count.set(counter.value);
            wrapped.set(regNext("wrapped_q", counter.willOverflow, 0));
        }
    }

    @Test
    void registersResetLoadWithEnableAndCountersWrap() {
        for (ClockDomainConfig config : List.of(ClockDomainConfig.DEFAULT,
                new ClockDomainConfig("clk", "rst_n", ResetKind.ASYNC, ActiveLevel.LOW))) {
            Design<Registers> design = Hdl.elaborate(new ElaborationOptions(config), Registers::new);
            String text = design.definitions().get(design.topName());
            if (config.kind() == ResetKind.ASYNC) {
                assertTrue(text.contains("always @(posedge clk or negedge rst_n)"), text);
            }
            Random random = new Random(SEED);
            List<Map<String, Long>> stimulus = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                stimulus.add(Map.of("enable", random.nextInt(3) == 0 ? 0L : 1L, "data", (long) random.nextInt(256)));
            }
            List<Map<String, BigInteger>> samples = IcarusBench.run(design, "registers-" + config.kind(), stimulus);
            long held = 0x5a;
            long count = 0;
            long wrapped = 0;
            for (int cycle = 0; cycle < stimulus.size(); cycle++) {
                Map<String, BigInteger> out = samples.get(cycle);
                assertEquals(held, out.get("held").longValue(), "held, cycle " + cycle);
                assertEquals(count, out.get("count").longValue(), "count, cycle " + cycle);
                assertEquals(wrapped, out.get("wrapped").longValue(), "wrapped, cycle " + cycle);
                boolean enable = stimulus.get(cycle).get("enable") == 1;
                wrapped = enable && count == 5 ? 1 : 0;
                if (enable) {
                    held = stimulus.get(cycle).get("data");
                    count = (count + 1) % 6;
                }
            }
        }
    }

    /** A record payload through a stream stage and a FIFO, flattened and rebuilt. */
    record Pixel(UInt red, UInt green, Bool flag) {}

    static final class RecordPipe extends Module {
        RecordPipe() {
            Stream<Pixel> in = in("in", Stream.of(new Pixel(uint(5), uint(6), bool())));
            Stream<Pixel> out = out("out", Stream.of(new Pixel(uint(5), uint(6), bool())));
            Bits packedBits = out("packed_bits", bits(12));
            in.stage().queue("fifo", 4).connectTo(out);
            packedBits.set(asBits(out.payload));
        }
    }

    @Test
    void recordsFlattenInDeclarationOrderAndSurviveAQueue() {
        Design<RecordPipe> design = elaborate(RecordPipe::new);
        List<String> ports = design.top().node().ports().stream().map(p -> p.name()).toList();
        assertEquals(List.of("clk", "reset", "in_valid", "in_ready", "in_payload_red", "in_payload_green",
                "in_payload_flag", "out_valid", "out_ready", "out_payload_red", "out_payload_green",
                "out_payload_flag", "packed_bits"), ports);
        Random random = new Random(SEED);
        List<Map<String, Long>> stimulus = new ArrayList<>();
        List<long[]> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long red = random.nextInt(32);
            long green = random.nextInt(64);
            long flag = random.nextInt(2);
            stimulus.add(Map.of("in_valid", random.nextInt(4) == 0 ? 0L : 1L, "in_payload_red", red,
                    "in_payload_green", green, "in_payload_flag", flag, "out_ready", random.nextInt(3) == 0 ? 0L : 1L));
            sent.add(new long[] {red, green, flag});
        }
        List<Map<String, BigInteger>> samples = IcarusBench.run(design, "record-pipe", stimulus,
                java.util.Set.of("out_payload_red", "out_payload_green", "out_payload_flag", "packed_bits"));
        List<long[]> accepted = new ArrayList<>();
        List<long[]> received = new ArrayList<>();
        for (int cycle = 0; cycle < stimulus.size(); cycle++) {
            Map<String, Long> in = stimulus.get(cycle);
            Map<String, BigInteger> out = samples.get(cycle);
            if (in.get("in_valid") == 1 && out.get("in_ready").intValue() == 1) {
                accepted.add(sent.get(cycle));
            }
            if (out.get("out_valid").intValue() == 1 && in.get("out_ready") == 1) {
                long red = out.get("out_payload_red").longValue();
                long green = out.get("out_payload_green").longValue();
                long flag = out.get("out_payload_flag").longValue();
                assertEquals(red | (green << 5) | (flag << 11), out.get("packed_bits").longValue(), "first leaf lowest");
                received.add(new long[] {red, green, flag});
            }
        }
        assertTrue(received.size() > 50, "transfers: " + received.size());
        for (int i = 0; i < received.size(); i++) {
            assertEquals(List.of(accepted.get(i)[0], accepted.get(i)[1], accepted.get(i)[2]),
                    List.of(received.get(i)[0], received.get(i)[1], received.get(i)[2]), "word " + i);
        }
    }
}
