package dev.tellmej.hdl.imports;

import java.util.List;

/**
 * A port of a Verilog module, as declared (in the header, or for a non-ANSI header in the body).
 *
 * @param name      its name
 * @param direction its direction
 * @param dataType  its type keyword as written ({@code wire}, {@code reg}, {@code logic}, {@code integer},
 *                  {@code wire logic}, ...), empty when implicit
 * @param signed    declared {@code signed} (or of a signed integer type such as {@code integer})
 * @param packed    its packed ranges, outermost first (empty for a scalar or an integer type)
 * @param location  where its name is declared
 */
public record VerilogPort(String name, PortDirection direction, String dataType, boolean signed,
                          List<PackedRange> packed, VerilogLocation location) {
    public VerilogPort {
        packed = List.copyOf(packed);
    }

    /** The width as written: the packed ranges ({@code [W-1:0]}), the integer type, or empty for one bit. */
    public String widthExpression() {
        if (!packed.isEmpty()) {
            return String.join("", packed.stream().map(PackedRange::toString).toList());
        }
        return IntegerTypes.width(dataType) > 0 ? IntegerTypes.keyword(dataType) : "";
    }
}
