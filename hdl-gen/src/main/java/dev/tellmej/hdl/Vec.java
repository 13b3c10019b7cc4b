package dev.tellmej.hdl;

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
     * The element selected at run time (a chain of multiplexers); indices past the end select the last
     * element, and elements the index is too narrow to reach are never selected.
     */
    public T get(UInt index) {
        T result = elements.getLast();
        for (int i = Math.min(elements.size() - 2, (int) Math.min(Integer.MAX_VALUE - 1L, (1L << Math.min(index.width(), 31)) - 1)); i >= 0; i--) {
            result = Hdl.mux(index.eq(i), elements.get(i), result);
        }
        return result;
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
