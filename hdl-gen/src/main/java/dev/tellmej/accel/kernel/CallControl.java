package dev.tellmej.accel.kernel;

import static dev.tellmej.hdl.Hdl.*;

import dev.tellmej.accel.protocol.KernelInterface;
import dev.tellmej.hdl.Area;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.lib.axi.Axi4LiteRegisterBank;

/**
 * A call's control (docs/device.md, "A call"): takes {@code ap_start}, holds the arguments for the whole call,
 * counts its cycles, and at its end latches the status registers the host reads and raises {@code ap_done}.
 */
final class CallControl extends Area {
    /** How a call ended, driven by the sequencer and latched at {@link #finish}. */
    record Result(UInt errorCode, UInt errorDetail, UInt position, UInt instructions, UInt argmax) {}

    /** Pulses in the cycle a call starts (the arguments are latched at that edge). */
    final Bool start;
    /** Driven by the sequencer: the call's writes have landed, report it done. */
    final Bool finish;
    final Result result;
    final Bool busy;
    final UInt mode;
    final UInt tokenCount;
    final UInt startPosition;
    final UInt debug;
    final UInt image;
    final UInt kvCache;
    final UInt io;
    /** Cycles since the call started. */
    final UInt cycles;
    /** Cycles of the call in which some master port moved a beat. */
    final UInt ddrBusyCycles;
    /** Cycles of the call in which the sequencer or a unit waited for DDR data. */
    final UInt stallCycles;

    CallControl(Axi4LiteRegisterBank bank, Bool movedLastCycle, Bool stalled) {
        super("call_control", "takes ap_start, holds the arguments, counts the call's cycles, reports its end");
        finish = wire("call_finish", bool());
        finish.set(false);
        result = new Result(wire("result_error_code", uint(8)), wire("result_error_detail", uint(32)),
                wire("result_position", uint(32)), wire("result_instructions", uint(32)),
                wire("result_argmax", uint(32)));
        Bool running = reg("call_busy", bool(), 0);
        busy = running;
        start = bank.apStart.and(running.not()).named("call_start");
        bank.apReady.set(start);
        bank.apIdle.set(running.not());
        bank.apDone.set(finish);
        when(start, () -> running.set(true)).elseWhen(finish, () -> running.set(false));

        mode = regNextWhen("arg_mode", bank.register("mode"), start);
        tokenCount = regNextWhen("arg_token_count", bank.register("token_count"), start);
        startPosition = regNextWhen("arg_start_position", bank.register("start_position"), start);
        debug = regNextWhen("arg_debug", bank.register("debug"), start);
        image = regNextWhen("arg_image", bank.register("image"), start);
        kvCache = regNextWhen("arg_kv_cache", bank.register("kv_cache"), start);
        io = regNextWhen("arg_io", bank.register("io"), start);

        cycles = counter("call_cycles", start, running);
        // A beat is counted a cycle after it moved (for timing: the ports' handshakes, through the arbiters'
        // routing, lay on the path into the counter's enable). The count is the same: a call's first beat comes
        // cycles after its start, and its end comes cycles after its last beat (a write's response, then the
        // sequencer's end).
        ddrBusyCycles = counter("call_ddr_busy_cycles", start, running.and(movedLastCycle));
        stallCycles = counter("call_stall_cycles", start, running.and(stalled));

        Bool failed = result.errorCode().ne(0).named("result_failed");
        bank.register("status").set(regNextWhen("status_q", mux(failed, U(KernelInterface.STATUS_FAILED, 32),
                U(KernelInterface.STATUS_SUCCEEDED, 32)), finish, 0));
        bank.register("error_code").set(regNextWhen("error_code_q", result.errorCode().resize(32), finish, 0));
        bank.register("error_detail").set(regNextWhen("error_detail_q", result.errorDetail(), finish, 0));
        bank.register("position").set(regNextWhen("position_q", result.position(), finish, 0));
        bank.register("cycles").set(regNextWhen("cycles_q", cycles, finish, 0));
        bank.register("ddr_busy_cycles").set(regNextWhen("ddr_busy_cycles_q", ddrBusyCycles, finish, 0));
        bank.register("stall_cycles").set(regNextWhen("stall_cycles_q", stallCycles, finish, 0));
        bank.register("instructions").set(regNextWhen("instructions_q", result.instructions(), finish, 0));
        bank.register("argmax").set(regNextWhen("argmax_q", result.argmax(), finish, 0));
    }

    /** A 64-bit count of the cycles with {@code when} high, from zero at {@code clear}. */
    private static UInt counter(String name, Bool clear, Bool when) {
        UInt count = reg(name, uint(64), 0);
        when(clear, () -> count.set(0)).elseWhen(when, () -> count.set(count.add(1).trunc(64)));
        return count;
    }
}
