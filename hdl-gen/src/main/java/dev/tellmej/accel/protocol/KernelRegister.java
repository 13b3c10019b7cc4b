package dev.tellmej.accel.protocol;

/**
 * One register of the kernel's {@code s_axi_control} port beyond the {@code ap_ctrl_hs} block.
 *
 * @param name    lower-case name: the kernel argument's, the C macro's ({@code TELLME_REG_<NAME>}) and the
 *                register bank port's
 * @param offset  byte offset, a multiple of 8 (Vitis's stride for arguments)
 * @param width   32 or 64 bits (64-bit registers take two words, low word first)
 * @param role    who writes it and what it is
 * @param port    the AXI4 master port a pointer argument addresses through ({@code m_axi_d0}); empty otherwise
 * @param meaning what it holds, with its unit
 */
public record KernelRegister(String name, int offset, int width, Role role, String port, String meaning) {
    /** Who writes a register and what it is. */
    public enum Role {
        /** A scalar argument the host writes before a call. */
        SCALAR,
        /** A 64-bit device address the host writes: a kernel argument bound to an AXI4 master port. */
        POINTER,
        /** Written by the kernel at the end of a call; the host reads it. */
        STATUS;

        /** True for the registers that are kernel arguments (the host writes them). */
        public boolean isArgument() {
            return this != STATUS;
        }
    }

    public KernelRegister {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("register name '" + name + "' must be lower case letters, digits, '_'");
        }
        if (offset % 8 != 0 || (width != 32 && width != 64)) {
            throw new IllegalArgumentException("register " + name + " needs an 8-byte aligned offset and 32 or 64"
                    + " bits, got 0x" + Integer.toHexString(offset) + ", " + width);
        }
        if ((role == Role.POINTER) != !port.isEmpty() || role == Role.POINTER && width != 64) {
            throw new IllegalArgumentException("register " + name + ": pointers (and only pointers) name a port,"
                    + " and are 64 bits wide");
        }
    }
}
