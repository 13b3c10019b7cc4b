package dev.tellmej.hdl.imports;

/**
 * A parameter or localparam of a Verilog module, as declared.
 *
 * @param name          its name
 * @param local         true for a localparam (or a body parameter of a module with a parameter port list):
 *                      it cannot be overridden
 * @param type          its declared type as written ({@code integer}, {@code [7:0]}, ...), empty when implicit
 * @param defaultValue  its default expression, or null when it has none
 * @param typeParameter true for a {@code parameter type}: its default is a type, which the importer does not
 *                      evaluate
 * @param location      where it is declared
 */
public record VerilogParameter(String name, boolean local, String type, ConstantExpression defaultValue,
                               boolean typeParameter, VerilogLocation location) {}
