package dev.tellmej.accel.board;

import dev.tellmej.accel.protocol.AxiMasterPort;
import dev.tellmej.accel.protocol.KernelInterface;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code v++ --link} configuration of one kernel instance on a platform: one compute unit, every AXI4 master
 * on its own PS memory port ({@code sp=}), and the kernel clock. Weight ports come first in
 * {@link KernelInterface#ports()}, so they take the platform's first ports (on the KV260 HP0 to HP3, the ports
 * closest to the DDR controller); the data ports take the next (HPC0, HPC1).
 *
 * @param kernel    the kernel's interface
 * @param platform  the platform it is linked on
 * @param clockMhz  the kernel clock (MHz)
 * @param ports     each master port's name -> the platform memory port it is connected to, in port order
 */
public record LinkConfig(KernelInterface kernel, VitisPlatform platform, int clockMhz, Map<String, String> ports) {
    /** The one compute unit's instance name ({@code tellme_1}): the name {@code sp=} and {@code [clock]} use. */
    public String instance() {
        return kernel.kernelName() + "_1";
    }

    /**
     * The link configuration of {@code kernel} on {@code platform} at {@code clockMhz}.
     *
     * @throws PackagingException when the kernel has more master ports than the platform has memory ports
     */
    public static LinkConfig of(KernelInterface kernel, VitisPlatform platform, int clockMhz) {
        List<AxiMasterPort> masters = kernel.ports();
        if (masters.size() > platform.memoryPorts().size()) {
            throw new PackagingException("kernel " + kernel.kernelName() + " has " + masters.size()
                    + " AXI4 master ports but platform " + platform.name() + " has " + platform.memoryPorts().size()
                    + " memory ports (" + String.join(", ", platform.memoryPorts()) + "); use a build with fewer ports");
        }
        Map<String, String> ports = new LinkedHashMap<>();
        for (int i = 0; i < masters.size(); i++) {
            ports.put(masters.get(i).name(), platform.memoryPorts().get(i));
        }
        return new LinkConfig(kernel, platform, clockMhz, Collections.unmodifiableMap(ports));
    }

    /** The text of {@code link.cfg}; {@code header} names the build in its first comment lines. */
    public String text(String header) {
        StringBuilder out = new StringBuilder();
        header.lines().forEach(line -> out.append("# ").append(line).append('\n'));
        out.append("#\n");
        out.append("#   v++ --link --target hw --platform ").append(platform.name())
                .append(" --config link.cfg --output ").append(kernel.kernelName()).append(".xclbin ")
                .append(kernel.kernelName()).append(".xo\n\n");
        out.append("[connectivity]\n");
        out.append("# One compute unit.\n");
        out.append("nk=").append(kernel.kernelName()).append(":1:").append(instance()).append('\n');
        out.append("# Every AXI4 master on a port of its own: they all reach the same DDR, and ports are what limit the\n");
        out.append("# bandwidth (").append(platform.memoryPorts().getFirst())
                .append(" onwards are taken in the platform's order, weight ports first).\n");
        // Comments stay on lines of their own: v++ would read a trailing one as part of the value.
        for (AxiMasterPort port : kernel.ports()) {
            out.append("# ").append(port.name()).append(": ").append(port.carries()).append('\n');
            out.append("sp=").append(instance()).append('.').append(port.name()).append(':')
                    .append(ports.get(port.name())).append('\n');
        }
        out.append("\n[clock]\n");
        if (platform.hasClock(clockMhz)) {
            out.append("# ").append(clockMhz).append(" MHz is one of ").append(platform.name())
                    .append("'s fixed clocks: v++ connects it as it is.\n");
        } else {
            out.append("# ").append(clockMhz).append(" MHz is not one of ").append(platform.name()).append("'s fixed clocks (")
                    .append(joined(platform.clocksMhz())).append(" MHz):\n");
            out.append("# v++ derives it from one of them with an MMCM; where it cannot, it warns and connects the default\n");
            out.append("# ").append(platform.defaultClockMhz())
                    .append(" MHz clock instead. Read the link log, and the clock back on the board (tellme doctor).\n");
        }
        out.append("freqHz=").append(clockMhz * 1_000_000L).append(':').append(instance()).append(".ap_clk\n");
        return out.toString();
    }

    private static String joined(List<Integer> values) {
        return String.join(", ", values.stream().map(String::valueOf).toList());
    }
}
