package dev.tellmej.host.doctor;

/** The outcome of one {@link Check}. */
public enum CheckStatus {
    /** The check ran and found what the device needs. */
    PASS,
    /** The check ran and found a problem; the check's advice says what to do. */
    FAIL,
    /** The check does not apply here (CMA off a board), or cannot be read without privileges; the finding says why. */
    SKIP
}
