package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.assertAlways;
import static dev.tellmej.hdl.Hdl.uint;
import static dev.tellmej.hdl.Hdl.widthOf;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.ElaborationHelper;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

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

    /**
     * Drives an engine's {@code command} for a client that offers a command only while the engine's command stage
     * is empty ({@code commandFree}, a register), so that a command is taken at the edge it is offered: the client
     * moves on its own offer, and the engine's ready (from its burst issue behind the stage) stays out of the
     * client's state (for timing), at the cost of a cycle between commands. Sets the command's valid and its payload
     * ({@code address} and {@code beats} resized to the engine's widths) and adds a simulation-only check that an
     * offered command is taken. The engines' {@code offer} methods call this.
     *
     * @param name    the offer's signal name in the client's module
     * @param wants   the client has a command to give: 1 bit
     * @param address the command's first byte, any width (resized to the engine's address)
     * @param beats   the command's length in full-width beats, any width (resized to the engine's length bits)
     * @param what    names the command in the check's message ("ChunkLoader: a chunk's command")
     * @return the offer, which is also the take: {@code wants} while the stage is empty, 1 bit
     */
    @ElaborationHelper
    static Bool offerWhenFree(Stream<BurstCommand> command, Bool commandFree, String name, Bool wants, UInt address,
            UInt beats, String what) {
        Bool offered = wants.and(commandFree).named(name);
        command.valid.set(offered);
        command.payload.address().set(address.resize(widthOf(command.payload.address())));
        command.payload.beats().set(beats.resize(widthOf(command.payload.beats())));
        assertAlways(offered.not().or(command.ready), what + " is taken when it is offered (the command stage was"
                + " free)");
        return offered;
    }
}
