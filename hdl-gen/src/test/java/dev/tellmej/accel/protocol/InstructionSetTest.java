package dev.tellmej.accel.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The instruction set's layout and the Java encoder: what tellme.h, the docs and the RTL decoder rely on. */
class InstructionSetTest {
    private static final long SEED = 0x7E11_3E_2025L;

    @Test
    void everyFieldLiesAboveTheOpcodeInsideTheWordWithoutOverlap() {
        Set<Integer> codes = new HashSet<>();
        for (Opcode op : Opcode.values()) {
            assertTrue(op.code() >= 0 && op.code() < 1 << Opcode.OPCODE_BITS, op + " code " + op.code());
            assertTrue(codes.add(op.code()), op + " shares its code " + op.code());
            assertEquals(op, Opcode.ofCode(op.code()));
            BitSet used = new BitSet(Instruction.BITS);
            Set<String> names = new HashSet<>();
            int previousLsb = -1;
            for (Field f : op.fields()) {
                String where = op + "." + f.name() + " [" + f.msb() + ":" + f.lsb() + "]";
                assertTrue(names.add(f.name()), where + ": a second field of that name");
                assertTrue(f.lsb() >= Opcode.OPCODE_BITS, where + " overlaps the opcode in bits 0.." + (Opcode.OPCODE_BITS - 1));
                assertTrue(f.msb() < Instruction.BITS, where + " lies outside the word");
                assertTrue(f.lsb() > previousLsb, where + ": fields are listed in bit order");
                previousLsb = f.lsb();
                BitSet bits = new BitSet(Instruction.BITS);
                bits.set(f.lsb(), f.msb() + 1);
                assertFalse(bits.intersects(used), where + " overlaps another field");
                used.or(bits);
            }
        }
    }

    @Test
    void everyFieldIsWideEnoughForWhatItHolds() {
        int maxBuffer = 0;
        for (OnChipBuffer b : OnChipBuffer.values()) {
            maxBuffer = Math.max(maxBuffer, b.id());
        }
        int maxEpilogue = 0;
        for (Epilogue e : Epilogue.values()) {
            maxEpilogue = Math.max(maxEpilogue, e.id());
        }
        for (Opcode op : Opcode.values()) {
            for (Field f : op.fields()) {
                String where = op + "." + f.name();
                switch (f.kind()) {
                    case FLAG -> assertEquals(1, f.width(), where);
                    case FLOAT32, IMAGE_OFFSET -> assertEquals(32, f.width(), where);
                    case BUFFER -> assertTrue(f.maxValue() >= maxBuffer, where + " cannot name every buffer");
                    case EPILOGUE -> assertTrue(f.maxValue() >= maxEpilogue, where + " cannot name every epilogue");
                    case UNSIGNED -> assertTrue(f.width() >= 8, where);
                }
            }
        }
    }

    @Test
    void idsAreUniqueAndLookedUp() {
        for (OnChipBuffer b : OnChipBuffer.values()) {
            assertEquals(b, OnChipBuffer.ofId(b.id()));
        }
        for (Epilogue e : Epilogue.values()) {
            assertEquals(e, Epilogue.ofId(e.id()));
        }
        for (ErrorCode e : ErrorCode.values()) {
            assertEquals(e, ErrorCode.ofCode(e.code()));
        }
        assertEquals(0, ErrorCode.NONE.code());
        assertNull(OnChipBuffer.ofId(15));
        assertNull(Epilogue.ofId(15));
    }

    /** An instruction of {@code op} with a random value in every field (the full range, edges included). */
    static Instruction random(Opcode op, Random random) {
        Instruction instruction = Instruction.of(op);
        for (Field f : op.fields()) {
            long value = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> f.maxValue();
                default -> random.nextLong(f.maxValue() + 1);
            };
            instruction = instruction.with(f.name(), value);
        }
        return instruction;
    }

    @Test
    void everyOpcodeRoundTripsThroughItsBytes() {
        Random random = new Random(SEED);
        for (int round = 0; round < 200; round++) {
            for (Opcode op : Opcode.values()) {
                Instruction instruction = random(op, random);
                String context = "seed " + SEED + ", round " + round + ": " + instruction;
                byte[] word = new byte[3 * Instruction.BYTES];
                random.nextBytes(word);
                instruction.encode(word, Instruction.BYTES);
                Instruction decoded = Instruction.decode(word, Instruction.BYTES);
                assertEquals(instruction, decoded, context);
                assertEquals(instruction.toString(), decoded.toString(), context);
                for (Field f : op.fields()) {
                    assertEquals(instruction.get(f.name()), decoded.get(f.name()), context + " field " + f.name());
                }
                byte[] alone = instruction.encode();
                assertEquals(op.code(), alone[0] & 0xFF, context);
                assertArrayEquals(alone, java.util.Arrays.copyOfRange(word, Instruction.BYTES, 2 * Instruction.BYTES),
                        context);
                assertUnusedBitsAreZero(op, alone, context);
            }
        }
    }

    private static void assertUnusedBitsAreZero(Opcode op, byte[] word, String context) {
        BitSet used = new BitSet(Instruction.BITS);
        used.set(0, Opcode.OPCODE_BITS);
        op.fields().forEach(f -> used.set(f.lsb(), f.msb() + 1));
        BitSet set = BitSet.valueOf(word);
        set.andNot(used);
        assertTrue(set.isEmpty(), context + ": bits " + set + " lie outside every field but are set");
    }

    @Test
    void bitsOutsideTheFieldsAreIgnoredWhenDecoding() {
        byte[] word = new byte[Instruction.BYTES];
        java.util.Arrays.fill(word, (byte) 0xFF);
        word[0] = (byte) Opcode.ATTENTION.code();
        Instruction decoded = Instruction.decode(word, 0);
        assertEquals(Opcode.ATTENTION, decoded.opcode());
        assertEquals(15, decoded.get("src"));
        assertEquals(255, decoded.get("layer"));
        assertEquals(0xFFFF_FFFFL, decoded.get("score_scale"));
    }

    @Test
    void typedSettersAndGettersAgree() {
        Instruction linear = Instruction.of(Opcode.LINEAR).with("epilogue", Epilogue.GATE_UP).with("relu2", true)
                .with("src", OnChipBuffer.GATE).with("dst", OnChipBuffer.FFN).with("rows", 4096L)
                .with("scale", -0.0625f).with("weights", 0xFFFF_FFF0L);
        assertEquals(Epilogue.GATE_UP, linear.getEpilogue("epilogue"));
        assertTrue(linear.getFlag("relu2"));
        assertEquals(OnChipBuffer.GATE, linear.getBuffer("src"));
        assertEquals(4096, linear.getInt("rows"));
        assertEquals(-0.0625f, linear.getFloat("scale"));
        assertEquals(0xFFFF_FFF0L, linear.get("weights"));
        IllegalStateException tooWide = assertThrows(IllegalStateException.class, () -> linear.getInt("weights"));
        assertTrue(tooWide.getMessage().contains("LINEAR.weights"), tooWide.getMessage());
        assertEquals("LINEAR epilogue=GATE_UP relu2=1 src=GATE dst=FFN layer=0 rows=4096 cols=0 weights=0xfffffff0"
                + " scale=-0.0625", linear.toString());
    }

    @Test
    void outOfRangeValuesAndUnknownFieldsAreRefusedWithTheRange() {
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> Instruction.of(Opcode.LINEAR).with("rows", 65536L));
        assertEquals("LINEAR.rows holds 0..65535, got 65536", tooLarge.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Instruction.of(Opcode.SETUP).with("heads", -1L));
        assertEquals("SETUP.heads holds 0..255, got -1", negative.getMessage());
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> Instruction.of(Opcode.QUANTIZE).with("norm", 2L));
        assertEquals("QUANTIZE.norm holds 0..1, got 2", flag.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Instruction.of(Opcode.BARRIER).with("rows", 1L));
        assertEquals("BARRIER has no field 'rows'; it has []", unknown.getMessage());
    }

    @Test
    void anUnknownOpcodeIsRefusedWhenDecoding() {
        Set<Integer> known = new HashSet<>();
        for (Opcode op : Opcode.values()) {
            known.add(op.code());
        }
        for (int code = 0; code < 1 << Opcode.OPCODE_BITS; code++) {
            byte[] word = new byte[Instruction.BYTES];
            word[0] = (byte) code;
            if (known.contains(code)) {
                assertEquals(code, Instruction.decode(word, 0).opcode().code());
                continue;
            }
            int bad = code;
            UnknownOpcodeException e = assertThrows(UnknownOpcodeException.class, () -> Instruction.decode(word, 0));
            assertEquals(bad, e.code());
            assertTrue(e.getMessage().startsWith("unknown opcode " + bad + " (0x" + Integer.toHexString(bad) + ")"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("LINEAR=4"), e.getMessage());
        }
    }
}
