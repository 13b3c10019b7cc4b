// TeLLMe-J simulation runtime: the C ABI a Verilated model is driven through from Java (FFM API).
//
// The generated shim.cpp defines the design's tables and includes this file once:
//   TLM_PORT_COUNT, TLM_PORT_NAMES[], TLM_PORT_WIDTHS[], TLM_BIND_PORTS(top, out),
//   TLM_MEM_COUNT, TLM_MEM_SCOPES[], TLM_MEM_VARS[], TLM_CLOCK(top), TLM_RESET_ACTIVE(top).
//
// Threading: a model is driven by one thread at a time (the Java side is single-threaded by contract).
// Several models, of one design or of several, may live in one process: each has its own context.
//
// Cycle protocol (cycle()): the state at rest is "clock low, settled". One cycle is
//   1. agents sample the settled signals (handshakes that happen at this edge, protocol checks);
//   2. clock high, eval (registers update; inputs poked since the last eval are seen by the flops);
//   3. agents drive their outputs for the next cycle (the AXI memory model's ready, valid, data);
//   4. clock low, eval (settles what the agents drove).
// Failures inside eval ($stop, $fatal, assertions, Verilator fatals) and inside agents (protocol
// violations) are C++ exceptions caught at the exported entry point; the model then refuses to run.

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "verilated.h"
#include "verilated_syms.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

#define TLM_EXPORT extern "C" __attribute__((visibility("default")))

// Bumped whenever an exported signature or a shared struct changes; the Java side checks it.
#define TLM_ABI_VERSION 6

namespace tlm {

enum State : int32_t { RUNNING = 0, FAILED = 1, FINISHED = 2 };

// Mirrors dev.tellmej.sim.SimFailureKind (by number).
enum FailureKind : int32_t { NONE = 0, STOP = 1, FATAL = 2, PROTOCOL = 3, AXI = 4, NATIVE = 5 };

struct Failure {
    int32_t kind;
    std::string file;
    int32_t line;
    std::string message;
};

// Shared with Java, which reads it in place: keep the layout (int64 cycle at 0, int32 state at 8,
// int64 bytes of printed output waiting for Java at 16).
struct Status {
    int64_t cycle;
    int32_t state;
    int32_t reserved;
    int64_t pendingOutput;
};

// Output kept for Java between two drains; beyond this the oldest is dropped.
static const size_t kPendingLimit = 1 << 20;

struct Instance;
thread_local Instance* g_current = nullptr;

static inline uint32_t storageBytes(int width) {
    if (width <= 8) return 1;
    if (width <= 16) return 2;
    if (width <= 32) return 4;
    if (width <= 64) return 8;
    return 4u * static_cast<uint32_t>((width + 31) / 32);
}

static std::string hex(uint64_t value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
    return buffer;
}

// ---- a valid/ready channel checked every cycle ----------------------------------------------------

struct StreamCheck {
    std::string name;
    int valid = -1;
    int ready = -1;
    std::vector<int> payload;
    bool stalled = false;
    std::vector<uint8_t> snapshot;
};

// ---- the AXI4 slave memory model ------------------------------------------------------------------

// Signal slots of one AXI port, in the order dev.tellmej.sim.AxiSignal lists them. -1 = not present.
enum AxiSig {
    AWVALID, AWREADY, AWADDR, AWLEN, AWSIZE, AWBURST, AWID,
    WVALID, WREADY, WDATA, WSTRB, WLAST,
    BVALID, BREADY, BRESP, BID,
    ARVALID, ARREADY, ARADDR, ARLEN, ARSIZE, ARBURST, ARID,
    RVALID, RREADY, RDATA, RRESP, RLAST, RID,
    AXI_SIG_COUNT
};

struct Burst {
    uint64_t addr;
    uint32_t beats;
    uint32_t size;   // bytes per beat
    uint32_t type;   // 0 FIXED, 1 INCR, 2 WRAP
    uint64_t id;
    uint32_t done;   // beats transferred
    int64_t readyAt; // first edge at which data (read) or the response (write) may be transferred
    uint32_t resp;   // write: the worst response of the beats so far (0 OKAY, 2 SLVERR, 3 DECERR)
};

struct Response {
    int64_t readyAt;
    uint64_t id;
    uint32_t resp;
};

// Addresses [start, end) answered with an error response instead of served (injected by a test).
struct ErrorRange {
    uint64_t start, end;
    uint32_t resp;
};

struct AxiPort {
    std::string name;
    int sig[AXI_SIG_COUNT];
    uint32_t dataBytes = 0;
    bool hasRead = false, hasWrite = false;  // which halves the master has (AR/R, AW/W/B)
    std::deque<Burst> reads;   // accepted AR, oldest first; the front one is being returned
    std::deque<Burst> writes;  // accepted AW whose data has not all arrived
    std::deque<Response> responses;
    uint32_t writesOutstanding = 0;  // AW accepted, B not yet taken
    bool arready = false, awready = false, wready = false, rvalid = false, bvalid = false;
    double wReserved = 0;  // bandwidth credit set aside while wready is high
    StreamCheck aw, w, ar;
};

struct Counters {  // shared with Java as int64[6]
    int64_t bytesRead, bytesWritten, readBursts, writeBursts, busyCycles, cycles;
};

struct AxiMemory {
    uint8_t* base = nullptr;
    uint64_t size = 0;
    uint64_t baseAddress = 0;
    double bytesPerCycle = 0;  // <= 0: unlimited
    double credits = 0;
    double creditCap = 0;
    int32_t readLatency = 1, writeLatency = 1, jitter = 0, maxOutstanding = 8;
    std::mt19937_64 random;
    std::vector<AxiPort> ports;
    std::vector<ErrorRange> errors;
    Counters counters{};
    bool beatThisCycle = false;
    uint32_t rotate = 0;
};

// ---- one model instance --------------------------------------------------------------------------

struct Instance {
    VerilatedContext context;
    Vtlm* top = nullptr;
#if VM_TRACE_FST
    VerilatedFstC* trace = nullptr;
#endif
    Status status{};
    uint64_t halfPeriod = 1;
    void* ports[TLM_PORT_COUNT > 0 ? TLM_PORT_COUNT : 1];
    bool finished = false;
    std::string finishWhere;
    Failure failure{NONE, "", 0, ""};
    std::string output;    // the last few KB the design printed, for failure messages
    std::string lastLine;  // its last complete line
    std::string pending;   // printed and not yet taken by Java, which prints it through System.out
    std::vector<std::unique_ptr<AxiMemory>> memories;
    std::vector<StreamCheck> checks;
    bool agents = false;
};

struct Enter {
    Instance* previous;
    explicit Enter(Instance* in) : previous(g_current) {
        g_current = in;
        Verilated::threadContextp(&in->context);
    }
    ~Enter() { g_current = previous; }
};

[[noreturn]] static void fail(int32_t kind, const std::string& message) {
    throw Failure{kind, "", 0, message};
}

// ---- port access by index -------------------------------------------------------------------------

static inline uint64_t rd(Instance* in, int port) {
    void* p = in->ports[port];
    switch (storageBytes(TLM_PORT_WIDTHS[port])) {
        case 1: return *static_cast<uint8_t*>(p);
        case 2: return *static_cast<uint16_t*>(p);
        case 4: return *static_cast<uint32_t*>(p);
        default: {
            uint64_t v;
            std::memcpy(&v, p, 8);
            return v;
        }
    }
}

static inline void wr(Instance* in, int port, uint64_t value) {
    void* p = in->ports[port];
    int width = TLM_PORT_WIDTHS[port];
    if (width < 64) value &= (uint64_t{1} << width) - 1;
    switch (storageBytes(width)) {
        case 1: *static_cast<uint8_t*>(p) = static_cast<uint8_t>(value); break;
        case 2: *static_cast<uint16_t*>(p) = static_cast<uint16_t>(value); break;
        case 4: *static_cast<uint32_t*>(p) = static_cast<uint32_t>(value); break;
        case 8: std::memcpy(p, &value, 8); break;
        default: {
            uint32_t bytes = storageBytes(width);
            std::memset(p, 0, bytes);
            std::memcpy(p, &value, 8);
        }
    }
}

static inline uint64_t sig(Instance* in, const AxiPort& port, int s, uint64_t absent) {
    return port.sig[s] < 0 ? absent : rd(in, port.sig[s]);
}

static inline void drive(Instance* in, const AxiPort& port, int s, uint64_t value) {
    if (port.sig[s] >= 0) wr(in, port.sig[s], value);
}

// ---- stream checks --------------------------------------------------------------------------------

static void snapshot(Instance* in, StreamCheck& check) {
    check.snapshot.clear();
    for (int p : check.payload) {
        const uint8_t* bytes = static_cast<const uint8_t*>(in->ports[p]);
        check.snapshot.insert(check.snapshot.end(), bytes, bytes + storageBytes(TLM_PORT_WIDTHS[p]));
    }
}

static void sampleCheck(Instance* in, StreamCheck& check, bool inReset) {
    if (inReset) {
        check.stalled = false;
        return;
    }
    bool valid = rd(in, check.valid) != 0;
    bool ready = rd(in, check.ready) != 0;
    std::string where = " (" + check.name + ", before the clock edge of cycle "
                        + std::to_string(in->status.cycle) + ")";
    if (check.stalled) {
        if (!valid) {
            fail(PROTOCOL, "valid dropped before ready: " + std::string(TLM_PORT_NAMES[check.valid])
                               + " fell while " + TLM_PORT_NAMES[check.ready] + " was low" + where);
        }
        size_t offset = 0;
        for (int p : check.payload) {
            uint32_t bytes = storageBytes(TLM_PORT_WIDTHS[p]);
            if (std::memcmp(check.snapshot.data() + offset, in->ports[p], bytes) != 0) {
                std::string detail;
                if (bytes <= 8) {
                    uint64_t before = 0;
                    std::memcpy(&before, check.snapshot.data() + offset, bytes);
                    detail = " from " + hex(before) + " to " + hex(rd(in, p));
                }
                fail(PROTOCOL, "payload changed while valid && !ready: " + std::string(TLM_PORT_NAMES[p])
                                   + " changed" + detail + where);
            }
            offset += bytes;
        }
    }
    check.stalled = valid && !ready;
    if (check.stalled) snapshot(in, check);
}

// ---- AXI memory model -----------------------------------------------------------------------------

static int32_t latency(AxiMemory& mem, int32_t base) {
    if (mem.jitter <= 0) return base;
    return base + static_cast<int32_t>(mem.random() % static_cast<uint64_t>(mem.jitter + 1));
}

static std::string axiWhere(Instance* in, const AxiPort& port, const char* channel) {
    return " (" + port.name + " " + channel + ", cycle " + std::to_string(in->status.cycle) + ")";
}

static Burst readAddress(Instance* in, const AxiPort& port, bool write) {
    const int o = write ? AWADDR : ARADDR;  // AW and AR slots have the same relative order
    const char* channel = write ? "AW" : "AR";
    Burst b{};
    b.addr = rd(in, port.sig[o]);
    b.beats = static_cast<uint32_t>(sig(in, port, o + 1, 0)) + 1;
    uint64_t sizeCode = port.sig[o + 2] < 0 ? __builtin_ctz(port.dataBytes) : rd(in, port.sig[o + 2]);
    b.size = 1u << sizeCode;
    b.type = static_cast<uint32_t>(sig(in, port, o + 3, 1));
    b.id = sig(in, port, o + 4, 0);
    b.done = 0;
    std::string what = std::string(b.type == 0 ? "FIXED" : b.type == 1 ? "INCR" : "WRAP") + " burst at "
                       + hex(b.addr) + " of " + std::to_string(b.beats) + " beats x "
                       + std::to_string(b.size) + " bytes";
    if (b.size > port.dataBytes) {
        fail(PROTOCOL, "AXI burst size of " + std::to_string(b.size) + " bytes exceeds the "
                           + std::to_string(port.dataBytes) + "-byte data bus" + axiWhere(in, port, channel));
    }
    if (b.type == 3) fail(PROTOCOL, "reserved AXI burst type 3" + axiWhere(in, port, channel));
    if (b.type == 0 && b.beats > 16) {
        fail(PROTOCOL, what + ": FIXED bursts are limited to 16 beats" + axiWhere(in, port, channel));
    }
    if (b.type == 2) {
        if (b.beats != 2 && b.beats != 4 && b.beats != 8 && b.beats != 16) {
            fail(PROTOCOL, what + ": WRAP bursts take 2, 4, 8 or 16 beats" + axiWhere(in, port, channel));
        }
        if (b.addr % b.size != 0) {
            fail(PROTOCOL, what + ": WRAP bursts must start aligned to the beat size"
                               + axiWhere(in, port, channel));
        }
    }
    if (b.type == 1) {
        uint64_t first = b.addr & ~uint64_t{b.size - 1};
        uint64_t last = first + uint64_t{b.beats} * b.size - 1;
        if ((b.addr >> 12) != (last >> 12)) {
            fail(PROTOCOL, what + " crosses a 4 KB boundary" + axiWhere(in, port, channel));
        }
    }
    return b;
}

static uint64_t beatAddress(const Burst& b) {
    uint64_t aligned = b.addr & ~uint64_t{b.size - 1};
    switch (b.type) {
        case 0: return b.addr;
        case 2: {
            uint64_t span = uint64_t{b.size} * b.beats;
            uint64_t low = b.addr / span * span;
            return low + (b.addr - low + uint64_t{b.done} * b.size) % span;
        }
        default: return b.done == 0 ? b.addr : aligned + uint64_t{b.done} * b.size;
    }
}

// The bus-wide window of memory a beat at address addr uses.
static uint8_t* window(Instance* in, AxiMemory& mem, const AxiPort& port, uint64_t addr, const char* channel) {
    uint64_t start = addr & ~uint64_t{port.dataBytes - 1};
    if (start < mem.baseAddress || start - mem.baseAddress + port.dataBytes > mem.size) {
        fail(AXI, "AXI access at " + hex(addr) + " is outside the memory [" + hex(mem.baseAddress) + ", "
                      + hex(mem.baseAddress + mem.size) + ")" + axiWhere(in, port, channel));
    }
    return mem.base + (start - mem.baseAddress);
}

// The response to a beat of size bytes at addr: the injected error of a range it touches, else 0 (OKAY).
static uint32_t injectedError(const AxiMemory& mem, uint64_t addr, uint32_t size) {
    uint64_t start = addr & ~uint64_t{size - 1};
    uint32_t resp = 0;
    for (const ErrorRange& range : mem.errors) {
        if (start < range.end && range.start < start + size) resp = std::max(resp, range.resp);
    }
    return resp;
}

static bool takeCredits(AxiMemory& mem, double bytes) {
    if (mem.bytesPerCycle <= 0) return true;
    if (mem.credits < bytes) return false;
    mem.credits -= bytes;
    return true;
}

static void resetPort(Instance* in, AxiPort& port) {
    port.reads.clear();
    port.writes.clear();
    port.responses.clear();
    port.writesOutstanding = 0;
    port.arready = port.awready = port.wready = port.rvalid = port.bvalid = false;
    port.wReserved = 0;
    port.aw.stalled = port.w.stalled = port.ar.stalled = false;
    drive(in, port, AWREADY, 0);
    drive(in, port, WREADY, 0);
    drive(in, port, ARREADY, 0);
    drive(in, port, RVALID, 0);
    drive(in, port, BVALID, 0);
}

// Before the edge: what transfers at this edge.
static void sampleAxi(Instance* in, AxiMemory& mem, bool inReset) {
    mem.beatThisCycle = false;
    for (AxiPort& port : mem.ports) {
        if (inReset) {
            resetPort(in, port);
            continue;
        }
        if (port.hasWrite) {
            sampleCheck(in, port.aw, false);
            sampleCheck(in, port.w, false);
        }
        if (port.hasRead) sampleCheck(in, port.ar, false);
        const int64_t now = in->status.cycle;
        if (port.arready && rd(in, port.sig[ARVALID])) {
            Burst b = readAddress(in, port, false);
            b.readyAt = now + latency(mem, mem.readLatency);
            port.reads.push_back(b);
            mem.counters.readBursts++;
        }
        if (port.rvalid && rd(in, port.sig[RREADY])) {
            Burst& b = port.reads.front();
            mem.counters.bytesRead += b.size;
            mem.beatThisCycle = true;
            if (++b.done == b.beats) port.reads.pop_front();
            port.rvalid = false;
        }
        if (port.awready && rd(in, port.sig[AWVALID])) {
            Burst b = readAddress(in, port, true);
            port.writes.push_back(b);
            port.writesOutstanding++;
            mem.counters.writeBursts++;
        }
        if (port.wready && rd(in, port.sig[WVALID])) {
            Burst& b = port.writes.front();
            bool last = b.done + 1 == b.beats;
            if (port.sig[WLAST] >= 0 && (rd(in, port.sig[WLAST]) != 0) != last) {
                fail(PROTOCOL, std::string("wlast ") + (last ? "missing on" : "set before") + " beat "
                                   + std::to_string(b.done + 1) + " of " + std::to_string(b.beats)
                                   + " of the burst at " + hex(b.addr) + axiWhere(in, port, "W"));
            }
            uint64_t addr = beatAddress(b);
            uint32_t error = injectedError(mem, addr, b.size);
            if (error != 0) {
                b.resp = std::max(b.resp, error);  // the beat is dropped, the burst answered with the error
            } else {
                uint8_t* target = window(in, mem, port, addr, "W");
                const uint8_t* data = static_cast<const uint8_t*>(in->ports[port.sig[WDATA]]);
                const uint8_t* strobe =
                    port.sig[WSTRB] < 0 ? nullptr : static_cast<const uint8_t*>(in->ports[port.sig[WSTRB]]);
                for (uint32_t lane = 0; lane < port.dataBytes; lane++) {
                    if (strobe == nullptr || (strobe[lane / 8] >> (lane % 8) & 1)) target[lane] = data[lane];
                }
            }
            mem.counters.bytesWritten += b.size;
            mem.beatThisCycle = true;
            port.wReserved = 0;  // spent
            if (++b.done == b.beats) {
                port.responses.push_back(Response{now + latency(mem, mem.writeLatency), b.id, b.resp});
                port.writes.pop_front();
            }
        }
        if (port.bvalid && rd(in, port.sig[BREADY])) {
            port.responses.pop_front();
            port.writesOutstanding--;
            port.bvalid = false;
        }
    }
    if (!inReset) {
        mem.counters.cycles++;
        if (mem.beatThisCycle) mem.counters.busyCycles++;
    }
}

// After the edge: what the model presents in the next cycle.
static void driveAxi(Instance* in, AxiMemory& mem, bool inReset) {
    if (inReset) return;
    if (mem.bytesPerCycle > 0) mem.credits = std::min(mem.credits + mem.bytesPerCycle, mem.creditCap);
    const int64_t next = in->status.cycle + 1;  // the edge the driven values meet
    size_t count = mem.ports.size();
    // Round robin over the ports that move data: this cycle's order starts after the last port that took
    // credits in the cycle before, so ports that want data share the bandwidth equally however many idle ports
    // sit between them (a rotation over every port would favour the ports after the idle ones).
    size_t lastServed = count;
    for (size_t k = 0; k < count; k++) {
        size_t at = (mem.rotate + k) % count;
        AxiPort& port = mem.ports[at];
        port.arready = port.hasRead && port.reads.size() < static_cast<size_t>(mem.maxOutstanding);
        drive(in, port, ARREADY, port.arready);
        if (!port.rvalid && !port.reads.empty() && port.reads.front().readyAt <= next
            && takeCredits(mem, port.reads.front().size)) {
            const Burst& b = port.reads.front();
            uint64_t addr = beatAddress(b);
            uint32_t error = injectedError(mem, addr, b.size);
            if (error != 0) {  // no data from an address that answers with an error: zeros
                std::memset(in->ports[port.sig[RDATA]], 0, storageBytes(TLM_PORT_WIDTHS[port.sig[RDATA]]));
            } else {
                std::memcpy(in->ports[port.sig[RDATA]], window(in, mem, port, addr, "R"), port.dataBytes);
            }
            drive(in, port, RLAST, b.done + 1 == b.beats);
            drive(in, port, RID, b.id);
            drive(in, port, RRESP, error);
            port.rvalid = true;
            lastServed = at;
        }
        drive(in, port, RVALID, port.rvalid);

        port.awready = port.hasWrite && port.writesOutstanding < static_cast<uint32_t>(mem.maxOutstanding);
        drive(in, port, AWREADY, port.awready);
        if (port.wReserved > 0) {  // wready was high but no beat came: give the credit back
            mem.credits += port.wReserved;
            port.wReserved = 0;
        }
        port.wready = false;
        if (!port.writes.empty() && takeCredits(mem, port.writes.front().size)) {
            port.wready = true;
            port.wReserved = mem.bytesPerCycle > 0 ? port.writes.front().size : 0;
            lastServed = at;
        }
        drive(in, port, WREADY, port.wready);
        if (!port.bvalid && !port.responses.empty() && port.responses.front().readyAt <= next) {
            drive(in, port, BID, port.responses.front().id);
            drive(in, port, BRESP, port.responses.front().resp);
            port.bvalid = true;
        }
        drive(in, port, BVALID, port.bvalid);
    }
    if (count > 0) mem.rotate = lastServed < count ? (lastServed + 1) % count : (mem.rotate + 1) % count;
}

// ---- the clock ------------------------------------------------------------------------------------

static inline void dump(Instance* in) {
#if VM_TRACE_FST
    if (in->trace) in->trace->dump(in->context.time());
#else
    (void)in;
#endif
}

static inline bool inReset(Instance* in) { return TLM_RESET_ACTIVE(in->top); }

static void sampleAgents(Instance* in) {
    bool reset = inReset(in);
    for (StreamCheck& check : in->checks) sampleCheck(in, check, reset);
    for (auto& mem : in->memories) sampleAxi(in, *mem, reset);
}

static void driveAgents(Instance* in) {
    bool reset = inReset(in);
    for (auto& mem : in->memories) driveAxi(in, *mem, reset);
}

static inline void cycle(Instance* in) {
    Vtlm* top = in->top;
    if (in->agents) sampleAgents(in);
    TLM_CLOCK(top) = 1;
    in->context.timeInc(in->halfPeriod);
    top->eval();
    dump(in);
    if (in->agents) driveAgents(in);
    TLM_CLOCK(top) = 0;
    in->context.timeInc(in->halfPeriod);
    top->eval();
    dump(in);
    in->status.cycle++;
}

static void recordFailure(Instance* in, const Failure& failure) {
    in->failure = failure;
    in->status.state = FAILED;
}

// Runs body with in as the current model; returns false (and records why) when it failed.
template <typename Body>
static bool guarded(Instance* in, Body body) {
    if (in->status.state != RUNNING) return false;
    Enter enter(in);
    try {
        body();
        if (in->finished && in->status.state == RUNNING) in->status.state = FINISHED;
        return in->status.state == RUNNING;
    } catch (const Failure& failure) {
        recordFailure(in, failure);
    } catch (const std::exception& e) {
        recordFailure(in, Failure{NATIVE, "", 0, std::string("C++ exception: ") + e.what()});
    } catch (...) {
        recordFailure(in, Failure{NATIVE, "", 0, "unknown C++ exception"});
    }
    return false;
}

}  // namespace tlm

// ---- Verilator's user hooks (VL_USER_STOP, VL_USER_FATAL, VL_USER_FINISH in tlm_prelude.h) ----------

static std::string stopMessage(const char* filename, int linenum, const char* fallback) {
    tlm::Instance* in = tlm::g_current;
    // A check written by hdl-gen's assertAlways prints its own line (with the Java source line) before $stop.
    if (in && in->lastLine.rfind("ASSERTION FAILED", 0) == 0) return in->lastLine;
    // $fatal, $error and failed assertions print their message (with the file's base name) just before
    // they stop.
    if (in && !in->lastLine.empty() && filename && *filename) {
        std::string name(filename);
        size_t slash = name.rfind('/');
        if (slash != std::string::npos) name.erase(0, slash + 1);
        if (in->lastLine.find(name + ":" + std::to_string(linenum)) != std::string::npos) return in->lastLine;
    }
    return fallback;
}

void vl_stop(const char* filename, int linenum, const char* hier) {
    (void)hier;
    throw tlm::Failure{tlm::STOP, filename ? filename : "", linenum, stopMessage(filename, linenum, "Verilog $stop")};
}

void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) {
    (void)hier;
    throw tlm::Failure{tlm::FATAL, filename ? filename : "", linenum, msg ? msg : "Verilator fatal error"};
}

void vl_finish(const char* filename, int linenum, const char* hier) {
    (void)hier;
    if (tlm::g_current) {
        tlm::g_current->finished = true;
        tlm::g_current->finishWhere = std::string(filename ? filename : "") + ":" + std::to_string(linenum);
    }
    Verilated::threadContextp()->gotFinish(true);
}

extern "C" int tlm_vl_printf(const char* format, ...) {
    char small[512];
    va_list args;
    va_start(args, format);
    int length = std::vsnprintf(small, sizeof small, format, args);
    va_end(args);
    std::string text;
    if (length < 0) return length;
    if (static_cast<size_t>(length) < sizeof small) {
        text.assign(small, static_cast<size_t>(length));
    } else {
        text.resize(static_cast<size_t>(length) + 1);
        va_start(args, format);
        std::vsnprintf(&text[0], text.size(), format, args);
        va_end(args);
        text.resize(static_cast<size_t>(length));
    }
    tlm::Instance* in = tlm::g_current;
    if (!in) {  // printed outside any model call (static initialization): nowhere else to put it
        std::fputs(text.c_str(), stderr);
        return length;
    }
    {
        if (in->pending.size() + text.size() > tlm::kPendingLimit) {
            in->pending = "[... earlier output dropped: more than 1 MB between two steps]\n";
        }
        in->pending += text;
        in->status.pendingOutput = static_cast<int64_t>(in->pending.size());
        in->output += text;
        if (in->output.size() > 8192) in->output.erase(0, in->output.size() - 4096);
        size_t end = in->output.find_last_not_of('\n');
        if (end != std::string::npos) {
            size_t start = in->output.rfind('\n', end);
            in->lastLine = in->output.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
        }
    }
    return length;
}

// ---- the exported ABI -------------------------------------------------------------------------------

using tlm::Instance;

TLM_EXPORT int32_t tlm_abi_version() { return TLM_ABI_VERSION; }

TLM_EXPORT int32_t tlm_nop() { return 0; }

TLM_EXPORT int32_t tlm_port_count() { return TLM_PORT_COUNT; }

TLM_EXPORT int32_t tlm_port_width(int32_t port) { return TLM_PORT_WIDTHS[port]; }

TLM_EXPORT const char* tlm_port_name(int32_t port) { return TLM_PORT_NAMES[port]; }

TLM_EXPORT int32_t tlm_port_bytes(int32_t port) {
    return static_cast<int32_t>(tlm::storageBytes(TLM_PORT_WIDTHS[port]));
}

TLM_EXPORT int32_t tlm_traceable() { return VM_TRACE_FST; }

// Creates a model. tracePath: an FST file to write, or null. halfPeriodPs: half a clock period in
// picoseconds (waveform time only). Returns null when construction failed (the reason goes to stderr).
TLM_EXPORT Instance* tlm_new(const char* tracePath, int64_t halfPeriodPs) {
    Instance* in = nullptr;
    try {
        in = new Instance();
        tlm::Enter enter(in);
        in->context.fatalOnError(false);
#if VM_TRACE_FST
        if (tracePath) in->context.traceEverOn(true);
#endif
        in->top = new Vtlm(&in->context, "TOP");
        TLM_BIND_PORTS(in->top, in->ports);
        // Simulation time counts in the design's time precision (10^-p seconds).
        double units = static_cast<double>(halfPeriodPs);
        for (int p = -in->context.timeprecision(); p > 12; p--) units *= 10;
        for (int p = -in->context.timeprecision(); p < 12; p++) units /= 10;
        in->halfPeriod = units < 1 ? 1 : static_cast<uint64_t>(units + 0.5);
#if VM_TRACE_FST
        if (tracePath) {
            in->trace = new VerilatedFstC();
            in->top->trace(in->trace, 99);
            in->trace->open(tracePath);
        }
#else
        (void)tracePath;
#endif
        TLM_CLOCK(in->top) = 0;
        in->top->eval();  // initial blocks, settle
        tlm::dump(in);
    } catch (const tlm::Failure& failure) {
        if (in) tlm::recordFailure(in, failure);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tlm_new: %s\n", e.what());
        return nullptr;
    }
    return in;
}

TLM_EXPORT void tlm_delete(Instance* in) {
    if (!in) return;
    {
        tlm::Enter enter(in);
        try {
            if (in->status.state == tlm::RUNNING) in->top->final();
        } catch (...) {
            // final blocks that stop while the model is closing have nothing left to stop
        }
#if VM_TRACE_FST
        if (in->trace) {
            in->trace->close();
            delete in->trace;
        }
#endif
        delete in->top;
    }
    delete in;
}

TLM_EXPORT tlm::Status* tlm_status(Instance* in) { return &in->status; }

TLM_EXPORT void* tlm_port(Instance* in, int32_t port) { return in->ports[port]; }

// What tlm_eval and tlm_step return: the state, plus 8 when printed output waits for Java. 0 means
// "running, nothing to do", which is all the Java side checks on its fast path.
static inline int32_t outcome(Instance* in) {
    return in->status.state | (in->pending.empty() ? 0 : 8);
}

// Settles combinational logic after the Java side changed inputs or memory contents.
TLM_EXPORT int32_t tlm_eval(Instance* in) {
    tlm::guarded(in, [&] { in->top->eval(); });
    return outcome(in);
}

// Runs n clock cycles. settle: inputs changed since the last eval, and agents must see them settled.
TLM_EXPORT int32_t tlm_step(Instance* in, int64_t n, int32_t settle) {
    tlm::guarded(in, [&] {
        if (settle && in->agents) in->top->eval();
        for (int64_t i = 0; i < n; i++) {
            tlm::cycle(in);
            if (in->finished) break;
        }
    });
    return outcome(in);
}

// Runs until (port & mask) == value (equal != 0) or != value (equal == 0), checked before every cycle,
// for at most maxCycles cycles. Returns the cycles run, or -1 when the condition never held.
TLM_EXPORT int64_t tlm_run_until(Instance* in, int32_t port, uint64_t mask, uint64_t value, int32_t equal,
                                 int64_t maxCycles) {
    int64_t ran = -1;
    tlm::guarded(in, [&] {
        in->top->eval();
        for (int64_t i = 0;; i++) {
            bool holds = ((tlm::rd(in, port) & mask) == value) == (equal != 0);
            if (holds) {
                ran = i;
                return;
            }
            if (i == maxCycles || in->finished) return;
            tlm::cycle(in);
        }
    });
    return ran;
}

// The benchmark's reference: the same cycle as tlm_step, looped in C++, writing the cycle number to
// input port inPort and reading output port outPort every cycle. Returns a checksum of what it read.
TLM_EXPORT int64_t tlm_bench(Instance* in, int64_t n, int32_t inPort, int32_t outPort) {
    uint64_t sum = 0;
    tlm::guarded(in, [&] {
        for (int64_t i = 0; i < n; i++) {
            tlm::wr(in, inPort, static_cast<uint64_t>(i));
            tlm::cycle(in);
            sum += tlm::rd(in, outPort);
        }
    });
    return static_cast<int64_t>(sum);
}

TLM_EXPORT int32_t tlm_failure_kind(Instance* in) { return in->failure.kind; }
TLM_EXPORT int32_t tlm_failure_line(Instance* in) { return in->failure.line; }
TLM_EXPORT const char* tlm_failure_file(Instance* in) { return in->failure.file.c_str(); }
TLM_EXPORT const char* tlm_failure_message(Instance* in) { return in->failure.message.c_str(); }
TLM_EXPORT const char* tlm_output_tail(Instance* in) { return in->output.c_str(); }
TLM_EXPORT const char* tlm_finish_where(Instance* in) { return in->finishWhere.c_str(); }

// What the design printed since the last tlm_output_clear (Java prints it, then clears).
TLM_EXPORT const char* tlm_output_pending(Instance* in) { return in->pending.c_str(); }

TLM_EXPORT void tlm_output_clear(Instance* in) {
    in->pending.clear();
    in->status.pendingOutput = 0;
}

TLM_EXPORT void tlm_trace_flush(Instance* in) {
#if VM_TRACE_FST
    if (in->trace) in->trace->flush();
#else
    (void)in;
#endif
}

// ---- memories (Verilog arrays marked public_flat_rw by the build) ------------------------------------

TLM_EXPORT int32_t tlm_mem_count() { return TLM_MEM_COUNT; }

// Fills info with {data pointer, bytes per word, words, lowest index}. Returns 0, or -1 when the
// memory is not in the model's symbol table.
TLM_EXPORT int32_t tlm_mem_lookup(Instance* in, int32_t index, int64_t* info) {
    tlm::Enter enter(in);
    const VerilatedScope* scope = in->context.scopeFind(TLM_MEM_SCOPES[index]);
    if (!scope) return -1;
    const VerilatedVar* var = scope->varFind(TLM_MEM_VARS[index]);
    if (!var || var->udims() != 1) return -1;
    info[0] = reinterpret_cast<int64_t>(var->datap());
    info[1] = var->entSize();
    info[2] = var->elements(1);  // dimension 0 is the packed word, 1 the first unpacked one
    info[3] = var->low(1);
    return 0;
}

// ---- agents -----------------------------------------------------------------------------------------

// A native valid/ready checker: fails the model when valid drops before ready or the payload changes
// while valid && !ready. Skipped while reset is active.
TLM_EXPORT int32_t tlm_check_stream(Instance* in, const char* name, int32_t valid, int32_t ready,
                                    const int32_t* payload, int32_t payloadCount) {
    tlm::StreamCheck check;
    check.name = name;
    check.valid = valid;
    check.ready = ready;
    check.payload.assign(payload, payload + payloadCount);
    in->checks.push_back(std::move(check));
    in->agents = true;
    return static_cast<int32_t>(in->checks.size() - 1);
}

// A memory the AXI model serves from: base (size bytes, owned by the caller) holds addresses
// [baseAddress, baseAddress + size). Returns its index.
TLM_EXPORT int32_t tlm_axi_memory(Instance* in, uint8_t* base, int64_t size, int64_t baseAddress,
                                  double bytesPerCycle, int32_t readLatency, int32_t writeLatency,
                                  int32_t jitter, int32_t maxOutstanding, int64_t seed) {
    auto mem = std::make_unique<tlm::AxiMemory>();
    mem->base = base;
    mem->size = static_cast<uint64_t>(size);
    mem->baseAddress = static_cast<uint64_t>(baseAddress);
    mem->bytesPerCycle = bytesPerCycle;
    mem->readLatency = std::max(1, readLatency);
    mem->writeLatency = std::max(1, writeLatency);
    mem->jitter = std::max(0, jitter);
    mem->maxOutstanding = std::max(1, maxOutstanding);
    mem->random.seed(static_cast<uint64_t>(seed));
    in->memories.push_back(std::move(mem));
    in->agents = true;
    return static_cast<int32_t>(in->memories.size() - 1);
}

// Serves the master port whose signals are sigs (AXI_SIG_COUNT port indices, -1 when absent) from
// memory. Returns 0.
TLM_EXPORT int32_t tlm_axi_attach(Instance* in, int32_t memory, const char* name, const int32_t* sigs) {
    tlm::AxiMemory& mem = *in->memories[static_cast<size_t>(memory)];
    tlm::AxiPort port;
    port.name = name;
    std::copy(sigs, sigs + tlm::AXI_SIG_COUNT, port.sig);
    port.hasRead = sigs[tlm::ARVALID] >= 0;
    port.hasWrite = sigs[tlm::AWVALID] >= 0;
    port.dataBytes = static_cast<uint32_t>(TLM_PORT_WIDTHS[sigs[port.hasRead ? tlm::RDATA : tlm::WDATA]] / 8);
    auto channel = [&](tlm::StreamCheck& check, const char* suffix, int valid, int ready, int first, int last) {
        check.name = port.name + " " + suffix;
        check.valid = sigs[valid];
        check.ready = sigs[ready];
        for (int s = first; s <= last; s++) {
            if (sigs[s] >= 0) check.payload.push_back(sigs[s]);
        }
    };
    channel(port.aw, "AW", tlm::AWVALID, tlm::AWREADY, tlm::AWADDR, tlm::AWID);
    channel(port.w, "W", tlm::WVALID, tlm::WREADY, tlm::WDATA, tlm::WLAST);
    channel(port.ar, "AR", tlm::ARVALID, tlm::ARREADY, tlm::ARADDR, tlm::ARID);
    double widest = std::max<double>(port.dataBytes, mem.creditCap - mem.bytesPerCycle);
    mem.creditCap = mem.bytesPerCycle + widest;  // a full beat can always accumulate
    mem.ports.push_back(std::move(port));
    tlm::resetPort(in, mem.ports.back());
    return 0;
}

// Answers every beat of memory that touches [address, address + bytes) with response resp (2 SLVERR,
// 3 DECERR) instead of serving it: reads return zeros, writes are dropped. The range may lie outside the
// memory's bytes (a DECERR hole in the address map).
TLM_EXPORT void tlm_axi_error(Instance* in, int32_t memory, int64_t address, int64_t bytes, int32_t resp) {
    tlm::AxiMemory& mem = *in->memories[static_cast<size_t>(memory)];
    uint64_t start = static_cast<uint64_t>(address);
    mem.errors.push_back(tlm::ErrorRange{start, start + static_cast<uint64_t>(bytes), static_cast<uint32_t>(resp)});
}

// Copies the counters of a memory: bytes read, bytes written, read bursts, write bursts, cycles with
// at least one data beat, cycles counted (outside reset).
TLM_EXPORT void tlm_axi_counters(Instance* in, int32_t memory, int64_t* out) {
    const tlm::Counters& c = in->memories[static_cast<size_t>(memory)]->counters;
    out[0] = c.bytesRead;
    out[1] = c.bytesWritten;
    out[2] = c.readBursts;
    out[3] = c.writeBursts;
    out[4] = c.busyCycles;
    out[5] = c.cycles;
}
