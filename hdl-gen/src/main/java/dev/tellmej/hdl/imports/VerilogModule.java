package dev.tellmej.hdl.imports;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Verilog module's interface as declared: its parameters and ports with their expressions unevaluated.
 * {@link #resolve(Map)} evaluates them for given parameter values.
 *
 * @param name       the module's name
 * @param location   where its {@code module} keyword is
 * @param ansi       true for an ANSI header (ports declared in the port list), false for a non-ANSI one
 * @param parameters its parameters and localparams in declaration order (header, then body)
 * @param ports      its ports in the order of the port list
 */
public record VerilogModule(String name, VerilogLocation location, boolean ansi, List<VerilogParameter> parameters,
                            List<VerilogPort> ports) {
    public VerilogModule {
        parameters = List.copyOf(parameters);
        ports = List.copyOf(ports);
    }

    /** The parameter called {@code name}, or an {@link UnknownVerilogNameException} listing the others. */
    public VerilogParameter parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new UnknownVerilogNameException(location, "module " + this.name + " has no parameter '" + name + "'"
                        + names(parameters.stream().map(VerilogParameter::name).toList())));
    }

    /** The port called {@code name}, or an {@link UnknownVerilogNameException} listing the others. */
    public VerilogPort port(String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new UnknownVerilogNameException(location, "module " + this.name + " has no port '" + name + "'"
                        + names(ports.stream().map(VerilogPort::name).toList())));
    }

    /** The module with its default parameter values. */
    public ResolvedModule resolve() {
        return resolve(Map.of());
    }

    /**
     * Evaluates every parameter and every port's width, with {@code overrides} in place of the defaults of
     * the parameters they name. A parameter whose value does not evaluate (a real number, a function call) is
     * an error only when a port's width needs it.
     *
     * @param overrides parameter name -> value; each must name a parameter that is not local
     * @throws UnknownVerilogNameException for an override of a parameter the module does not have, or of a
     *                                     localparam
     * @throws VerilogEvaluationException  when a port's width does not evaluate (the message names the port,
     *                                     the range and the parameter it could not evaluate)
     */
    public ResolvedModule resolve(Map<String, ConstantValue> overrides) {
        for (String overridden : overrides.keySet()) {
            VerilogParameter parameter = parameter(overridden);
            if (parameter.local()) {
                throw new UnknownVerilogNameException(parameter.location(), "'" + overridden + "' of module " + name
                        + " is a localparam; only parameters can be overridden"
                        + names(parameters.stream().filter(p -> !p.local()).map(VerilogParameter::name).toList()));
            }
            if (parameter.typeParameter()) {
                throw new UnsupportedVerilogException(parameter.location(), "'" + overridden + "' of module " + name
                        + " is a type parameter, which the importer cannot override");
            }
        }
        Values values = new Values(overrides);
        List<ResolvedModule.Parameter> resolvedParameters = new ArrayList<>();
        for (VerilogParameter parameter : parameters) {
            ConstantValue value = null;
            String problem = null;
            try {
                value = values.value(parameter.name(), parameter.location());
            } catch (VerilogEvaluationException | UnsupportedVerilogException e) {
                problem = e.detail();
            }
            resolvedParameters.add(new ResolvedModule.Parameter(parameter, value, overrides.containsKey(parameter.name()),
                    problem));
        }
        List<ResolvedModule.Port> resolvedPorts = new ArrayList<>();
        for (VerilogPort port : ports) {
            resolvedPorts.add(new ResolvedModule.Port(port, width(port, values), port.signed()));
        }
        return new ResolvedModule(this, resolvedParameters, resolvedPorts);
    }

    private int width(VerilogPort port, Values values) {
        if (port.packed().isEmpty()) {
            return Math.max(1, IntegerTypes.width(port.dataType()));
        }
        long width = 1;
        for (PackedRange range : port.packed()) {
            BigInteger msb = bound(port, range, range.msb(), values);
            BigInteger lsb = bound(port, range, range.lsb(), values);
            width *= msb.subtract(lsb).abs().longValueExact() + 1;
            if (width > 1 << 24) {
                throw new VerilogEvaluationException(port.location(), "port '" + port.name() + "' " + port
                        .widthExpression() + " is " + width + " bits or more wide, more than the importer accepts");
            }
        }
        return (int) width;
    }

    private BigInteger bound(VerilogPort port, PackedRange range, ConstantExpression bound, Values values) {
        try {
            ConstantValue value = new ConstantEvaluator(values::value).evaluate(bound);
            if (value.isString() || value.integer().bitLength() > 31) {
                throw new VerilogEvaluationException(bound.location(), "'" + bound.text() + "' is " + value
                        + ", not a bit index");
            }
            return value.integer();
        } catch (VerilogEvaluationException e) {
            throw new VerilogEvaluationException(e.location(), "port '" + port.name() + "' " + range + ": "
                    + e.detail());
        }
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "; it has none" : "; it has " + String.join(", ", names);
    }

    /** Parameter values, evaluated on first use (a default may use the parameters declared before it). */
    private final class Values {
        private final Map<String, ConstantValue> overrides;
        private final Map<String, ConstantValue> known = new HashMap<>();
        private final Set<String> evaluating = new LinkedHashSet<>();

        Values(Map<String, ConstantValue> overrides) {
            this.overrides = overrides;
        }

        ConstantValue value(String parameterName, VerilogLocation where) {
            ConstantValue cached = known.get(parameterName);
            if (cached != null) {
                return cached;
            }
            if (overrides.containsKey(parameterName)) {
                return overrides.get(parameterName);
            }
            VerilogParameter parameter = parameters.stream().filter(p -> p.name().equals(parameterName)).findFirst()
                    .orElseThrow(() -> new VerilogEvaluationException(where, "unknown parameter '" + parameterName
                            + "' (module " + name + " declares " + (parameters.isEmpty() ? "none"
                            : String.join(", ", parameters.stream().map(VerilogParameter::name).toList())) + ")"));
            if (parameter.typeParameter()) {
                throw new VerilogEvaluationException(where, "'" + parameterName + "' is a type parameter, not a value");
            }
            if (parameter.defaultValue() == null) {
                throw new VerilogEvaluationException(where, "parameter '" + parameterName + "' has no default value;"
                        + " give it one with an override");
            }
            if (!evaluating.add(parameterName)) {
                throw new VerilogEvaluationException(where, "parameter '" + parameterName + "' depends on itself ("
                        + String.join(" -> ", evaluating) + " -> " + parameterName + ")");
            }
            try {
                ConstantValue value = new ConstantEvaluator(this::value).evaluate(parameter.defaultValue());
                known.put(parameterName, value);
                return value;
            } catch (VerilogEvaluationException e) {
                if (e.detail().startsWith("parameter '")) {
                    throw e;
                }
                throw new VerilogEvaluationException(e.location(), "parameter '" + parameterName + "' = "
                        + parameter.defaultValue().text() + " does not evaluate: " + e.detail());
            } finally {
                evaluating.remove(parameterName);
            }
        }
    }
}
