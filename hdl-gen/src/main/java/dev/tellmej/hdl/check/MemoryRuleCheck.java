package dev.tellmej.hdl.check;

import dev.tellmej.hdl.RamStyle;
import dev.tellmej.hdl.ReadUnderWrite;
import dev.tellmej.hdl.ir.MemoryNode;
import dev.tellmej.hdl.ir.ModuleNode;
import dev.tellmej.hdl.ir.Stmt;
import java.util.List;

/**
 * Vendor rules of each RAM style, checked at elaboration rather than discovered in a synthesis log
 * (AMD UG901, UG573):
 * <ul>
 *   <li>ULTRA (URAM288): single clock, no initial contents, synchronous reads only, read latency at least 2
 *       (the read register plus one output register), READ_FIRST or DONT_CARE.
 *   <li>BLOCK: synchronous reads only.
 *   <li>WRITE_FIRST: one unmasked write port (it is built as a bypass around the memory).
 * </ul>
 */
public final class MemoryRuleCheck implements Pass {
    @Override
    public String name() {
        return "memory rule check";
    }

    @Override
    public void run(ModuleNode top, List<HdlException> errors) {
        for (ModuleNode module : IrWalk.modules(top)) {
            for (MemoryNode memory : module.memories()) {
                check(module, memory, errors);
            }
        }
    }

    private static void check(ModuleNode module, MemoryNode memory, List<HdlException> errors) {
        String name = "memory '" + memory.name() + "' of " + module.baseName() + " (" + memory.style() + ")";
        RamStyle style = memory.style();
        for (MemoryNode.ReadPort port : memory.readPorts()) {
            if (!port.synchronous() && !style.allowsAsyncRead()) {
                errors.add(new MemoryRuleException(port.location(), name + " cannot be read asynchronously;"
                        + " use readSync, or RamStyle DISTRIBUTED or REGISTERS"));
            }
            if (style == RamStyle.ULTRA && port.synchronous() && port.latency() < 2) {
                errors.add(new MemoryRuleException(port.location(), name + " needs read latency of at least 2"
                        + " (read register and one output register), got " + port.latency()));
            }
        }
        if (style == RamStyle.ULTRA && memory.initialContents() != null) {
            errors.add(new MemoryRuleException(memory.location(), name + " cannot have initial contents;"
                    + " UltraRAM powers up as zeros and must be written"));
        }
        if (memory.readUnderWrite() == ReadUnderWrite.WRITE_FIRST) {
            if (style == RamStyle.ULTRA) {
                errors.add(new MemoryRuleException(memory.location(), name + " supports READ_FIRST or DONT_CARE, not WRITE_FIRST"));
            }
            int[] counts = countWrites(module, memory);
            if (counts[0] != 1 || counts[1] != 0) {
                errors.add(new MemoryRuleException(memory.location(), name + " is WRITE_FIRST, which needs exactly one"
                        + " unmasked write, but has " + counts[0] + " write(s), " + counts[1] + " masked"));
            }
        }
    }

    private static int[] countWrites(ModuleNode module, MemoryNode memory) {
        int[] counts = new int[2];
        IrWalk.statements(module.body(), (statement, guards) -> {
            if (statement instanceof Stmt.MemWrite write && write.memory() == memory) {
                counts[0]++;
                if (write.mask() != null) {
                    counts[1]++;
                }
            }
        });
        return counts;
    }
}
