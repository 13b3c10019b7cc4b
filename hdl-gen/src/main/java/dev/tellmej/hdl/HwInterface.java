package dev.tellmej.hdl;

import java.util.List;

/**
 * A group of signals with directions, such as a stream (valid and payload one way, ready the other).
 * Declaring one with {@link Module#out} (master) makes its unflipped members outputs and its flipped
 * members inputs; {@link Module#in} (slave) does the opposite; {@link Hdl#wire} makes every member a wire.
 *
 * <p>Plain data layouts are Java records instead: their components are flattened in declaration order and
 * have no direction of their own.
 */
public interface HwInterface {
    /**
     * One member of an interface.
     *
     * @param name    the member's name, appended to the interface's name ({@code in_valid})
     * @param value   a {@link Data}, record, {@link Vec} or nested interface
     * @param flipped true when the member flows from slave to master (a stream's {@code ready})
     */
    record Member(String name, Object value, boolean flipped) {}

    /** The members, in the order they appear in port lists. */
    List<Member> members();

    /** A copy of this interface holding {@code values} (same order and shapes as {@link #members()}). */
    HwInterface withMembers(List<Object> values);
}
