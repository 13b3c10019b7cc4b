package dev.tellmej.accel.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.accel.config.AcceleratorConfig;
import dev.tellmej.hdl.lib.axi.RegisterMap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code kernel.xml} parses, and its ports and arguments are exactly the {@link KernelInterface}'s: the same
 * names, offsets, sizes and ports as the register map the RTL's register bank is built from.
 */
class KernelXmlTest {
    /** One {@code <arg>} as Vitis reads it. */
    private record Arg(int id, String name, int addressQualifier, String port, int size, int offset, int hostSize,
            String type) {}

    /** One {@code <port>}. */
    private record Port(String name, String mode, String range, int dataWidth) {}

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> elements(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    private static int hex(String text) {
        assertTrue(text.startsWith("0x"), text);
        return Integer.parseInt(text.substring(2), 16);
    }

    @Test
    void theKernelXmlListsExactlyTheRegisterMapsArgumentsAndThePorts() throws Exception {
        for (AcceleratorConfig config : AcceleratorConfig.named().values()) {
            KernelInterface kernel = KernelInterface.of(config);
            String xml = KernelXmlWriter.write(kernel, config.name());
            assertEquals(xml, KernelXmlWriter.write(kernel, config.name()), "deterministic");
            Document doc = parse(xml);
            Element root = doc.getDocumentElement();
            assertEquals("root", root.getTagName());
            assertEquals("1", root.getAttribute("versionMajor"));
            assertEquals("6", root.getAttribute("versionMinor"));
            List<Element> kernels = elements(root, "kernel");
            assertEquals(1, kernels.size());
            Element k = kernels.getFirst();
            assertEquals(kernel.kernelName(), k.getAttribute("name"));
            assertEquals("ip_c", k.getAttribute("language"));
            assertEquals("tellmej.dev:kernel:tellme:1.0", k.getAttribute("vlnv"));
            assertEquals("ap_ctrl_hs", k.getAttribute("hwControlProtocol"));
            assertEquals("true", k.getAttribute("interrupt"));

            List<Port> expectedPorts = new ArrayList<>();
            expectedPorts.add(new Port("s_axi_control", "slave", "0x100", 32));
            for (AxiMasterPort p : kernel.ports()) {
                expectedPorts.add(new Port(p.name(), "master", "0xFFFFFFFFFFFFFFFF", p.dataBits()));
            }
            List<Port> ports = elements(k, "port").stream().map(e -> new Port(e.getAttribute("name"),
                    e.getAttribute("mode"), e.getAttribute("range"), Integer.parseInt(e.getAttribute("dataWidth"))))
                    .toList();
            assertEquals(expectedPorts, ports, config.name());

            List<Arg> expectedArgs = new ArrayList<>();
            for (KernelRegister r : kernel.arguments()) {
                boolean pointer = r.role() == KernelRegister.Role.POINTER;
                expectedArgs.add(new Arg(expectedArgs.size(), r.name(), pointer ? 1 : 0,
                        pointer ? r.port() : "s_axi_control", r.width() / 8, r.offset(), r.width() / 8,
                        pointer ? "void*" : "uint"));
            }
            List<Arg> args = elements(k, "arg").stream().map(e -> new Arg(Integer.parseInt(e.getAttribute("id")),
                    e.getAttribute("name"), Integer.parseInt(e.getAttribute("addressQualifier")),
                    e.getAttribute("port"), hex(e.getAttribute("size")), hex(e.getAttribute("offset")),
                    hex(e.getAttribute("hostSize")), e.getAttribute("type"))).toList();
            assertEquals(expectedArgs, args, config.name());
            elements(k, "arg").forEach(e -> assertEquals("0x0", e.getAttribute("hostOffset")));

            // Every pointer's port is a master port of the kernel, and every master port has a pointer.
            List<String> masters = kernel.ports().stream().map(AxiMasterPort::name).toList();
            List<String> pointed = args.stream().filter(a -> a.addressQualifier() == 1).map(Arg::port).distinct()
                    .sorted().toList();
            assertEquals(masters.stream().sorted().toList(), pointed, config.name());

            // The register bank's map has every argument at the same offset and width, and nothing in between.
            RegisterMap map = kernel.registerMap();
            assertTrue(map.control());
            assertEquals(kernel.registers().size(), map.registers().size());
            for (Arg arg : args) {
                RegisterMap.Register r = map.registers().stream().filter(m -> m.name().equals(arg.name()))
                        .findFirst().orElseThrow();
                assertEquals(arg.offset(), r.offset(), arg.name());
                assertEquals(8 * arg.size(), r.width(), arg.name());
                assertEquals(RegisterMap.Access.READ_WRITE, r.access(), arg.name());
            }
            map.registers().stream().filter(r -> r.access() == RegisterMap.Access.READ_ONLY)
                    .forEach(r -> assertTrue(r.offset() >= KernelInterface.STATUS_BASE, r.name()));
        }
    }

    @Test
    void theArgumentsAreTheDocumentedOnes() {
        KernelInterface kv260 = KernelInterface.of(AcceleratorConfig.kv260());
        assertEquals(List.of("mode", "token_count", "start_position", "debug", "image", "kv_cache", "io", "weights0",
                "weights1", "weights2", "weights3", "kv_cache_values"), kv260.arguments().stream().map(KernelRegister::name).toList());
        assertEquals(List.of("m_axi_w0", "m_axi_w1", "m_axi_w2", "m_axi_w3", "m_axi_d0", "m_axi_d1"),
                kv260.ports().stream().map(AxiMasterPort::name).toList());
        assertEquals("m_axi_d1", kv260.register("kv_cache").port());
        assertEquals("m_axi_d0", kv260.register(KernelInterface.KV_CACHE_VALUES).port());
        for (int i = 0; i < AcceleratorConfig.kv260().memory().weightPorts(); i++) {
            // tellme.h documents the weight pointers as TELLME_REG_WEIGHTS0 + 8 i.
            assertEquals(kv260.register("weights0").offset() + 8 * i, kv260.register("weights" + i).offset());
            assertEquals("m_axi_w" + i, kv260.register("weights" + i).port());
        }
        KernelInterface small = KernelInterface.of(AcceleratorConfig.simSmall());
        assertEquals("m_axi_d0", small.register("kv_cache").port());
        assertEquals(0x80, small.register("status").offset());
    }
}
