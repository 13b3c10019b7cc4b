package dev.tellmej.accel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.config.ModelLimits;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tellme.h} compiles with {@code cc -std=c11 -Wall -Wextra -Werror -pedantic}, and a C program built on it
 * says what the Java descriptions say: every macro's value, and instruction words byte for byte equal to
 * {@link Instruction#encode()}. The C compiler is required: without it the test fails, naming what to install.
 */
class CHeaderTest {
    private static final long SEED = 20_250_611L;

    @Test
    void theHeaderIsDeterministicShortLinedAndNamesItsBuild() {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            String header = CHeaderWriter.write(config);
            assertEquals(header, CHeaderWriter.write(config));
            assertTrue(header.startsWith("/*\n * tellme.h: "), header);
            assertTrue(header.contains("'tellme interface --config " + config.name() + "'"), header);
            assertTrue(header.contains("#ifndef TELLME_H\n#define TELLME_H\n\n#include <stdint.h>\n"), header);
            assertTrue(header.endsWith("#endif /* TELLME_H */\n"), header);
            header.lines().forEach(line -> assertTrue(line.length() <= CHeaderWriter.MAX_LINE, line));
            assertTrue(header.chars().allMatch(c -> c == '\n' || c >= 0x20 && c < 0x7F), "ASCII only");
        }
    }

    @Test
    void aProgramOnTheHeaderAgreesWithTheJavaDescriptions(@TempDir Path dir) throws IOException {
        Path cc = EdaTool.CC.require();
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Path folder = Files.createDirectories(dir.resolve(config.name()));
            Files.writeString(folder.resolve("tellme.h"), CHeaderWriter.write(config));
            Random random = new Random(SEED);
            List<Instruction> instructions = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (Opcode op : Opcode.values()) {
                    instructions.add(InstructionSetTest.random(op, random));
                }
            }
            Map<String, Long> constants = constants(config);
            KvCacheLayout kv = new KvCacheLayout(config.limits().layers(), config.limits().kvHeads(),
                    config.limits().headDim(), config.limits().context(), Short.BYTES);
            IoRegion io = new IoRegion(config.limits().context(), config.limits().vocab());
            Files.writeString(folder.resolve("check.c"), program(instructions, constants, kv, io));

            ExternalCommand.of(cc.toString(), "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-I.",
                            "-o", "check", "check.c")
                    .directory(folder).timeout(Duration.ofMinutes(2)).run()
                    .requireSuccess("compile a program on tellme.h (" + config.name() + ")");
            List<String> lines = ExternalCommand.of(folder.resolve("check").toString()).directory(folder)
                    .timeout(Duration.ofMinutes(1)).run().requireSuccess("run it").stdout().lines().toList();

            String context = config.name() + ", seed " + SEED;
            int next = 0;
            for (Instruction instruction : instructions) {
                StringBuilder expected = new StringBuilder(HexFormat.of().formatHex(instruction.encode()));
                for (Field f : instruction.opcode().fields()) {
                    expected.append(' ').append(instruction.get(f.name()));
                }
                assertEquals(expected.toString(), lines.get(next++), context + ": " + instruction);
            }
            for (Map.Entry<String, Long> constant : constants.entrySet()) {
                assertEquals(constant.getKey() + " " + constant.getValue(), lines.get(next++), context);
            }
            assertEquals("kv " + kv.rowOffset(0, 0, 0, 1) + " " + kv.rowOffset(kv.layers() - 1, kv.kvHeads() - 1,
                    KvCacheLayout.VALUES, kv.positions() - 1) + " " + kv.totalBytes(), lines.get(next++), context);
            assertEquals("io " + io.logitsOffset() + " " + io.totalBytes(), lines.get(next++), context);
            assertEquals("debug " + io.debugOffset() + " " + DebugTaps.recordBytes(3, 5) + " "
                    + DebugTaps.recordBytes(7, 64), lines.get(next++), context);
            assertEquals(next, lines.size(), context);
        }
    }

    @Test
    void theCBlockInDeviceMdCompilesAgainstTheHeader(@TempDir Path dir) throws IOException {
        Path cc = EdaTool.CC.require();
        String doc = Files.readString(Path.of("..", "docs", "device.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("<!-- c: decode-call -->\n```c\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/device.md has no C block 'decode-call'");
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            Path folder = Files.createDirectories(dir.resolve(config.name()));
            Files.writeString(folder.resolve("tellme.h"), CHeaderWriter.write(config));
            Files.writeString(folder.resolve("decode_call.c"), block.group(1));
            ExternalCommand.of(cc.toString(), "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I.", "-c",
                            "decode_call.c")
                    .directory(folder).timeout(Duration.ofMinutes(2)).run()
                    .requireSuccess("compile docs/device.md's decode-call block (" + config.name() + ")");
        }
    }

    /** Every macro whose value the Java descriptions fix, with that value. */
    private static Map<String, Long> constants(AcceleratorConfig config) {
        Map<String, Long> c = new LinkedHashMap<>();
        for (ControlRegister r : ControlRegister.values()) {
            c.put("TELLME_REG_" + r.name(), (long) r.offset());
        }
        c.put("TELLME_CTRL_AP_START", 1L << ControlRegister.AP_START_BIT);
        c.put("TELLME_CTRL_AP_DONE", 1L << ControlRegister.AP_DONE_BIT);
        c.put("TELLME_CTRL_AP_IDLE", 1L << ControlRegister.AP_IDLE_BIT);
        c.put("TELLME_CTRL_AP_READY", 1L << ControlRegister.AP_READY_BIT);
        c.put("TELLME_INTERRUPT_AP_DONE", 1L << ControlRegister.INTERRUPT_DONE_BIT);
        c.put("TELLME_INTERRUPT_AP_READY", 1L << ControlRegister.INTERRUPT_READY_BIT);
        c.put("TELLME_CONTROL_BYTES", (long) KernelInterface.controlBytes());
        for (KernelRegister r : KernelInterface.of(config).registers()) {
            c.put(CHeaderWriter.registerMacro(r.name()), (long) r.offset());
            c.put(CHeaderWriter.registerMacro(r.name()) + "_BITS", (long) r.width());
        }
        c.put("TELLME_WEIGHT_PORTS", (long) config.memory().weightPorts());
        c.put("TELLME_STATUS_SUCCEEDED", (long) KernelInterface.STATUS_SUCCEEDED);
        c.put("TELLME_STATUS_FAILED", (long) KernelInterface.STATUS_FAILED);
        for (CallMode m : CallMode.values()) {
            c.put("TELLME_MODE_" + m.name(), (long) m.code());
        }
        for (ErrorCode e : ErrorCode.values()) {
            c.put("TELLME_ERROR_" + e.name(), (long) e.code());
        }
        c.put("TELLME_INSTRUCTION_BITS", (long) Instruction.BITS);
        c.put("TELLME_INSTRUCTION_BYTES", (long) Instruction.BYTES);
        c.put("TELLME_OPCODE_WIDTH", (long) Opcode.OPCODE_BITS);
        for (Opcode op : Opcode.values()) {
            c.put("TELLME_OP_" + op.name(), (long) op.code());
            for (Field f : op.fields()) {
                c.put(CHeaderWriter.fieldMacro(op, f, "LSB"), (long) f.lsb());
                c.put(CHeaderWriter.fieldMacro(op, f, "WIDTH"), (long) f.width());
            }
        }
        for (OnChipBuffer b : OnChipBuffer.values()) {
            c.put("TELLME_BUFFER_" + b.name(), (long) b.id());
        }
        for (Epilogue e : Epilogue.values()) {
            c.put("TELLME_EPILOGUE_" + e.name(), (long) e.id());
        }
        c.put("TELLME_KV_KEYS", (long) KvCacheLayout.KEYS);
        c.put("TELLME_KV_VALUES", (long) KvCacheLayout.VALUES);
        c.put("TELLME_IO_RECORD_BYTES", (long) IoRegion.RECORD_BYTES);
        for (IoRegion.RecordField f : IoRegion.recordFields()) {
            c.put("TELLME_IO_RECORD_" + f.name().toUpperCase(Locale.ROOT), (long) f.offset());
        }
        c.put("TELLME_IO_TOKENS_OFFSET", (long) IoRegion.TOKENS_OFFSET);
        c.put("TELLME_DEBUG_TAPS", (long) DebugTaps.register(true));
        c.put("TELLME_DEBUG_HEADER_BYTES", (long) DebugTaps.HEADER_BYTES);
        for (DebugTaps.HeaderField f : DebugTaps.areaFields()) {
            c.put("TELLME_DEBUG_" + f.name().toUpperCase(Locale.ROOT), (long) f.offset());
        }
        c.put("TELLME_DEBUG_RECORD_HEADER_BYTES", (long) DebugTaps.RECORD_HEADER_BYTES);
        for (DebugTaps.HeaderField f : DebugTaps.recordFields()) {
            c.put("TELLME_DEBUG_RECORD_" + f.name().toUpperCase(Locale.ROOT), (long) f.offset());
        }
        c.put("TELLME_DEBUG_ALIGN", (long) DebugTaps.ALIGN);
        ModelLimits l = config.limits();
        c.put("TELLME_MAX_HIDDEN", (long) l.hidden());
        c.put("TELLME_MAX_FFN", (long) l.ffn());
        c.put("TELLME_MAX_HEADS", (long) l.heads());
        c.put("TELLME_MAX_KV_HEADS", (long) l.kvHeads());
        c.put("TELLME_MAX_HEAD_DIM", (long) l.headDim());
        c.put("TELLME_MAX_LAYERS", (long) l.layers());
        c.put("TELLME_MAX_VOCAB", (long) l.vocab());
        c.put("TELLME_MAX_CONTEXT", (long) l.context());
        c.put("TELLME_CHUNK_TOKENS", (long) config.tlmm().chunkTokens());
        return c;
    }

    /**
     * A C program that encodes every instruction with the header's field macros (half through
     * {@code TELLME_SET_FIELD}, half through {@code tellme_set_field}), prints its bytes and fields read back,
     * then every constant, then a few KV-cache and I/O-region offsets.
     */
    private static String program(List<Instruction> instructions, Map<String, Long> constants, KvCacheLayout kv,
            IoRegion io) {
        StringBuilder c = new StringBuilder("""
                #include <inttypes.h>
                #include <stdio.h>
                #include <string.h>
                #include "tellme.h"

                static void print_word(const uint32_t word[TELLME_INSTRUCTION_WORDS]) {
                    for (unsigned i = 0; i < TELLME_INSTRUCTION_BYTES; i++) {
                        printf("%02x", (unsigned)((word[i / 4u] >> (8u * (i % 4u))) & 0xFFu));
                    }
                }

                int main(void) {
                    uint32_t w[TELLME_INSTRUCTION_WORDS];
                """);
        for (int i = 0; i < instructions.size(); i++) {
            Instruction instruction = instructions.get(i);
            Opcode op = instruction.opcode();
            boolean viaMacro = i % 2 == 0;
            c.append("    memset(w, 0, sizeof w);\n");
            c.append("    TELLME_SET_OPCODE(w, ").append(op.name()).append(");\n");
            for (Field f : op.fields()) {
                String value = instruction.get(f.name()) + "u";
                String upper = f.name().toUpperCase(Locale.ROOT);
                if (viaMacro) {
                    c.append("    TELLME_SET_FIELD(w, ").append(op.name()).append(", ").append(upper).append(", ")
                            .append(value).append(");\n");
                } else {
                    // All ones first, then the value: the setter must also clear the bits the value lacks.
                    c.append("    tellme_set_field(w, ").append(CHeaderWriter.fieldMacro(op, f, "LSB")).append(", ")
                            .append(CHeaderWriter.fieldMacro(op, f, "WIDTH")).append(", 0xFFFFFFFFu);\n");
                    c.append("    tellme_set_field(w, ").append(CHeaderWriter.fieldMacro(op, f, "LSB")).append(", ")
                            .append(CHeaderWriter.fieldMacro(op, f, "WIDTH")).append(", ").append(value).append(");\n");
                }
            }
            c.append("    print_word(w);\n");
            for (Field f : op.fields()) {
                c.append("    printf(\" %\" PRIu32, TELLME_GET_FIELD(w, ").append(op.name()).append(", ")
                        .append(f.name().toUpperCase(Locale.ROOT)).append("));\n");
            }
            c.append("    printf(\"\\n\");\n");
        }
        for (String name : constants.keySet()) {
            c.append("    printf(\"%s %\" PRIu64 \"\\n\", \"").append(name).append("\", (uint64_t)").append(name)
                    .append(");\n");
        }
        c.append("    printf(\"kv %\" PRIu64 \" %\" PRIu64 \" %\" PRIu64 \"\\n\",\n");
        c.append("           tellme_kv_row_offset(").append(kv.kvHeads()).append("u, ").append(kv.headDim()).append("u, ")
                .append(kv.positions()).append("u, 0u, 0u, TELLME_KV_KEYS, 1u),\n");
        c.append("           tellme_kv_row_offset(").append(kv.kvHeads()).append("u, ").append(kv.headDim()).append("u, ")
                .append(kv.positions()).append("u, ").append(kv.layers() - 1).append("u, ").append(kv.kvHeads() - 1)
                .append("u, TELLME_KV_VALUES, ").append(kv.positions() - 1).append("u),\n");
        c.append("           tellme_kv_bytes(").append(kv.layers()).append("u, ").append(kv.kvHeads()).append("u, ")
                .append(kv.headDim()).append("u, ").append(kv.positions()).append("u));\n");
        c.append("    printf(\"io %\" PRIu64 \" %\" PRIu64 \"\\n\", tellme_io_logits_offset(").append(io.maxTokens())
                .append("u), tellme_io_bytes(").append(io.maxTokens()).append("u, ").append(io.vocab()).append("u));\n");
        c.append("    printf(\"debug %\" PRIu64 \" %\" PRIu64 \" %\" PRIu64 \"\\n\", tellme_io_debug_offset(")
                .append(io.maxTokens()).append("u, ").append(io.vocab())
                .append("u), tellme_debug_record_bytes(3u, 5u), tellme_debug_record_bytes(7u, 64u));\n");
        c.append("    return 0;\n}\n");
        return c.toString();
    }
}
