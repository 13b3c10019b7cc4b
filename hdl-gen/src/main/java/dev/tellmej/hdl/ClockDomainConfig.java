package dev.tellmej.hdl;

/**
 * How modules name and use their implicit clock domain: the ports a module gets when it makes its first
 * register, memory or clocked child.
 *
 * @param clockName the clock input's name ({@code clk})
 * @param resetName the reset input's name, or null for registers without reset
 * @param kind      synchronous or asynchronous reset
 * @param level     the reset's active level
 */
public record ClockDomainConfig(String clockName, String resetName, ResetKind kind, ActiveLevel level) {
    /** {@code clk} and an active-high synchronous {@code reset}. */
    public static final ClockDomainConfig DEFAULT =
            new ClockDomainConfig("clk", "reset", ResetKind.SYNC, ActiveLevel.HIGH);

    /** A Vitis RTL kernel's {@code ap_clk} and active-low synchronous {@code ap_rst_n}. */
    public static final ClockDomainConfig VITIS_KERNEL =
            new ClockDomainConfig("ap_clk", "ap_rst_n", ResetKind.SYNC, ActiveLevel.LOW);
}
