package dev.tellmej.hdl.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.eda.EdaTool;
import dev.tellmej.eda.ExternalCommand;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The importer against Verilator's own front end: {@code verilator --xml-only} parses the same files, and
 * every module's ports (names, order, directions, widths at the default parameters) must agree.
 */
class VerilatorCrossCheckTest {
    @Test
    void handWrittenFilesAgreeWithVerilator(@TempDir Path dir) throws Exception {
        List<Path> files = Stream.of("ansi.v", "non_ansi.v", "odd.v", "fifo.v")
                .map(VerilogImportTest.FILES::resolve).toList();
        int checked = crossCheck(dir, files);
        assertEquals(6, checked);
    }

    @Test
    void everyCheckedInRtlFolderAgreesWithVerilator(@TempDir Path dir) throws Exception {
        int checked = 0;
        try (var folders = Files.list(RtlImportTest.RTL)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                try (var list = Files.list(folder)) {
                    List<Path> files = list.filter(f -> f.toString().endsWith(".v")).sorted().toList();
                    checked += crossCheck(Files.createDirectories(dir.resolve(folder.getFileName())), files);
                }
            }
        }
        assertTrue(checked >= 100, "modules checked: " + checked);
    }

    /** Compares every module of {@code files}; returns how many. */
    private static int crossCheck(Path dir, List<Path> files) throws Exception {
        Map<String, List<String>> verilator = verilatorPorts(dir, files);
        int checked = 0;
        for (Path file : files) {
            VerilogSource source = VerilogSource.read(file);
            for (String name : source.moduleNames()) {
                List<String> imported = VerilogImportTest.ports(source.module(name).resolve()).stream()
                        .map(p -> p.replace(":signed", "")).toList();
                assertEquals(verilator.get(name), imported, "ports of " + name + " in " + file);
                checked++;
            }
        }
        return checked;
    }

    /** Module name -> name:direction:width of its ports, from Verilator's XML. */
    private static Map<String, List<String>> verilatorPorts(Path dir, List<Path> files) throws Exception {
        Path xml = dir.resolve("netlist.xml");
        List<String> command = new ArrayList<>(List.of(EdaTool.VERILATOR.require().toString(), "--xml-only",
                "--xml-output", xml.toString(), "-Wno-fatal", "-Wno-lint", "-Wno-style", "-Wno-MULTITOP",
                "--Mdir", dir.resolve("obj").toString()));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        ExternalCommand.Result result = ExternalCommand.of(command).directory(dir).timeout(Duration.ofMinutes(5)).run();
        assertEquals(0, result.exitCode(), String.join(" ", command) + "\n" + result.output());
        Document document = parse(xml);
        Map<String, Element> types = new HashMap<>();
        NodeList all = document.getElementsByTagName("typetable").item(0).getChildNodes();
        for (int i = 0; i < all.getLength(); i++) {
            if (all.item(i) instanceof Element type) {
                types.put(type.getAttribute("id"), type);
            }
        }
        Map<String, List<String>> modules = new LinkedHashMap<>();
        NodeList moduleElements = document.getElementsByTagName("module");
        for (int i = 0; i < moduleElements.getLength(); i++) {
            Element module = (Element) moduleElements.item(i);
            List<String> ports = new ArrayList<>();
            for (Node child = module.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element var && var.getTagName().equals("var") && var.hasAttribute("dir")) {
                    ports.add(var.getAttribute("name") + ":" + var.getAttribute("dir") + ":"
                            + width(types, var.getAttribute("dtype_id")));
                }
            }
            modules.put(module.getAttribute("origName"), ports);
        }
        return modules;
    }

    private static int width(Map<String, Element> types, String id) {
        Element type = types.get(id);
        return switch (type.getTagName()) {
            case "basicdtype" -> type.hasAttribute("left")
                    ? Math.abs(Integer.parseInt(type.getAttribute("left")) - Integer.parseInt(type.getAttribute("right"))) + 1
                    : 1;
            case "packarraydtype" -> {
                NodeList bounds = ((Element) type.getElementsByTagName("range").item(0)).getElementsByTagName("const");
                int left = constant((Element) bounds.item(0));
                int right = constant((Element) bounds.item(1));
                yield (Math.abs(left - right) + 1) * width(types, type.getAttribute("sub_dtype_id"));
            }
            default -> width(types, type.getAttribute("sub_dtype_id"));
        };
    }

    /** A Verilator constant such as {@code 32'sh1f}. */
    private static int constant(Element constant) {
        String name = constant.getAttribute("name");
        return new BigInteger(name.substring(name.indexOf('h') + 1), 16).intValueExact();
    }

    private static Document parse(Path xml) throws IOException {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("cannot read " + xml, e);
        }
    }
}
