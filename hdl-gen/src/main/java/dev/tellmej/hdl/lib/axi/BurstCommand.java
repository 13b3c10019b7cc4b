package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.uint;

import dev.tellmej.hdl.UInt;

/**
 * A transfer for an {@link AxiBurstReader} or {@link AxiBurstWriter}: {@code beats} full-width beats from the
 * byte address {@code address}. The address's bits below a beat are ignored (the engines move whole,
 * bus-aligned beats; a writer masks bytes with its strobes). A command of 0 beats is accepted and does
 * nothing.
 *
 * @param address the first byte, {@link Axi4Config#addressWidth()} bits
 * @param beats   full-width beats, {@link AxiBurstConfig#lengthBits()} bits
 */
public record BurstCommand(UInt address, UInt beats) {
    /** The template of a command for these parameters. */
    public static BurstCommand shape(AxiBurstConfig config) {
        return new BurstCommand(uint(config.axi().addressWidth()), uint(config.lengthBits()));
    }
}
