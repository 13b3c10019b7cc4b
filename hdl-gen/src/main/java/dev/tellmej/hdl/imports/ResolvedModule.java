package dev.tellmej.hdl.imports;

import java.util.List;

/**
 * A Verilog module's interface for one set of parameter values: every parameter's value and every port's
 * width, evaluated.
 *
 * @param module     the module as declared
 * @param parameters its parameters, in declaration order
 * @param ports      its ports, in port-list order
 */
public record ResolvedModule(VerilogModule module, List<Parameter> parameters, List<Port> ports) {
    public ResolvedModule {
        parameters = List.copyOf(parameters);
        ports = List.copyOf(ports);
    }

    /** The module's name. */
    public String name() {
        return module.name();
    }

    /**
     * A parameter and its value.
     *
     * @param declaration the declaration
     * @param value       its value, or null when it does not evaluate (see {@code problem})
     * @param overridden  true when the value was given in place of the default
     * @param problem     why it has no value, or null
     */
    public record Parameter(VerilogParameter declaration, ConstantValue value, boolean overridden, String problem) {
        public String name() {
            return declaration.name();
        }
    }

    /**
     * A port and its width.
     *
     * @param declaration the declaration
     * @param width       its width in bits
     * @param signed      declared signed
     */
    public record Port(VerilogPort declaration, int width, boolean signed) {
        public String name() {
            return declaration.name();
        }

        public PortDirection direction() {
            return declaration.direction();
        }

        /** True for a one-bit port without a packed range (a Verilog scalar): the HDL's {@code Bool}. */
        public boolean scalar() {
            return declaration.packed().isEmpty() && IntegerTypes.width(declaration.dataType()) == 0;
        }
    }
}
