package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.imports.ConstantValue;
import dev.tellmej.hdl.imports.PortDirection;
import dev.tellmej.hdl.imports.ResolvedModule;
import dev.tellmej.hdl.imports.UnsupportedVerilogException;
import dev.tellmej.hdl.imports.VerilogModule;
import dev.tellmej.hdl.imports.VerilogSource;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A black box whose ports and parameters are read from its Verilog file instead of declared by hand
 * ({@link BlackBox#importVerilog}). Its ports are the HDL's types with the widths evaluated for the
 * parameter values given: a scalar is a {@link Bool}, a vector a {@link UInt}, a {@code signed} vector (or
 * {@code integer}) an {@link SInt}. Read them by name with {@link #bool}, {@link #uint}, {@link #sint} or
 * {@link #port}; as for any child, the parent drives its inputs with {@code set} and the width check applies.
 * Only the parameters given to the builder are passed at the instance (the others keep the file's defaults),
 * and the file joins the design's file list.
 */
@ElaborationHelper
public final class ImportedBlackBox extends BlackBox {
    private final ResolvedModule verilog;
    private final Map<String, Data> ports = new LinkedHashMap<>();

    private ImportedBlackBox(Builder builder) {
        this(builder, connectable(builder.resolve()));
    }

    private ImportedBlackBox(Builder builder, ResolvedModule verilog) {
        this.verilog = verilog;
        definition(verilog.name());
        builder.overrides.forEach(this::verilogParameter);
        source(builder.file);
        for (ResolvedModule.Port port : verilog.ports()) {
            Object template = port.scalar() && !port.signed() ? Hdl.bool()
                    : port.signed() ? Hdl.sint(port.width()) : Hdl.uint(port.width());
            Data handle = (Data) (port.direction() == PortDirection.INPUT ? in(port.name(), template)
                    : out(port.name(), template));
            ports.put(port.name(), handle);
        }
    }

    /** Fails, before any hardware is made, for a port the HDL cannot connect. */
    private static ResolvedModule connectable(ResolvedModule verilog) {
        for (ResolvedModule.Port port : verilog.ports()) {
            if (port.direction() != PortDirection.INPUT && port.direction() != PortDirection.OUTPUT) {
                throw new UnsupportedVerilogException(port.declaration().location(), port.direction().keyword()
                        + " port '" + port.name() + "' of module " + verilog.name() + " cannot be connected: the HDL's"
                        + " ports are inputs and outputs only");
            }
        }
        return verilog;
    }

    /** The module's parameters and ports with the values and widths this black box was made with. */
    public ResolvedModule verilog() {
        return verilog;
    }

    /** Every port by its Verilog name, in port-list order. */
    public Map<String, Data> ports() {
        return Collections.unmodifiableMap(ports);
    }

    /** The port called {@code name}, of whatever type it has. */
    public Data port(String name) {
        Data port = ports.get(name);
        if (port == null) {
            verilog.module().port(name);   // throws, listing the ports there are
        }
        return port;
    }

    /** The scalar port called {@code name}. */
    public Bool bool(String name) {
        return typed(name, Bool.class, "bool");
    }

    /** The unsigned vector port called {@code name}. */
    public UInt uint(String name) {
        return typed(name, UInt.class, "uint");
    }

    /** The signed port called {@code name}. */
    public SInt sint(String name) {
        return typed(name, SInt.class, "sint");
    }

    private <T extends Data> T typed(String name, Class<T> type, String accessor) {
        Data port = port(name);
        if (!type.isInstance(port)) {
            String actual = port instanceof Bool ? "bool" : port instanceof SInt ? "sint" : "uint";
            throw new HdlUsageException("port '" + name + "' of " + verilog.name() + " is " + port + ", not a "
                    + type.getSimpleName() + ": read it with " + actual + "(\"" + name + "\") instead of " + accessor
                    + "(...)");
        }
        return type.cast(port);
    }

    /**
     * What to import: a module of a Verilog file, its parameter values and the macros to read it with.
     * {@link #build()} makes the black box (inside an elaboration, like any module).
     */
    public static final class Builder {
        private final Path file;
        private final String module;
        private final Map<String, String> defines = new LinkedHashMap<>();
        private final Map<String, Object> overrides = new LinkedHashMap<>();

        Builder(Path file, String module) {
            this.file = file;
            this.module = module;
        }

        /** Defines a macro before the file is read ({@code +define+NAME=VALUE}). */
        public Builder define(String name, String value) {
            defines.put(name, value);
            return this;
        }

        /** Overrides an integer parameter (its default is not used; widths follow). */
        public Builder parameter(String name, long value) {
            overrides.put(name, value);
            return this;
        }

        /** Overrides a string parameter. */
        public Builder parameter(String name, String value) {
            overrides.put(name, value);
            return this;
        }

        /** The module's parameters and ports for the values given so far, without making a black box. */
        public ResolvedModule resolve() {
            VerilogModule declared = VerilogSource.read(file, defines).module(module);
            Map<String, ConstantValue> values = new LinkedHashMap<>();
            overrides.forEach((name, value) -> values.put(name, value instanceof String s ? ConstantValue.ofString(s)
                    : ConstantValue.of(BigInteger.valueOf((Long) value))));
            return declared.resolve(values);
        }

        /** The black box, to be placed with {@code instance(name, ...)}. */
        public ImportedBlackBox build() {
            return new ImportedBlackBox(this);
        }
    }
}
