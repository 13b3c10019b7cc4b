package dev.tellmej.hdl.imports;

import java.util.Map;

/** The fixed-width integer types of Verilog and SystemVerilog: width and default signedness. */
final class IntegerTypes {
    private record Type(int width, boolean signed) {}

    private static final Map<String, Type> TYPES = Map.of("integer", new Type(32, true), "int", new Type(32, true),
            "shortint", new Type(16, true), "longint", new Type(64, true), "byte", new Type(8, true),
            "time", new Type(64, false));

    private IntegerTypes() {}

    /** The integer type keyword in a data type as written ({@code var int} gives {@code int}), or null. */
    static String keyword(String dataType) {
        for (String word : dataType.split(" ")) {
            if (TYPES.containsKey(word)) {
                return word;
            }
        }
        return null;
    }

    /** Bits of the integer type named in {@code dataType}, or 0 when it names none. */
    static int width(String dataType) {
        String keyword = keyword(dataType);
        return keyword == null ? 0 : TYPES.get(keyword).width();
    }

    /** Whether that integer type is signed unless declared {@code unsigned}. */
    static boolean signedByDefault(String dataType) {
        String keyword = keyword(dataType);
        return keyword != null && TYPES.get(keyword).signed();
    }
}
