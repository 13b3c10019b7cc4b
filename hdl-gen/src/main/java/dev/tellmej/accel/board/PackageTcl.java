package dev.tellmej.accel.board;

import dev.tellmej.accel.protocol.AxiMasterPort;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KernelRegister;
import dev.tellmej.accel.protocol.KernelXmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Vivado Tcl that packages the RTL kernel: a project of the generated Verilog, {@code ipx::package_project}
 * into an IP whose VLNV is {@code kernel.xml}'s, every AXI interface and the reset associated with {@code ap_clk},
 * the interrupt declared, the {@code s_axi_control} register map with each pointer tied to its master
 * ({@code ASSOCIATED_BUSIF}), the core marked as a Vitis RTL kernel and checked ({@code ipx::check_integrity
 * -kernel}), then {@code package_xo} into {@code <kernel>.xo}. Every name and offset comes from
 * {@link KernelInterface}, as {@code kernel.xml}'s do.
 *
 * <p>The script runs from the folder it is in ({@code vivado -mode batch -source package_kernel.tcl}); it reads
 * {@code rtl/} and {@code kernel.xml} beside it and writes {@code ip/}, {@code vivado-package/} and the {@code .xo}
 * there.
 */
public final class PackageTcl {
    /** The control block's registers before the arguments (ap_ctrl_hs, Vitis's fixed layout). */
    private static final List<String[]> CONTROL_REGISTERS = List.of(
            new String[] {"CTRL", "0x000", "ap_start (bit 0), ap_done (1), ap_idle (2), ap_ready (3)"},
            new String[] {"GIER", "0x004", "global interrupt enable (bit 0)"},
            new String[] {"IP_IER", "0x008", "interrupt enable: done (bit 0), ready (1)"},
            new String[] {"IP_ISR", "0x00C", "interrupt status, toggle on write: done (bit 0), ready (1)"});

    private PackageTcl() {}

    /**
     * The script's text.
     *
     * @param kernel    the kernel's interface
     * @param platform  the platform (its part is the project's)
     * @param rtlFiles  the Verilog files, relative to the script's folder ({@code rtl/tellme.v}), in compile order
     * @param header    what the first comment lines say about the build
     */
    public static String text(KernelInterface kernel, VitisPlatform platform, List<String> rtlFiles, String header) {
        String name = kernel.kernelName();
        StringBuilder out = new StringBuilder();
        header.lines().forEach(line -> out.append("# ").append(line).append('\n'));
        out.append("""
                #
                # Packages the RTL kernel '%1$s' as a Vivado IP marked as a Vitis RTL kernel, then as %1$s.xo.
                # Run it from its folder:   vivado -mode batch -source package_kernel.tcl

                set kernel_name %1$s
                set here [file dirname [file normalize [info script]]]
                set ip_dir [file join $here ip]
                set xo_path [file join $here %1$s.xo]

                create_project -force %1$s_package [file join $here vivado-package] -part %2$s
                add_files -norecurse [list \\
                """.formatted(name, platform.part()));
        for (String file : rtlFiles) {
            out.append("    [file join $here ").append(file).append("] \\\n");
        }
        out.append("""
                ]
                set_property top %1$s [current_fileset]
                update_compile_order -fileset sources_1

                # The IP's VLNV must be kernel.xml's (%2$s).
                # -force: a rerun replaces this script's own earlier ip/ rather than stopping on it.
                ipx::package_project -root_dir $ip_dir -vendor %3$s -library %4$s -taxonomy /KernelIP \\
                    -import_files -set_current true -force
                set core [ipx::current_core]
                set_property name %1$s $core
                set_property version %5$s $core
                set_property display_name "TeLLMe-J kernel %1$s" $core

                # Vivado infers the AXI interfaces from the port names; stop here if one is missing rather than
                # package a kernel whose port Vitis cannot connect.
                """.formatted(name, KernelXmlWriter.vlnv(kernel), vendor(), library(), KernelXmlWriter.VERSION));
        List<String> interfaces = new ArrayList<>();
        interfaces.add(KernelXmlWriter.CONTROL_PORT);
        kernel.ports().stream().map(AxiMasterPort::name).forEach(interfaces::add);
        out.append("set axi_interfaces [list ").append(String.join(" ", interfaces)).append("]\n");
        out.append("""
                foreach busif $axi_interfaces {
                    if {[llength [ipx::get_bus_interfaces $busif -of_objects $core]] == 0} {
                        error "Vivado did not infer the AXI interface $busif from the ports ${busif}_*"
                    }
                }

                # Every AXI interface runs on ap_clk, and ap_rst_n resets it: Vitis requires the associations.
                """);
        for (String busif : interfaces) {
            out.append("ipx::associate_bus_interfaces -busif ").append(busif).append(" -clock ap_clk $core\n");
        }
        out.append("ipx::associate_bus_interfaces -clock ap_clk -reset ap_rst_n $core\n");
        out.append("""
                # Vivado may have inferred a parameter, a memory map or a block already: take it, else add it.
                proc bus_parameter {busif name} {
                    set parameter [ipx::get_bus_parameters $name -of_objects $busif]
                    if {[llength $parameter] == 0} {
                        set parameter [ipx::add_bus_parameter $name $busif]
                    }
                    return $parameter
                }
                set_property value ACTIVE_LOW \\
                    [bus_parameter [ipx::get_bus_interfaces ap_rst_n -of_objects $core] POLARITY]

                # The interrupt: active high, level sensitive.
                if {[llength [ipx::get_bus_interfaces interrupt -of_objects $core]] == 0} {
                    ipx::infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0 $core
                }
                set interrupt [ipx::get_bus_interfaces interrupt -of_objects $core]
                set_property value LEVEL_HIGH [bus_parameter $interrupt SENSITIVITY]

                # The s_axi_control register map: the control block, then the arguments at kernel.xml's offsets.
                # A pointer names its master port (ASSOCIATED_BUSIF), which is how Vitis connects it.
                set memory_map [ipx::get_memory_maps s_axi_control -of_objects $core]
                if {[llength $memory_map] == 0} {
                    set memory_map [ipx::add_memory_map s_axi_control $core]
                }
                set_property slave_memory_map_ref s_axi_control \\
                    [ipx::get_bus_interfaces s_axi_control -of_objects $core]
                set block [ipx::get_address_blocks reg0 -of_objects $memory_map]
                if {[llength $block] == 0} {
                    set block [ipx::add_address_block reg0 $memory_map]
                }
                """);
        out.append("set_property range ").append(hex(KernelInterface.controlBytes())).append(" $block\n");
        out.append("""
                proc add_register {block name offset bits description {busif ""}} {
                    set reg [ipx::add_register $name $block]
                    set_property address_offset $offset $reg
                    set_property size $bits $reg
                    set_property description $description $reg
                    if {$busif ne ""} {
                        set_property value $busif [ipx::add_register_parameter ASSOCIATED_BUSIF $reg]
                    }
                }
                """);
        for (String[] r : CONTROL_REGISTERS) {
            out.append("add_register $block ").append(r[0]).append(' ').append(r[1]).append(" 32 ")
                    .append(quoted(r[2])).append('\n');
        }
        for (KernelRegister r : kernel.arguments()) {
            out.append("add_register $block ").append(r.name()).append(' ').append(hex3(r.offset())).append(' ')
                    .append(r.width()).append(' ').append(quoted(r.meaning()));
            if (r.role() == KernelRegister.Role.POINTER) {
                out.append(' ').append(r.port());
            }
            out.append('\n');
        }
        out.append("""

                # Mark the core as a Vitis RTL kernel and check it as v++ will.
                set_property sdx_kernel true $core
                set_property sdx_kernel_type rtl $core
                set_property supported_families {zynquplus Production} $core
                ipx::create_xgui_files $core
                ipx::update_checksums $core
                ipx::check_integrity -kernel $core
                ipx::save_core $core
                close_project

                package_xo -force -xo_path $xo_path -kernel_name $kernel_name -ip_directory $ip_dir \\
                    -kernel_xml [file join $here kernel.xml]
                puts "wrote $xo_path"
                """);
        return out.toString();
    }

    /** The VLNV's vendor ({@code tellmej.dev}). */
    static String vendor() {
        return KernelXmlWriter.VLNV_PREFIX.split(":")[0];
    }

    /** The VLNV's library ({@code kernel}). */
    static String library() {
        return KernelXmlWriter.VLNV_PREFIX.split(":")[1];
    }

    private static String quoted(String text) {
        // Tcl: inside braces nothing is substituted; a description never holds a brace.
        if (text.contains("{") || text.contains("}")) {
            throw new PackagingException("a register description may not hold braces: " + text);
        }
        return "{" + text + "}";
    }

    private static String hex(int value) {
        return "0x" + Integer.toHexString(value).toUpperCase(Locale.ROOT);
    }

    private static String hex3(int value) {
        return String.format(Locale.ROOT, "0x%03X", value);
    }
}
