package dev.tellmej.hdl;

/**
 * Settings of one elaboration.
 *
 * @param clockDomain the implicit clock domain every module gets (names, reset kind and level)
 */
public record ElaborationOptions(ClockDomainConfig clockDomain) {
    public static final ElaborationOptions DEFAULT = new ElaborationOptions(ClockDomainConfig.DEFAULT);
}
