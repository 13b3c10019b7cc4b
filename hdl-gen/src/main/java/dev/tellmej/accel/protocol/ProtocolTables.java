package dev.tellmej.accel.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown tables of docs/device.md, made from the same descriptions as {@code tellme.h} and
 * {@code kernel.xml}: the kernel's ports and register map, the opcodes and their fields, the buffer,
 * epilogue and error-code ids, and the call record. A test compares them with the document.
 */
public final class ProtocolTables {
    private ProtocolTables() {}

    /** Every table, by the name docs/device.md marks it with and in its order, for the kernel of one build. */
    public static Map<String, String> of(KernelInterface kernel) {
        Map<String, String> tables = new LinkedHashMap<>();
        tables.put("ports", ports(kernel));
        tables.put("registers", registers(kernel));
        tables.put("error-codes", errorCodes());
        tables.put("opcodes", opcodes());
        tables.put("fields", fields());
        tables.put("buffers", buffers());
        tables.put("epilogues", epilogues());
        tables.put("call-record", callRecord());
        tables.put("debug-area", debugArea());
        tables.put("debug-records", debugRecords());
        return tables;
    }

    /** The control port and every AXI4 master port. */
    public static String ports(KernelInterface kernel) {
        Table t = new Table("port", "data bits", "carries");
        t.row("`" + KernelXmlWriter.CONTROL_PORT + "`", "32", "AXI4-Lite slave: the register map, "
                + KernelInterface.controlBytes() + " bytes");
        for (AxiMasterPort p : kernel.ports()) {
            t.row("`" + p.name() + "`", Integer.toString(p.dataBits()), "AXI4 master, 64-bit addresses: " + p.carries());
        }
        return t.text();
    }

    /** The {@code s_axi_control} register map, control block included. */
    public static String registers(KernelInterface kernel) {
        Table t = new Table("offset", "register", "bits", "written by", "meaning");
        for (ControlRegister r : ControlRegister.values()) {
            t.row(hex(r.offset()), "`" + r.name().toLowerCase(Locale.ROOT) + "`", "32", "host and kernel", r.meaning());
        }
        for (KernelRegister r : kernel.registers()) {
            String who = switch (r.role()) {
                case SCALAR -> "host (argument)";
                case POINTER -> "host (pointer, `" + r.port() + "`)";
                case STATUS -> "kernel";
            };
            t.row(hex(r.offset()), "`" + r.name() + "`", Integer.toString(r.width()), who, r.meaning());
        }
        return t.text();
    }

    /** Every opcode. */
    public static String opcodes() {
        Table t = new Table("code", "opcode", "what it does");
        for (Opcode op : Opcode.values()) {
            t.row(Integer.toString(op.code()), "`" + op.name() + "`", op.meaning());
        }
        return t.text();
    }

    /** Every field of every opcode, in bit order. */
    public static String fields() {
        Table t = new Table("opcode", "field", "bits", "kind", "meaning");
        for (Opcode op : Opcode.values()) {
            for (Field f : op.fields()) {
                String bits = f.width() == 1 ? "[" + f.lsb() + "]" : "[" + f.msb() + ":" + f.lsb() + "]";
                t.row("`" + op.name() + "`", "`" + f.name() + "`", bits, f.kind().name().toLowerCase(Locale.ROOT),
                        f.meaning());
            }
        }
        return t.text();
    }

    /** The on-chip buffer ids. */
    public static String buffers() {
        Table t = new Table("id", "buffer", "holds");
        for (OnChipBuffer b : OnChipBuffer.values()) {
            t.row(Integer.toString(b.id()), "`" + b.name() + "`", b.meaning());
        }
        return t.text();
    }

    /** The epilogue ids. */
    public static String epilogues() {
        Table t = new Table("id", "epilogue", "computes");
        for (Epilogue e : Epilogue.values()) {
            t.row(Integer.toString(e.id()), "`" + e.name() + "`", e.meaning());
        }
        return t.text();
    }

    /** The error codes and what {@code error_detail} holds with each. */
    public static String errorCodes() {
        Table t = new Table("code", "error", "meaning", "error_detail");
        for (ErrorCode e : ErrorCode.values()) {
            t.row(Integer.toString(e.code()), "`" + e.name() + "`", e.meaning(), e.detail());
        }
        return t.text();
    }

    /** The call record at offset 0 of the I/O region. */
    public static String callRecord() {
        Table t = new Table("offset", "field", "type", "meaning");
        for (IoRegion.RecordField f : IoRegion.recordFields()) {
            t.row(Integer.toString(f.offset()), "`" + f.name() + "`", f.bytes() == 8 ? "uint64" : "uint32", f.meaning());
        }
        return t.text();
    }

    /** The debug area's header, then a record's header: uint32 fields. */
    public static String debugArea() {
        Table t = new Table("offset", "field", "written by", "meaning");
        for (DebugTaps.HeaderField f : DebugTaps.areaFields()) {
            t.row(Integer.toString(f.offset()), "`" + f.name() + "`", f.writer(), f.meaning());
        }
        t.row(Integer.toString(DebugTaps.HEADER_BYTES), "records", "kernel", "back to back, in execution order");
        return t.text();
    }

    /** A record's header fields and what each opcode's record holds. */
    public static String debugRecords() {
        Table t = new Table("offset", "field", "meaning");
        for (DebugTaps.HeaderField f : DebugTaps.recordFields()) {
            t.row(Integer.toString(f.offset()), "`" + f.name() + "`", f.meaning());
        }
        t.row(Integer.toString(DebugTaps.RECORD_HEADER_BYTES), "values", "tokens x elements binary32, token-major,"
                + " then 0 bytes to a multiple of " + DebugTaps.ALIGN);
        Table o = new Table("opcode", "record per token");
        for (Opcode op : Opcode.values()) {
            String tap = DebugTaps.tap(op);
            o.row("`" + op.name() + "`", tap == null ? "none" : tap);
        }
        return t.text() + "\n" + o.text();
    }

    private static String hex(int offset) {
        return String.format(Locale.ROOT, "0x%02X", offset);
    }

    /** A Markdown table: a header row, a rule, then one row per {@link #row}. */
    private static final class Table {
        private final StringBuilder text = new StringBuilder();
        private final int columns;

        Table(String... header) {
            columns = header.length;
            line(List.of(header));
            text.append("|---".repeat(columns)).append("|\n");
        }

        void row(String... cells) {
            if (cells.length != columns) {
                throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns);
            }
            line(List.of(cells));
        }

        private void line(List<String> cells) {
            for (String cell : cells) {
                text.append("| ").append(cell.replace("|", "\\|")).append(' ');
            }
            text.append("|\n");
        }

        String text() {
            return text.toString();
        }
    }
}
