package dev.tellmej.hdl.emit;

import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.IrWalk;
import dev.tellmej.hdl.check.Pass;
import dev.tellmej.hdl.ir.ModuleNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives every module instance its Verilog definition name, children first. Instances whose emitted
 * Verilog is identical share one definition (named from the class and its parameters,
 * {@code SyncFifo_w64_d512}); a different elaboration under an already-used name gets {@code _v2},
 * {@code _v3} in elaboration order.
 */
public final class DefinitionNaming implements Pass {
    private final Map<String, String> textByName = new LinkedHashMap<>();

    @Override
    public String name() {
        return "definition naming";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        Map<String, String> nameByText = new HashMap<>();
        for (ModuleNode module : IrWalk.modulesBottomUp(top)) {
            if (module.isBlackBox()) {
                module.setDefinitionName(module.blackBoxDefinition());
                continue;
            }
            String base = module.parameterizedName();
            // Emit under a fixed placeholder so identical bodies compare equal, then substitute the name.
            String body = VerilogEmitter.emit(module, "\u0000");
            String existing = nameByText.get(body);
            if (existing != null) {
                module.setDefinitionName(existing);
                continue;
            }
            String name = base;
            for (int version = 2; textByName.containsKey(name); version++) {
                name = base + "_v" + version;
            }
            module.setDefinitionName(name);
            nameByText.put(body, name);
            textByName.put(name, body.replace("module \u0000", "module " + name));
        }
    }

    /** Definition name -> Verilog text, children before parents (valid after {@link #run}). */
    public Map<String, String> definitions() {
        return textByName;
    }
}
