package dev.tellmej.eda.timing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mapped netlist as Yosys's {@code json} command writes it (see {@code yosys -h write_json}): per module its
 * ports, cells and named nets, bit by bit. Only what timing needs is kept: cell parameters other than the large
 * {@code INIT*} contents, the {@code src} attribute of cells and nets, and no attribute else.
 *
 * <p>A bit is a Yosys signal number, unique within its module and at least 2; the constants are {@link #ZERO}
 * ({@code "0"}), {@link #ONE} ({@code "1"}), {@link #UNDEFINED} ({@code "x"}) and {@link #FLOATING}
 * ({@code "z"}). The arrays of the records are the parser's own and must not be modified.
 *
 * @param creator the Yosys version line the file names
 * @param modules every module of the file, by name, in the file's order
 */
public record YosysNetlist(String creator, Map<String, Module> modules) {
    /** The constant bit {@code "0"}. */
    public static final int ZERO = 0;
    /** The constant bit {@code "1"}. */
    public static final int ONE = 1;
    /** The undefined bit {@code "x"}. */
    public static final int UNDEFINED = -1;
    /** The floating bit {@code "z"}. */
    public static final int FLOATING = -2;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Yosys writes parameters of 256 x 64 bits (BRAM contents) as one string each.
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    public YosysNetlist {
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
    }

    /** The direction of a port or of a cell's pin. */
    public enum Direction { INPUT, OUTPUT, INOUT }

    /**
     * A module port.
     *
     * @param name      its name
     * @param direction input, output or inout
     * @param bits      its bits, least significant first
     */
    public record Port(String name, Direction direction, int[] bits) {}

    /**
     * A cell: a primitive ({@code LUT6}, {@code FDRE}, {@code DSP48E2}, ...) or an instance of another module
     * of the netlist.
     *
     * @param name        its name in the module (an instance keeps its Verilog name)
     * @param type        the primitive or the module it instantiates
     * @param parameters  its parameters as Yosys wrote them (binary strings for numbers), without {@code INIT*}
     * @param directions  the direction of each pin, where Yosys knows it
     * @param connections the bits on each pin, least significant first
     * @param src         its {@code src} attribute ({@code file.v:line.col-line.col}, several joined by
     *                    {@code |}), or an empty string
     */
    public record Cell(String name, String type, Map<String, String> parameters, Map<String, Direction> directions,
            Map<String, int[]> connections, String src) {
        /** A numeric parameter: Yosys writes numbers as binary strings; absent or not binary gives {@code absent}. */
        public long number(String parameter, long absent) {
            String value = parameters.get(parameter);
            if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c == '0' || c == '1')
                    || value.length() > 62) {
                return absent;
            }
            return Long.parseLong(value, 2);
        }

        /** A text parameter ({@code "MULTIPLY"}, {@code "TRUE"}), or {@code absent}. */
        public String text(String parameter, String absent) {
            String value = parameters.get(parameter);
            return value == null ? absent : value.strip();
        }
    }

    /**
     * A named net of a module: a wire, register or port of the Verilog, or a name Yosys made up.
     *
     * @param name   its name
     * @param hidden true for names Yosys made up ({@code $abc$...}), false for the source's names
     * @param bits   its bits, least significant first
     * @param offset the index of its first bit ({@code reg [8:1] x} has offset 1)
     * @param upto   true when declared {@code [lsb:msb]}, so that bit {@code i} is {@code name[offset + width - 1 - i]}
     * @param src    its {@code src} attribute, or an empty string
     */
    public record NetName(String name, boolean hidden, int[] bits, int offset, boolean upto, String src) {
        /** The Verilog index of its {@code i}-th bit. */
        public int index(int i) {
            return upto ? offset + bits.length - 1 - i : offset + i;
        }
    }

    /**
     * One module.
     *
     * @param name     its name
     * @param top      true when Yosys marked it the top module
     * @param ports    its ports, by name, in the file's order
     * @param cells    its cells, in the file's order
     * @param netNames its named nets, in the file's order
     * @param src      its {@code src} attribute, or an empty string
     */
    public record Module(String name, boolean top, Map<String, Port> ports, List<Cell> cells, List<NetName> netNames,
            String src) {
        public Module {
            ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
            cells = List.copyOf(cells);
            netNames = List.copyOf(netNames);
        }
    }

    /** The module Yosys marked the top one, if one is. */
    public Optional<Module> top() {
        return modules.values().stream().filter(Module::top).findFirst();
    }

    /**
     * Reads a netlist Yosys wrote with {@code json -o FILE} or {@code write_json FILE}, streaming (a kernel's
     * netlist is hundreds of megabytes).
     *
     * @throws NetlistFormatException when the file is not such a netlist, with where it went wrong
     * @throws UncheckedIOException   when the file cannot be read
     */
    public static YosysNetlist read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Yosys netlist " + file, e);
        }
    }

    /** Reads a netlist from {@code in}; {@code origin} names it in error messages. */
    public static YosysNetlist read(InputStream in, String origin) {
        try (JsonParser parser = FACTORY.createParser(in)) {
            return new Reader(parser, origin).netlist();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new NetlistFormatException(origin, "is not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Yosys netlist " + origin, e);
        }
    }

    /** The streaming reader: one method per JSON object of the format. */
    private static final class Reader {
        private final JsonParser parser;
        private final String origin;
        /** One shared copy of each distinct pin-direction map: every LUT6 has the same. */
        private final Map<Map<String, Direction>, Map<String, Direction>> sharedDirections = new java.util.HashMap<>();

        Reader(JsonParser parser, String origin) {
            this.parser = parser;
            this.origin = origin;
        }

        YosysNetlist netlist() throws IOException {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "the netlist");
            String creator = "";
            Map<String, Module> modules = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "creator" -> creator = parser.getValueAsString("");
                    case "modules" -> {
                        expect(value, JsonToken.START_OBJECT, "\"modules\"");
                        modules = new LinkedHashMap<>();
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String name = parser.currentName();
                            expect(parser.nextToken(), JsonToken.START_OBJECT, "module " + name);
                            modules.put(name, module(name));
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (modules == null) {
                throw new NetlistFormatException(origin, "has no \"modules\" object; write it with Yosys's"
                        + " 'json -o FILE' after synthesis");
            }
            return new YosysNetlist(creator, modules);
        }

        private Module module(String name) throws IOException {
            Map<String, Port> ports = new LinkedHashMap<>();
            List<Cell> cells = new ArrayList<>();
            List<NetName> nets = new ArrayList<>();
            Map<String, String> attributes = Map.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "attributes" -> attributes = strings(value, "the attributes of module " + name, false);
                    case "ports" -> {
                        expect(value, JsonToken.START_OBJECT, "the ports of module " + name);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String port = parser.currentName();
                            parser.nextToken();
                            ports.put(port, port(name, port));
                        }
                    }
                    case "cells" -> {
                        expect(value, JsonToken.START_OBJECT, "the cells of module " + name);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String cell = parser.currentName();
                            parser.nextToken();
                            cells.add(cell(name, cell));
                        }
                    }
                    case "netnames" -> {
                        expect(value, JsonToken.START_OBJECT, "the net names of module " + name);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String net = parser.currentName();
                            parser.nextToken();
                            nets.add(netName(name, net));
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            boolean top = isTrue(attributes.get("top"));
            return new Module(name, top, ports, cells, nets, attributes.getOrDefault("src", ""));
        }

        private Port port(String module, String port) throws IOException {
            expect(parser.currentToken(), JsonToken.START_OBJECT, "port " + port + " of module " + module);
            Direction direction = null;
            int[] bits = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "direction" -> direction = direction(parser.getValueAsString(), "port " + port + " of module "
                            + module);
                    case "bits" -> bits = bits(value, "port " + port + " of module " + module);
                    default -> parser.skipChildren();
                }
            }
            if (direction == null || bits == null) {
                throw new NetlistFormatException(origin, "port " + port + " of module " + module
                        + " lacks its \"direction\" or \"bits\"");
            }
            return new Port(port, direction, bits);
        }

        private Cell cell(String module, String cell) throws IOException {
            String where = "cell " + cell + " of module " + module;
            expect(parser.currentToken(), JsonToken.START_OBJECT, where);
            String type = null;
            Map<String, String> parameters = Map.of();
            Map<String, String> attributes = Map.of();
            Map<String, Direction> directions = new LinkedHashMap<>();
            Map<String, int[]> connections = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "type" -> type = parser.getValueAsString();
                    case "parameters" -> parameters = strings(value, "the parameters of " + where, true);
                    case "attributes" -> attributes = strings(value, "the attributes of " + where, false);
                    case "port_directions" -> {
                        expect(value, JsonToken.START_OBJECT, "the port directions of " + where);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String pin = parser.currentName();
                            parser.nextToken();
                            directions.put(pin, direction(parser.getValueAsString(), "pin " + pin + " of " + where));
                        }
                    }
                    case "connections" -> {
                        expect(value, JsonToken.START_OBJECT, "the connections of " + where);
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String pin = parser.currentName();
                            connections.put(pin, bits(parser.nextToken(), "pin " + pin + " of " + where));
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (type == null) {
                throw new NetlistFormatException(origin, where + " has no \"type\"");
            }
            Map<String, Direction> shared = sharedDirections.computeIfAbsent(Collections.unmodifiableMap(directions),
                    d -> d);
            return new Cell(cell, type, parameters, shared, connections, attributes.getOrDefault("src", ""));
        }

        private NetName netName(String module, String net) throws IOException {
            String where = "net " + net + " of module " + module;
            expect(parser.currentToken(), JsonToken.START_OBJECT, where);
            boolean hidden = false;
            int[] bits = null;
            int offset = 0;
            boolean upto = false;
            String src = "";
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "hide_name" -> hidden = parser.getValueAsInt(0) != 0;
                    case "bits" -> bits = bits(value, where);
                    case "offset" -> offset = parser.getValueAsInt(0);
                    case "upto" -> upto = parser.getValueAsInt(0) != 0;
                    case "attributes" -> src = strings(value, "the attributes of " + where, false).getOrDefault("src", "");
                    default -> parser.skipChildren();
                }
            }
            if (bits == null) {
                throw new NetlistFormatException(origin, where + " has no \"bits\"");
            }
            return new NetName(net, hidden, bits, offset, upto, src);
        }

        /** An object of string (or number) values; {@code INIT*} entries dropped when {@code dropInit}. */
        private Map<String, String> strings(JsonToken value, String what, boolean dropInit) throws IOException {
            expect(value, JsonToken.START_OBJECT, what);
            Map<String, String> map = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                } else if (!(dropInit && key.startsWith("INIT"))) {
                    map.put(key, parser.getValueAsString(""));
                }
            }
            return map;
        }

        private int[] bits(JsonToken value, String what) throws IOException {
            expect(value, JsonToken.START_ARRAY, "the bits of " + what);
            int[] bits = new int[8];
            int n = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                int bit;
                if (token == JsonToken.VALUE_NUMBER_INT) {
                    bit = parser.getIntValue();
                    if (bit < 2) {
                        throw new NetlistFormatException(origin, "the bits of " + what + " hold signal number " + bit
                                + "; Yosys numbers signals from 2");
                    }
                } else if (token == JsonToken.VALUE_STRING) {
                    bit = switch (parser.getText()) {
                        case "0" -> ZERO;
                        case "1" -> ONE;
                        case "x" -> UNDEFINED;
                        case "z" -> FLOATING;
                        default -> throw new NetlistFormatException(origin, "the bits of " + what + " hold \""
                                + parser.getText() + "\"; a bit is a signal number or \"0\", \"1\", \"x\", \"z\"");
                    };
                } else {
                    throw new NetlistFormatException(origin, "the bits of " + what + " hold a " + token
                            + " at line " + parser.currentLocation().getLineNr());
                }
                if (n == bits.length) {
                    bits = java.util.Arrays.copyOf(bits, n * 2);
                }
                bits[n++] = bit;
            }
            return java.util.Arrays.copyOf(bits, n);
        }

        private Direction direction(String text, String what) {
            return switch (text == null ? "" : text) {
                case "input" -> Direction.INPUT;
                case "output" -> Direction.OUTPUT;
                case "inout" -> Direction.INOUT;
                default -> throw new NetlistFormatException(origin, what + " has direction \"" + text
                        + "\"; expected input, output or inout");
            };
        }

        private void expect(JsonToken token, JsonToken expected, String what) {
            if (token != expected) {
                throw new NetlistFormatException(origin, what + " should be a JSON "
                        + (expected == JsonToken.START_OBJECT ? "object" : "array") + " but is "
                        + (token == null ? "missing" : token.asString() == null ? token.name() : token.asString())
                        + " (line " + parser.currentLocation().getLineNr() + ")");
            }
        }

        private static boolean isTrue(String value) {
            return value != null && value.chars().anyMatch(c -> c == '1');
        }
    }
}
