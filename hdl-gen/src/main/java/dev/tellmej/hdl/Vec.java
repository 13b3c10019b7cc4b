package dev.tellmej.hdl;

import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.ir.Expr;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A fixed-size vector of values of one shape. Declared ports and wires flatten to {@code name_0},
 * {@code name_1}, ...; element 0 is the least significant part of {@link Hdl#asBits}.
 *
 * @param <T> the element type (a Data, record, Vec or interface)
 */
public final class Vec<T> extends AbstractList<T> implements RandomAccess {
    private final List<T> elements;

    /** A vector of the given elements (at least one). */
    public Vec(List<T> elements) {
        if (elements.isEmpty()) {
            throw new IllegalArgumentException("a Vec needs at least one element");
        }
        this.elements = List.copyOf(elements);
    }

    @Override
    public T get(int index) {
        return elements.get(index);
    }

    @Override
    public int size() {
        return elements.size();
    }

    /**
     * The element selected at run time; indices past the end select the last element, and elements the
     * index is too narrow to reach are never selected.
     *
     * <p>With three or more elements the result is a combinational wire (a shape of wires for records and
     * vectors) assigned by a {@code case} on the index at the module's top level, also when called inside a
     * {@code when}; it is named after the elements ({@code partial_0}, {@code partial_1}, ... give
     * {@code partial_sel}, with {@code _2}, {@code _3} on a clash). Two elements give one multiplexer, a
     * constant index the element itself.
     */
    public T get(UInt index) {
        return select(null, index);
    }

    /**
     * As {@link #get(UInt)}, with the wire (or the prefix of a shape's wires) named {@code name}; a name
     * already used in the module is an error, as for {@link Hdl#wire}.
     */
    public T get(String name, UInt index) {
        if (name == null || name.isEmpty()) {
            throw new HdlUsageException("Vec.get(name, index) needs a non-empty name");
        }
        return select(name, index);
    }

    private T select(String name, UInt index) {
        int size = elements.size();
        if (size == 1) {
            return elements.getFirst();
        }
        // Index values 0 .. arms - 1 select their element, the others the last element.
        long values = 1L << Math.min(index.width(), 62);
        int arms = (int) Math.min(size - 1, values);
        if (index.node() instanceof Expr.Literal literal) {
            BigInteger value = literal.value();
            return value.compareTo(BigInteger.valueOf(arms)) < 0 ? elements.get(value.intValue()) : elements.getLast();
        }
        T otherwise = elements.getLast();
        if (arms == values) {
            // Every index value has an arm: the last arm is the default, and the rest are unreachable.
            arms--;
            otherwise = elements.get(arms);
        }
        if (arms == 1) {
            return Hdl.mux(index.eq(0), elements.getFirst(), otherwise);
        }
        Elaboration elaboration = Elaboration.current();
        Elaboration.Frame frame = elaboration.frame();
        T selected = name != null ? Hdl.wire(name, Hdl.templateOf(elements.getFirst()))
                : Hdl.generatedWire(commonName() + "_sel", Hdl.templateOf(elements.getFirst()));
        T fallback = otherwise;
        int explicit = arms;
        elaboration.inBlock(frame.node.body(), () -> {
            Switch cases = Hdl.switchOn(index);
            for (int i = 0; i < explicit; i++) {
                T element = elements.get(i);
                cases.is(i, () -> Hdl.assign(selected, element));
            }
            cases.otherwise(() -> Hdl.assign(selected, fallback));
        });
        return selected;
    }

    /**
     * What the elements are called: the text their signals' names share before and after the part that
     * differs ({@code lane0_x}, {@code lane1_x} give {@code lane_x}; for shapes, the first leaves' shared
     * prefix), or {@code vec} when they are not all signals.
     */
    private String commonName() {
        List<String> names = new ArrayList<>();
        for (T element : elements) {
            List<Shapes.Leaf> leaves = Shapes.leaves(element, "");
            Expr node = leaves.getFirst().data().isTemplate() ? null : leaves.getFirst().data().node();
            while (node instanceof Expr.Reinterpret r) {
                node = r.operand();
            }
            if (!(node instanceof Expr.Ref(dev.tellmej.hdl.ir.Signal signal))) {
                return "vec";
            }
            names.add(signal.name());
        }
        String first = names.getFirst();
        int prefix = first.length();
        int suffix = first.length();
        for (String other : names) {
            int p = 0;
            while (p < Math.min(prefix, other.length()) && first.charAt(p) == other.charAt(p)) {
                p++;
            }
            prefix = p;
            int q = 0;
            while (q < Math.min(suffix, other.length())
                    && first.charAt(first.length() - 1 - q) == other.charAt(other.length() - 1 - q)) {
                q++;
            }
            suffix = q;
        }
        String head = first.substring(0, prefix).replaceAll("_+$", "");
        String tail = elements.getFirst() instanceof Data && prefix + suffix <= first.length()
                ? first.substring(first.length() - suffix).replaceAll("^_+", "") : "";
        String name = head.isEmpty() ? tail : tail.isEmpty() ? head : head + "_" + tail;
        return name.length() < 2 || !Character.isLetter(name.charAt(0)) ? "vec" : name;
    }

    /** Maps every element (in order). */
    public <R> Vec<R> map(java.util.function.Function<T, R> f) {
        List<R> out = new ArrayList<>(elements.size());
        for (T element : elements) {
            out.add(f.apply(element));
        }
        return new Vec<>(out);
    }
}
