package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.ArrayList;
import java.util.List;

/**
 * The registers of an {@link Axi4LiteRegisterBank}: each at a 4-byte aligned offset, 1 to 64 bits wide
 * (above 32 bits it takes two words, low word first, as Vitis passes 64-bit pointers).
 *
 * <pre>{@code
 * RegisterMap map = RegisterMap.builder(6)
 *         .control()                      // ap_ctrl_hs at 0x00
 *         .readWrite("src", 0x10, 64)
 *         .readWrite("length", 0x20, 32)
 *         .readOnly("cycles", 0x24, 32)
 *         .build();
 * }</pre>
 *
 * @param addressWidth address bits of the AXI4-Lite port (the bank spans {@code 2^addressWidth} bytes)
 * @param control      true for the {@code ap_ctrl_hs} control block: the control register at 0x00 (start,
 *                     done, idle, ready) and the interrupt registers GIE, IER and ISR at 0x04 to 0x0C
 * @param registers    the registers, in declaration order
 */
public record RegisterMap(int addressWidth, boolean control, List<Register> registers) {
    /** Offsets below this are the control block's when {@code control} is set. */
    public static final int CONTROL_SPAN = 0x10;

    /** Who writes a register: the AXI4-Lite master (the register drives an output) or the design (an input). */
    public enum Access {
        /** Written over AXI4-Lite, read back; drives an output port of the bank. */
        READ_WRITE,
        /** Driven by an input port of the bank; AXI4-Lite reads it, writes are ignored. */
        READ_ONLY
    }

    /**
     * One register.
     *
     * @param name   the port name of the bank it appears as
     * @param offset byte offset, a multiple of 4
     * @param width  bits, 1 to 64
     * @param access who writes it
     */
    public record Register(String name, int offset, int width, Access access) {
        /** 32-bit words it occupies. */
        public int words() {
            return (width + 31) / 32;
        }
    }

    public RegisterMap {
        registers = List.copyOf(registers);
        long span = 1L << addressWidth;
        List<long[]> used = new ArrayList<>();
        if (control) {
            used.add(new long[] {0, CONTROL_SPAN});
        }
        for (Register r : registers) {
            if (r.offset() % 4 != 0 || r.width() < 1 || r.width() > 64) {
                throw new InvalidParameterException(Locations.capture(), "register " + r.name()
                        + " needs a 4-byte aligned offset and 1..64 bits, got offset " + r.offset() + ", width "
                        + r.width());
            }
            long start = r.offset();
            long end = start + 4L * r.words();
            if (end > span) {
                throw new InvalidParameterException(Locations.capture(), "register " + r.name() + " at 0x"
                        + Integer.toHexString(r.offset()) + " lies outside the " + span + "-byte bank");
            }
            for (long[] range : used) {
                if (start < range[1] && range[0] < end) {
                    throw new InvalidParameterException(Locations.capture(), "register " + r.name() + " at 0x"
                            + Integer.toHexString(r.offset()) + " overlaps another register");
                }
            }
            used.add(new long[] {start, end});
        }
    }

    /** A map for an AXI4-Lite port of {@code addressWidth} address bits. */
    public static Builder builder(int addressWidth) {
        return new Builder(addressWidth);
    }

    /** Collects registers in declaration order. */
    public static final class Builder {
        private final int addressWidth;
        private boolean control;
        private final List<Register> registers = new ArrayList<>();

        private Builder(int addressWidth) {
            this.addressWidth = addressWidth;
        }

        /** Adds the {@code ap_ctrl_hs} control block at 0x00 to 0x0F (control and interrupt registers). */
        public Builder control() {
            control = true;
            return this;
        }

        /** A register the host writes and reads back. */
        public Builder readWrite(String name, int offset, int width) {
            registers.add(new Register(name, offset, width, Access.READ_WRITE));
            return this;
        }

        /** A register the design drives and the host reads. */
        public Builder readOnly(String name, int offset, int width) {
            registers.add(new Register(name, offset, width, Access.READ_ONLY));
            return this;
        }

        public RegisterMap build() {
            return new RegisterMap(addressWidth, control, registers);
        }
    }
}
