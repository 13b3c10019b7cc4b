package dev.tellmej.hdl.testing;

import dev.tellmej.hdl.Hdl;
import dev.tellmej.hdl.Module;
import dev.tellmej.hdl.Design;
import java.util.function.Consumer;

/** A module whose body is a lambda, for short tests: {@code TestModule.elaborate(m -> { ... })}. */
@dev.tellmej.hdl.ElaborationHelper
public final class TestModule extends Module {
    public TestModule(String name, Consumer<TestModule> body) {
        baseName(name);
        body.accept(this);
    }

    /** Declares an input port. */
    public <T> T input(String name, T template) {
        return in(name, template);
    }

    /** Declares an output port. */
    public <T> T output(String name, T template) {
        return out(name, template);
    }

    /** Declares another clock domain with its own clock and reset inputs. */
    public dev.tellmej.hdl.ClockDomain domain(String clock, String reset) {
        return clockDomain(clock, reset, dev.tellmej.hdl.ResetKind.SYNC, dev.tellmej.hdl.ActiveLevel.HIGH);
    }

    /** The implicit clock domain. */
    public dev.tellmej.hdl.ClockDomain implicitDomain() {
        return clockDomain();
    }

    /** Places a child. */
    public <M extends Module> M child(String name, M module) {
        return instance(name, module);
    }

    /** Elaborates a design made of one module with {@code body}. */
    public static Design<TestModule> elaborate(String name, Consumer<TestModule> body) {
        return Hdl.elaborate(() -> new TestModule(name, body));
    }
}
