package dev.tellmej.accel.protocol;

/**
 * The {@code ap_ctrl_hs} block at {@code 0x00 .. 0x0F} of {@code s_axi_control}, laid out as Vitis expects of
 * every kernel (XRT drives it) and as {@link dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank} implements it. The
 * kernel's own registers ({@link KernelRegister}) start at {@code 0x10}.
 *
 * <p>The register bank implements all four. {@link #GIE} bit 0 enables the bank's {@code interrupt} output;
 * {@link #IER} chooses which events ({@link #INTERRUPT_DONE_BIT}, {@link #INTERRUPT_READY_BIT}) set {@link #ISR};
 * writing 1 to an ISR bit toggles it (a host clears the bits it handled by writing back what it read), and an
 * event in the cycle of that write wins. {@code interrupt} is GIE and any ISR bit. Only byte 0 of GIE, IER and
 * ISR holds bits. The bank's {@code interrupt} drives the kernel's {@code interrupt} port: a host may wait for
 * it or poll {@code ap_done}.
 */
public enum ControlRegister {
    /** Control: bit 0 ap_start, 1 ap_done, 2 ap_idle, 3 ap_ready. */
    CTRL(0x00, "control: ap_start (host writes 1), ap_done and ap_ready (cleared when read), ap_idle"),
    /** Global interrupt enable: bit 0. */
    GIE(0x04, "global interrupt enable: bit 0"),
    /** Interrupt enable: bit 0 ap_done, bit 1 ap_ready. */
    IER(0x08, "interrupt enable: bit 0 ap_done, bit 1 ap_ready"),
    /** Interrupt status: bit 0 ap_done, bit 1 ap_ready; writing a 1 toggles the bit. */
    ISR(0x0C, "interrupt status: bit 0 ap_done, bit 1 ap_ready (writing 1 toggles)");

    /** Bit of {@link #CTRL}: the host writes 1 to start a call; it clears when the kernel takes the call. */
    public static final int AP_START_BIT = 0;
    /** Bit of {@link #CTRL}: the call is done; cleared when the host reads the register. */
    public static final int AP_DONE_BIT = 1;
    /** Bit of {@link #CTRL}: the kernel is not running a call. */
    public static final int AP_IDLE_BIT = 2;
    /** Bit of {@link #CTRL}: the kernel took its arguments; cleared when the host reads the register. */
    public static final int AP_READY_BIT = 3;
    /** Bit of {@link #IER} and {@link #ISR}: ap_done. */
    public static final int INTERRUPT_DONE_BIT = 0;
    /** Bit of {@link #IER} and {@link #ISR}: ap_ready. */
    public static final int INTERRUPT_READY_BIT = 1;

    private final int offset;
    private final String meaning;

    ControlRegister(int offset, String meaning) {
        this.offset = offset;
        this.meaning = meaning;
    }

    /** Byte offset in {@code s_axi_control}. */
    public int offset() {
        return offset;
    }

    /** What it holds. */
    public String meaning() {
        return meaning;
    }
}
