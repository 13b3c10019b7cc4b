package dev.tellmej.accel.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.AcceleratorDesigns;
import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.accel.protocol.KernelRegister;
import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import dev.tellmej.hdl.DesignEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Vitis packaging agrees with the kernel it packages: {@code kernel.xml}'s ports and the Tcl's interface
 * associations are exactly the AXI bundles of the generated {@code tellme.v}'s port list, with its widths; every
 * port of the top belongs to an interface; the Tcl's register map, {@code kernel.xml}'s arguments and the
 * {@link KernelInterface} the RTL's register bank is built from name the same offsets, sizes and ports; the link
 * configuration puts every master on its own platform port at the asked clock. The Tcl is run for real in a Tcl
 * interpreter (Yosys's) with Vivado's commands replaced by logging checks, since Vivado cannot be installed here.
 */
class VitisPackageTest {
    private static final Pattern PORT = Pattern.compile(
            "^\\s*(input|output)\\s+wire\\s+(?:\\[(\\d+):0\\]\\s+)?(\\w+)\\s*,?", Pattern.MULTILINE);

    @TempDir
    Path dir;

    /** The top module's ports (name -> width in bits), read from its Verilog. */
    private static Map<String, Integer> topPorts(String verilog) {
        String header = verilog.substring(verilog.indexOf("module tellme"), verilog.indexOf(");"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        Matcher m = PORT.matcher(header);
        while (m.find()) {
            ports.put(m.group(3), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)) + 1);
        }
        return ports;
    }

    /** The AXI bundles of a port list: every prefix with an address-valid port. */
    private static Set<String> axiBundles(Map<String, Integer> ports) {
        Set<String> bundles = new TreeSet<>();
        for (String name : ports.keySet()) {
            if (name.endsWith("_awvalid") || name.endsWith("_arvalid")) {
                bundles.add(name.substring(0, name.length() - "_awvalid".length()));
            }
        }
        return bundles;
    }

    private static VitisPackage packageOf(String configName, int clockMhz) {
        AcceleratorConfig config = AcceleratorConfig.named().get(configName);
        DesignEntry entry = AcceleratorDesigns.entries().stream().filter(e -> e.name().equals("accelerator"))
                .findFirst().orElseThrow();
        Map<String, String> verilog = entry.elaborate(configName).verilogFiles("accelerator");
        return VitisPackage.of(config, verilog, "accelerator", VitisPlatform.KV260_BASE, clockMhz, "test");
    }

    private Path write(VitisPackage bundle) throws IOException {
        Path out = dir.resolve(bundle.config().name());
        for (Map.Entry<String, String> file : bundle.files().entrySet()) {
            Path target = out.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        return out;
    }

    private static List<Element> elements(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    /** One register as a description names it: offset, size in bits, and the bus of a pointer ("" for none). */
    private record Register(int offset, int bits, String busif) {}

    @Test
    void kv260sPackagingMatchesItsKernelsPortsAndRegisterMap() throws Exception {
        checkPackaging("kv260", 300);
    }

    @Test
    void simSmallsPackagingMatchesItsKernelsPortsAndRegisterMapToo() throws Exception {
        checkPackaging("sim-small", 100);
    }

    private void checkPackaging(String configName, int clockMhz) throws Exception {
        VitisPackage bundle = packageOf(configName, clockMhz);
        KernelInterface kernel = KernelInterface.of(bundle.config());
        Map<String, Integer> ports = topPorts(bundle.files().get("rtl/tellme.v"));
        Set<String> bundles = axiBundles(ports);
        assertTrue(bundles.contains("s_axi_control"), "no s_axi_control in " + ports.keySet());

        // Every port of the top belongs to an interface, as Vitis requires.
        for (String port : ports.keySet()) {
            boolean belongs = Set.of("ap_clk", "ap_rst_n", "interrupt").contains(port)
                    || bundles.stream().anyMatch(b -> port.startsWith(b + "_"));
            assertTrue(belongs, "port " + port + " of tellme.v belongs to no interface");
        }
        assertEquals(KernelInterface.CONTROL_ADDRESS_BITS, ports.get("s_axi_control_awaddr"));

        // kernel.xml: the same bundles, with the Verilog's data widths.
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = factory.newDocumentBuilder().parse(new ByteArrayInputStream(
                bundle.files().get(VitisPackage.KERNEL_XML).getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        Map<String, Integer> xmlPorts = new TreeMap<>();
        for (Element port : elements(root, "port")) {
            xmlPorts.put(port.getAttribute("name"), Integer.parseInt(port.getAttribute("dataWidth")));
        }
        assertEquals(bundles, xmlPorts.keySet(), "kernel.xml's ports against tellme.v's AXI bundles");
        for (String b : bundles) {
            String data = b.equals("s_axi_control") ? b + "_wdata" : b + "_rdata";
            assertEquals(ports.get(data), xmlPorts.get(b), "data width of " + b);
        }
        Map<String, Register> xmlArgs = new TreeMap<>();
        for (Element arg : elements(root, "arg")) {
            boolean pointer = arg.getAttribute("addressQualifier").equals("1");
            xmlArgs.put(arg.getAttribute("name"), new Register(Integer.decode(arg.getAttribute("offset")),
                    8 * Integer.decode(arg.getAttribute("size")), pointer ? arg.getAttribute("port") : ""));
        }
        Map<String, Register> described = new TreeMap<>();
        for (KernelRegister r : kernel.arguments()) {
            described.put(r.name(), new Register(r.offset(), r.width(),
                    r.role() == KernelRegister.Role.POINTER ? r.port() : ""));
        }
        assertEquals(described, xmlArgs, "kernel.xml's arguments against KernelInterface");

        // The Tcl, run with Vivado's commands checked and logged.
        Path out = write(bundle);
        List<String> log = dryRun(out, bundles);
        Set<String> associated = new TreeSet<>();
        Map<String, Integer> offsets = new TreeMap<>();
        Map<String, Integer> sizes = new TreeMap<>();
        Map<String, String> busifs = new TreeMap<>();
        List<String> added = new ArrayList<>();
        for (String line : log) {
            String[] w = line.split(" ");
            switch (w[0]) {
                case "associate" -> {
                    assertEquals("ap_clk", w[2], line);
                    associated.add(w[1]);
                }
                case "add_file" -> added.add(w[1]);
                case "set_property" -> {
                    if (w[3].startsWith("register:") && w[1].equals("address_offset")) {
                        offsets.put(w[3].substring(9), Integer.decode(w[2]));
                    } else if (w[3].startsWith("register:") && w[1].equals("size")) {
                        sizes.put(w[3].substring(9), Integer.parseInt(w[2]));
                    } else if (w[3].endsWith(":ASSOCIATED_BUSIF")) {
                        busifs.put(w[3].substring(9, w[3].length() - ":ASSOCIATED_BUSIF".length()), w[2]);
                    }
                }
                default -> { }
            }
        }
        assertEquals(bundles, associated, "every AXI interface is associated with ap_clk");
        assertTrue(log.contains("associate_reset ap_rst_n ap_clk"), "ap_rst_n resets ap_clk's interfaces");
        assertTrue(log.contains("infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0"), "interrupt");
        Map<String, Register> tclRegisters = new TreeMap<>();
        for (String name : offsets.keySet()) {
            tclRegisters.put(name, new Register(offsets.get(name), sizes.get(name), busifs.getOrDefault(name, "")));
        }
        Map<String, Register> expected = new TreeMap<>(described);
        expected.put("CTRL", new Register(0x00, 32, ""));
        expected.put("GIER", new Register(0x04, 32, ""));
        expected.put("IP_IER", new Register(0x08, 32, ""));
        expected.put("IP_ISR", new Register(0x0C, 32, ""));
        assertEquals(expected, tclRegisters, "the Tcl's register map against KernelInterface and kernel.xml");
        List<String> listed = bundle.files().get("rtl/accelerator.f").lines().toList();
        assertEquals(listed, added, "the Tcl adds exactly the file list's Verilog, in its order");
        assertTrue(added.contains("tellme.v"));
        for (String line : List.of("bus_parameter POLARITY busif:ap_rst_n", "bus_parameter SENSITIVITY busif:interrupt",
                "memory_map s_axi_control", "address_block reg0", "set_property sdx_kernel true core", "set_property sdx_kernel_type rtl core",
                "check_integrity -kernel", "save_core", "package_xo -kernel_name tellme",
                "create_project part " + VitisPlatform.KV260_BASE.part(), "package_project -vendor tellmej.dev",
                "package_project -library kernel", "set_property name tellme core",
                "set_property version 1.0 core")) {
            assertTrue(log.contains(line), "the dry run did not log '" + line + "': " + log);
        }
        assertEquals(root.getElementsByTagName("kernel").item(0).getAttributes().getNamedItem("vlnv").getNodeValue(),
                "tellmej.dev:kernel:tellme:1.0");

        // link.cfg: one compute unit, each master on a port of its own, the clock.
        String cfg = bundle.files().get(VitisPackage.LINK_CONFIG);
        assertTrue(cfg.contains("\nnk=tellme:1:tellme_1\n"), cfg);
        Map<String, String> sp = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^sp=tellme_1\\.(\\w+):(\\w+)$").matcher(cfg);
        while (m.find()) {
            sp.put(m.group(1), m.group(2));
        }
        Set<String> masters = new TreeSet<>(bundles);
        masters.remove("s_axi_control");
        assertEquals(masters, sp.keySet(), "every AXI4 master has an sp= line");
        assertEquals(sp.size(), new TreeSet<>(sp.values()).size(), "no two masters share a port: " + sp);
        assertTrue(VitisPlatform.KV260_BASE.memoryPorts().containsAll(sp.values()), sp.toString());
        assertEquals("HP0", sp.get("m_axi_w0"), "weights take the direct HP ports first");
        assertTrue(cfg.contains("\nfreqHz=" + clockMhz * 1_000_000L + ":tellme_1.ap_clk\n"), cfg);
        for (String line : cfg.lines().toList()) {
            assertTrue(line.isEmpty() || line.startsWith("#") || line.startsWith("[") || !line.contains("#"),
                    "a comment after a value: " + line);
        }

        // The manifest names the build by its configuration hash.
        String manifest = bundle.files().get(BuildManifest.FILE_NAME);
        assertTrue(manifest.contains("\"config_hash\": \"" + HexFormat.of().formatHex(bundle.config().hash()) + "\""),
                manifest);
        assertTrue(manifest.contains("\"clock_mhz\": " + clockMhz + ","), manifest);
        assertEquals(bundle.files(), packageOf(configName, clockMhz).files(), "deterministic");
    }

    private static List<String> dryRun(Path out, Set<String> inferred) throws IOException {
        Path harness = out.resolve("vivado-dry-run.tcl");
        try (var in = VitisPackageTest.class.getResourceAsStream("vivado-dry-run.tcl")) {
            Files.write(harness, in.readAllBytes());
        }
        Path logFile = out.resolve("dry-run.log");
        Path prelude = out.resolve("dry-run-prelude.tcl");
        Files.writeString(prelude, "set dry_run_log {" + logFile + "}\n"
                + "set inferred_interfaces {ap_clk ap_rst_n " + String.join(" ", inferred) + "}\n"
                + "set package_script {" + out.resolve(VitisPackage.PACKAGE_TCL) + "}\n"
                + "source {" + harness + "}\n");
        ExternalCommand.of(EdaTool.YOSYS.require().toString(), "-q", "-c", prelude.toString()).directory(out)
                .timeout(Duration.ofMinutes(1)).run().requireSuccess("the Tcl dry run of package_kernel.tcl");
        return Files.readAllLines(logFile);
    }

    @Test
    void aClockAboveTheBuildsTargetOrTooManyPortsIsRefusedWithTheRange() {
        AcceleratorConfig config = AcceleratorConfig.named().get("kv260");
        Map<String, String> verilog = Map.of("accelerator.f", "tellme.v\n", "tellme.v", "module tellme; endmodule\n");
        PackagingException fast = assertThrows(PackagingException.class, () -> VitisPackage.of(config, verilog,
                "accelerator", VitisPlatform.KV260_BASE, 400, "test"));
        assertTrue(fast.getMessage().contains("400 MHz is out of range") && fast.getMessage().contains("50 to 300"),
                fast.getMessage());
        assertThrows(PackagingException.class, () -> VitisPackage.of(config, verilog, "accelerator",
                VitisPlatform.KV260_BASE, 20, "test"));
        VitisPlatform small = new VitisPlatform("two_ports", "xck26-sfvc784-2LV-c", List.of(150), List.of("HP0", "HP1"),
                1L << 30);
        PackagingException ports = assertThrows(PackagingException.class, () -> VitisPackage.of(config, verilog,
                "accelerator", small, 150, "test"));
        assertTrue(ports.getMessage().contains("6 AXI4 master ports but platform two_ports has 2"), ports.getMessage());
        PackagingException missing = assertThrows(PackagingException.class, () -> VitisPackage.of(config,
                Map.of("accelerator.f", "tellme.v\nblack_box.v\n", "tellme.v", ""), "accelerator",
                VitisPlatform.KV260_BASE, 300, "test"));
        assertTrue(missing.getMessage().contains("black_box.v"), missing.getMessage());
    }

    @Test
    void aClockThePlatformLacksIsDerivedAndTheConfigSaysHowToCheckIt() {
        String cfg = LinkConfig.of(KernelInterface.of(AcceleratorConfig.named().get("kv260")),
                VitisPlatform.KV260_BASE, 275).text("test");
        assertTrue(cfg.contains("275 MHz is not one of xilinx_kv260_base's fixed clocks"), cfg);
        assertTrue(cfg.contains("freqHz=275000000:tellme_1.ap_clk"), cfg);
    }
}
