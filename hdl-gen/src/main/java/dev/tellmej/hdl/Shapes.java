package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the shapes values can take (a {@link Data} leaf, a record, a {@link Vec}, an {@link HwInterface})
 * to flatten them into named leaves or to rebuild a copy with new leaves.
 */
final class Shapes {
    private Shapes() {}

    /** A leaf of a shape: its flattened name, its value, and whether it flows against the shape's direction. */
    record Leaf(String path, Data data, boolean flipped) {}

    /** Makes the leaf of a rebuilt shape from the template's leaf. */
    @FunctionalInterface
    interface LeafMaker {
        Data make(String path, Data templateLeaf, boolean flipped);
    }

    /** The leaves of {@code value} in declaration order, named {@code prefix_member_...}. */
    static List<Leaf> leaves(Object value, String prefix) {
        List<Leaf> out = new ArrayList<>();
        collect(value, prefix, false, out);
        return out;
    }

    private static void collect(Object value, String path, boolean flipped, List<Leaf> out) {
        switch (value) {
            case Data data -> out.add(new Leaf(path, data, flipped));
            case Vec<?> vec -> {
                for (int i = 0; i < vec.size(); i++) {
                    collect(vec.get(i), path + "_" + i, flipped, out);
                }
            }
            case HwInterface iface -> {
                for (HwInterface.Member member : iface.members()) {
                    collect(member.value(), join(path, member.name()), flipped ^ member.flipped(), out);
                }
            }
            case Record record -> {
                for (RecordComponent component : record.getClass().getRecordComponents()) {
                    collect(read(record, component), join(path, component.getName()), flipped, out);
                }
            }
            case null -> throw new HdlUsageException("null where hardware was expected at '" + path + "'");
            default -> throw unsupported(value, path);
        }
    }

    /** A copy of {@code template} whose leaves are made by {@code maker}. */
    @SuppressWarnings("unchecked")
    static <T> T rebuild(T template, String prefix, LeafMaker maker) {
        return (T) rebuild(template, prefix, false, maker);
    }

    private static Object rebuild(Object value, String path, boolean flipped, LeafMaker maker) {
        return switch (value) {
            case Data data -> maker.make(path, data, flipped);
            case Vec<?> vec -> {
                List<Object> elements = new ArrayList<>(vec.size());
                for (int i = 0; i < vec.size(); i++) {
                    elements.add(rebuild(vec.get(i), path + "_" + i, flipped, maker));
                }
                yield new Vec<>(elements);
            }
            case HwInterface iface -> {
                List<Object> members = new ArrayList<>();
                for (HwInterface.Member member : iface.members()) {
                    members.add(rebuild(member.value(), join(path, member.name()), flipped ^ member.flipped(), maker));
                }
                yield iface.withMembers(members);
            }
            case Record record -> {
                RecordComponent[] components = record.getClass().getRecordComponents();
                Object[] args = new Object[components.length];
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    args[i] = rebuild(read(record, components[i]), join(path, components[i].getName()), flipped, maker);
                    types[i] = components[i].getType();
                }
                yield construct(record.getClass(), types, args);
            }
            case null -> throw new HdlUsageException("null where hardware was expected at '" + path + "'");
            default -> throw unsupported(value, path);
        };
    }

    /**
     * Rebuilds {@code template} pairing its leaves, in order, with {@code a}'s and {@code b}'s
     * (which must have the same shape).
     */
    @SuppressWarnings("unchecked")
    static <T> T zip(T a, T b, java.util.function.BinaryOperator<Data> combine) {
        List<Leaf> left = leaves(a, "");
        List<Leaf> right = leaves(b, "");
        if (left.size() != right.size()) {
            throw new HdlUsageException("values have different shapes: " + left.size() + " and " + right.size() + " leaves");
        }
        int[] next = {0};
        return (T) rebuild(a, "", false, (path, leaf, flipped) -> {
            int i = next[0]++;
            return combine.apply(left.get(i).data(), right.get(i).data());
        });
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "_" + name;
    }

    private static Object read(Record record, RecordComponent component) {
        try {
            var accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new HdlUsageException("cannot read component " + component.getName() + " of "
                    + record.getClass().getName() + ": " + e);
        }
    }

    private static Object construct(Class<?> type, Class<?>[] parameterTypes, Object[] args) {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new HdlUsageException("cannot rebuild record " + type.getName() + ": " + cause);
        }
    }

    private static HdlUsageException unsupported(Object value, String path) {
        return new HdlUsageException("'" + path + "' is a " + value.getClass().getName()
                + "; hardware shapes are Data (Bool, Bits, UInt, SInt), records of them, Vec and HwInterface");
    }
}
