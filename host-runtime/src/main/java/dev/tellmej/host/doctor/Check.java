package dev.tellmej.host.doctor;

import java.util.Objects;

/**
 * One line of {@code tellme doctor}: what was checked, its outcome, what was found and, for a failure, what to do.
 *
 * @param name   the check ({@code java}, {@code opencl}, {@code xrt}, {@code image}, {@code xclbin}, {@code cma},
 *               {@code clock}, {@code verilator}, {@code golden})
 * @param status PASS, FAIL or SKIP
 * @param found  what was found: versions, sizes, names, or why the check does not apply
 * @param advice what to do about a failure, one sentence or two; null unless the status is FAIL
 */
public record Check(String name, CheckStatus status, String found, String advice) {
    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(found, "found");
        if ((status == CheckStatus.FAIL) != (advice != null)) {
            throw new IllegalArgumentException("a FAIL, and only a FAIL, carries advice: " + name + " " + status);
        }
    }

    /** A check that passed. */
    public static Check pass(String name, String found) {
        return new Check(name, CheckStatus.PASS, found, null);
    }

    /** A check that failed, with what to do. */
    public static Check fail(String name, String found, String advice) {
        return new Check(name, CheckStatus.FAIL, found, Objects.requireNonNull(advice, "advice"));
    }

    /** A check that does not apply here; {@code why} says why. */
    public static Check skip(String name, String why) {
        return new Check(name, CheckStatus.SKIP, why, null);
    }

    /** True when the status is FAIL. */
    public boolean failed() {
        return status == CheckStatus.FAIL;
    }
}
