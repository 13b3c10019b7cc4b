package dev.tellmej.accel.protocol;

/**
 * One AXI4 master port of the kernel.
 *
 * @param name      Vitis interface name ({@code m_axi_w0})
 * @param dataBits  data width (bits)
 * @param carries   what it reads and writes
 */
public record AxiMasterPort(String name, int dataBits, String carries) {}
