package dev.tellmej.accel.tlmm;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.Stream;

/**
 * Computes a {@link TlmmEngine}'s command in hardware: what {@link TlmmLayout#command} computes in Java, from a
 * LINEAR instruction's rows and cols, the weight image's address and the tokens (docs/tlmm.md, "The command
 * unit").
 *
 * <p>A {@link #request} (rows, cols: 16 bits each; address: 64 bits; tokens: 16 bits) gives one {@link #answer}:
 * either {@code refused} low and the {@link TlmmEngine.Command} equal, field for field, to
 * {@code new TlmmLayout(config, rows, cols).command(address, tokens)}, or {@code refused} high exactly where that
 * expression throws: rows or cols 0, more blocks of 3T inputs than the engine holds or than half a weight-buffer
 * bank, no tokens, or an address that is not 4 KB aligned (the command fields are then meaningless). One request
 * is taken at a time: {@link #request} is ready only while the unit is idle, and the answer stays valid until it
 * is taken.
 *
 * <p>The unit is a state machine ({@link LayoutSequencer}) over a shared restoring divider ({@link SerialDivider},
 * one quotient bit per cycle) for the run-time divisions and divisions by constants, four shift-and-add products
 * ({@link TileProducts}) for the tiles' words and bytes, and constant multiplications by shifted copies
 * ({@link RowGroupSizes}); it has no multiplier. {@link #latency} gives its cycles. Named
 * {@code TlmmCommandUnit_<configuration>}.
 */
public final class TlmmCommandUnit extends Module {
    /**
     * A matrix to multiply.
     *
     * @param rows    outputs (N), 16 bits
     * @param cols    inputs (K), 16 bits
     * @param address byte address of the weight image in DDR, 64 bits
     * @param tokens  activation vectors, 16 bits
     */
    public record Request(UInt rows, UInt cols, UInt address, UInt tokens) {}

    /**
     * The engine's command for a request, or its refusal. {@code command} comes first, so the answer's low bits
     * are the engine's command payload ({@link TlmmCommand#payload()}) and {@code refused} is the bit above it.
     */
    public record Answer(TlmmEngine.Command command, Bool refused) {}

    /** Cycles from a refused request's transfer to its answer's valid. */
    public static final int REFUSAL_LATENCY = 2;

    public final Stream<Request> request;
    public final Stream<Answer> answer;
    private final CommandUnitSizes sizes;

    /** The request port's fields and widths. */
    public static Request requestShape() {
        return new Request(uint(CommandUnitSizes.SHAPE_BITS), uint(CommandUnitSizes.SHAPE_BITS), uint(64),
                uint(widthOf(TlmmEngine.commandShape().tokens())));
    }

    /** The answer port's fields and widths. */
    public static Answer answerShape() {
        return new Answer(TlmmEngine.commandShape(), bool());
    }

    /**
     * @throws dev.tellmej.hdl.check.InvalidParameterException when the engine's largest tile needs more than the
     *                                                          command's 32-bit fields
     */
    public TlmmCommandUnit(TlmmConfig config) {
        sizes = CommandUnitSizes.of(config);
        baseName("TlmmCommandUnit_" + config.name().replace('-', '_'));
        request = in("request", Stream.of(requestShape()));
        answer = out("answer", Stream.of(answerShape()));

        SerialDivider divider = area(new SerialDivider(sizes.dividendBits(), sizes.divisorBits(), sizes.maxSteps()));
        TileProducts products = area(new TileProducts(sizes));
        LayoutSequencer layout = area(new LayoutSequencer(sizes, request, answer, divider, products));
        RowGroupSizes perGroup = area(new RowGroupSizes(sizes, layout.blocks, layout.lastClass));
        products.fullGroups.set(layout.tileGroups);
        products.lastGroups.set(layout.lastTileGroups);
        products.groupWords.set(perGroup.words);
        products.groupBytes.set(perGroup.bytes);
    }

    /** The configuration this unit was built for. */
    public TlmmConfig config() {
        return sizes.config();
    }

    /**
     * Cycles from the transfer of a request the unit accepts, of {@code cols} inputs, to the first cycle its
     * answer is valid: a cycle to take it, one to check it, then each division's quotient bits plus two (its
     * launch and the cycle that stores its result), and the products' bits plus two. Only the row's blocks
     * matter: rows of more than halfDepth / maxGroups blocks need one more division.
     *
     * @throws IllegalArgumentException when the unit refuses {@code cols} (see {@link #REFUSAL_LATENCY})
     */
    public int latency(int cols) {
        if (cols < 1 || cols > sizes.maxCols()) {
            throw new IllegalArgumentException(cols + " inputs are refused by " + config().name() + " (1 .. "
                    + sizes.maxCols() + ")");
        }
        int blocks = (cols + config().blockInputs() - 1) / config().blockInputs();
        int cycles = 2 + (sizes.blocksSteps() + 2) + (sizes.groupsSteps() + 2) + (sizes.tilesSteps() + 2)
                + (sizes.tileGroupsSteps() + 2) + (sizes.groupBits() + 2);
        return sizes.dividesPerTile(blocks) ? cycles + sizes.perTileSteps() + 2 : cycles;
    }
}
