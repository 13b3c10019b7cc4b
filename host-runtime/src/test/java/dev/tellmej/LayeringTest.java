package dev.tellmej;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.tellmej.hdl.layeringfixture.LanguageClassUsingTheAccelerator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The project's layering, checked over the main classes of every module (host-runtime's test class path holds
 * them all: hdl-gen, model, image, sim, accel-sim and host-runtime). From the bottom: the software model and
 * the HDL language stand alone; the EDA runners use the language; the accelerator is built with the language
 * and checked against the model; the memory image (packer, compiler, reader) uses the accelerator's protocol
 * and the model; the simulation bridge drives any design; the accelerator's drivers use all of these; the
 * devices use the image and the drivers; the CLI sits on top and nothing uses it.
 */
class LayeringTest {
    static final String HDL = "dev.tellmej.hdl..";
    static final String EDA = "dev.tellmej.eda..";
    static final String ACCEL = "dev.tellmej.accel..";
    static final String MODEL = "dev.tellmej.model..";
    static final String SIM = "dev.tellmej.sim..";
    static final String CLI = "dev.tellmej.cli..";
    static final String IMAGE = "dev.tellmej.image..";
    static final String DEVICE = "dev.tellmej.device..";

    /** The HDL language and its library describe any hardware: no accelerator, model, simulator or CLI in it. */
    static final ArchRule LANGUAGE = noClasses().that().resideInAPackage(HDL)
            .should().dependOnClassesThat().resideInAnyPackage(ACCEL, MODEL, SIM, CLI)
            .because("the HDL language is a general library: the accelerator is built with it, not in it");

    /** The software model is the reference the hardware is checked against: it knows no hardware. */
    static final ArchRule MODEL_ALONE = noClasses().that().resideInAPackage(MODEL)
            .should().dependOnClassesThat().resideInAnyPackage(HDL, EDA, ACCEL, SIM, CLI)
            .because("the model is the hardware's reference and runs without it");

    /** The Verilator bridge drives any generated design; accelerator drivers live in accel-sim. */
    static final ArchRule BRIDGE = noClasses().that().resideInAPackage(SIM)
            .should().dependOnClassesThat().resideInAnyPackage(ACCEL, CLI)
            .because("sim holds the Verilator bridge; the accelerator's drivers live in accel-sim (dev.tellmej.accel.sim)");

    /** The EDA tool runners serve any design. */
    static final ArchRule EDA_RUNNERS = noClasses().that().resideInAPackage(EDA)
            .should().dependOnClassesThat().resideInAnyPackage(ACCEL, SIM, CLI)
            .because("the EDA runners serve any design");

    /** The memory image is the host's compiler of the accelerator: it knows no simulator, device or CLI. */
    static final ArchRule IMAGE_BELOW_DEVICES = noClasses().that().resideInAPackage(IMAGE)
            .should().dependOnClassesThat().resideInAnyPackage(SIM, DEVICE, CLI, "dev.tellmej.accel.sim..")
            .because("every device (reference, RTL, OpenCL) runs the same image: the image cannot depend on one");

    /** Nothing below the host runtime uses a device. */
    static final ArchRule DEVICES_ON_TOP = noClasses().that().resideInAnyPackage(HDL, EDA, ACCEL, MODEL, SIM, IMAGE)
            .should().dependOnClassesThat().resideInAPackage(DEVICE)
            .because("devices are the host runtime's: they use the image and the drivers, not the other way round");

    /** Only the CLI uses the CLI: measurements and reports live beside what they measure. */
    static final ArchRule CLI_ON_TOP = noClasses().that().resideOutsideOfPackage(CLI)
            .should().dependOnClassesThat().resideInAPackage(CLI)
            .because("the CLI only parses options and prints; everything it runs lives in the other modules");

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tellmej");
        // A rule over an import that missed a module would pass for nothing: every layer must be there.
        for (String layer : List.of("dev.tellmej.hdl.Module", "dev.tellmej.eda.YosysSynth",
                "dev.tellmej.accel.tlmm.TlmmEngine", "dev.tellmej.accel.sim.TlmmRunner",
                "dev.tellmej.model.inference.ExactModel", "dev.tellmej.sim.SimModel", "dev.tellmej.cli.TellmeMain",
                "dev.tellmej.image.ImagePacker", "dev.tellmej.device.ReferenceDevice")) {
            assertTrue(main.contain(layer), layer + " was not imported");
        }
        assertFalse(main.contain(LanguageClassUsingTheAccelerator.class), "test classes must not be imported");
    }

    @Test
    void theLanguageUsesNoAcceleratorModelSimulatorOrCli() {
        LANGUAGE.check(main);
    }

    @Test
    void theModelUsesNoHardware() {
        MODEL_ALONE.check(main);
    }

    @Test
    void theSimulationBridgeUsesNoAcceleratorOrCli() {
        BRIDGE.check(main);
    }

    @Test
    void theEdaRunnersUseNoAcceleratorSimulatorOrCli() {
        EDA_RUNNERS.check(main);
    }

    @Test
    void theImageUsesNoSimulatorDeviceOrCli() {
        IMAGE_BELOW_DEVICES.check(main);
    }

    @Test
    void nothingBelowTheHostRuntimeUsesADevice() {
        DEVICES_ON_TOP.check(main);
    }

    @Test
    void nothingButTheCliUsesTheCli() {
        CLI_ON_TOP.check(main);
    }

    /** The rule is not vacuous: a language class that imports the accelerator is reported, with its line. */
    @Test
    void aLanguageClassImportingTheAcceleratorIsReported() {
        JavaClasses violating = new ClassFileImporter().importClasses(LanguageClassUsingTheAccelerator.class);
        EvaluationResult result = LANGUAGE.evaluate(violating);
        assertTrue(result.hasViolation(), "the layering rule let a language class use the accelerator");
        String report = result.getFailureReport().toString();
        assertTrue(report.contains(LanguageClassUsingTheAccelerator.class.getName())
                && report.contains("dev.tellmej.accel.tlmm.TlmmConfig")
                && report.contains("LanguageClassUsingTheAccelerator.java:"), report);
        assertFalse(CLI_ON_TOP.evaluate(violating).hasViolation(), "a rule reports only what it forbids");
    }
}
