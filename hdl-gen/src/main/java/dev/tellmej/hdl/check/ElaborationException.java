package dev.tellmej.hdl.check;

import java.util.List;
import java.util.stream.Collectors;

/** Every design error of one elaboration, reported together in the order they were found. */
public final class ElaborationException extends RuntimeException {
    private final List<HdlException> errors;

    public ElaborationException(String designName, List<HdlException> errors) {
        super(errors.size() + (errors.size() == 1 ? " error" : " errors") + " in " + designName + ":\n"
                + errors.stream().map(e -> "  " + e.getMessage()).collect(Collectors.joining("\n")), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<HdlException> errors() {
        return errors;
    }

    /** The errors of one rule, in order. */
    public <T extends HdlException> List<T> errorsOf(Class<T> type) {
        return errors.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
