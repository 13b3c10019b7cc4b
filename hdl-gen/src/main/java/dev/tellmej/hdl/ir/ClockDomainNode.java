package dev.tellmej.hdl.ir;

import dev.tellmej.hdl.ActiveLevel;
import dev.tellmej.hdl.ResetKind;

/**
 * A clock domain as seen inside one module: the clock input, the optional reset, and how the reset acts.
 *
 * @param name   a short name for messages ({@code "clk"})
 * @param clock  the clock signal (normally an input port of the module)
 * @param reset  the reset signal, or null for a domain without reset
 * @param kind   synchronous or asynchronous reset
 * @param level  the reset's active level
 */
public record ClockDomainNode(String name, Signal clock, Signal reset, ResetKind kind, ActiveLevel level) {}
