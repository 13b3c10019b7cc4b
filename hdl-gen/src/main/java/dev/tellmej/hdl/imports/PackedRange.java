package dev.tellmej.hdl.imports;

/**
 * A packed range {@code [msb:lsb]} of a port.
 *
 * @param msb the left bound
 * @param lsb the right bound
 */
public record PackedRange(ConstantExpression msb, ConstantExpression lsb) {
    @Override
    public String toString() {
        return "[" + msb.text() + ":" + lsb.text() + "]";
    }
}
