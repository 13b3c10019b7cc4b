package dev.tellmej.host.doctor;

import java.util.List;

/**
 * What {@code tellme doctor} found: every check, in the order they ran. The JSON form ({@code --json}) is this
 * record's components in order (docs/host.md, Doctor).
 *
 * @param device the device checked ({@code reference}, {@code opencl}, {@code rtl})
 * @param config the accelerator build the checks and the golden test used ({@code kv260})
 * @param passed true when no check failed (skipped checks do not count); the exit code is 0 exactly then
 * @param failed how many checks failed
 * @param checks every check
 */
public record DoctorReport(String device, String config, boolean passed, int failed, List<Check> checks) {
    public DoctorReport {
        checks = List.copyOf(checks);
    }

    /** The report of {@code checks} on {@code device} for {@code config}. */
    public static DoctorReport of(String device, String config, List<Check> checks) {
        int failed = (int) checks.stream().filter(Check::failed).count();
        return new DoctorReport(device, config, failed == 0, failed, checks);
    }
}
