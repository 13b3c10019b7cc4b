package dev.tellmej.eda.timing;

import dev.tellmej.eda.timing.YosysNetlist.Cell;
import dev.tellmej.eda.timing.YosysNetlist.Direction;
import dev.tellmej.eda.timing.YosysNetlist.Module;
import dev.tellmej.eda.timing.YosysNetlist.NetName;
import dev.tellmej.eda.timing.YosysNetlist.Port;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One module's timing graph: its signal bits (and a few virtual nodes) joined by the delays of the cells between
 * them, where paths start (clocked outputs, and the top's input ports) and where they end (clocked inputs, and the
 * top's output ports). Instances of other modules enter through their summaries: when each output bit settles
 * after the clock, how long each input bit has to reach a register inside, and the delay from each input port to
 * each output bit. Package-private: {@link TimingAnalysis} builds one per module, children first.
 */
final class ModuleGraph {
    static final double NONE = Double.NEGATIVE_INFINITY;

    // Edge kinds: what a path passes through from an edge's source node to its target node.
    static final byte E_LUT = 1;
    static final byte E_TRANSPARENT = 2;
    static final byte E_MUXF = 3;
    static final byte E_CARRY = 4;
    static final byte E_DSP = 5;
    static final byte E_LUTRAM = 6;
    static final byte E_SRL = 7;
    static final byte E_INSTANCE_IN = 8;
    static final byte E_INSTANCE_ARC = 9;
    static final byte E_DSP_OUT = 10;

    // Start kinds.
    static final byte S_FF = 1;
    static final byte S_BRAM = 2;
    static final byte S_URAM = 3;
    static final byte S_DSP = 4;
    static final byte S_DSP_INTERNAL = 5;
    static final byte S_LUTRAM = 6;
    static final byte S_SRL = 7;
    static final byte S_PORT = 8;
    static final byte S_INSTANCE = 9;
    static final byte S_UNKNOWN = 10;

    // Endpoint kinds.
    static final byte P_FF = 1;
    static final byte P_BRAM = 2;
    static final byte P_URAM = 3;
    static final byte P_DSP = 4;
    static final byte P_DSP_INTERNAL = 5;
    static final byte P_LUTRAM = 6;
    static final byte P_SRL = 7;
    static final byte P_PORT = 8;
    static final byte P_INSTANCE = 9;
    static final byte P_UNKNOWN = 10;

    final Module module;
    final boolean top;
    final DelayModel model;
    final CellKind[] kinds;
    final ModuleGraph[] children;
    /** Node ids below this are Yosys signal bits; virtual nodes follow. */
    final int bits;
    final List<String> warnings = new ArrayList<>();
    /** DSP cells whose neighbouring flip-flops were counted as their pipeline registers. */
    int absorbedDsps;

    private int nodes;
    private final int[] driverCell;
    private final int[] fanout;
    private int[] sinkStart;
    private int[] sinkCell;
    private String[] sinkPin;

    /** The edges: from a node through a cell (or into or through an instance) to a node, with its delay (ns). */
    final Ints eFrom = new Ints();
    final Ints eTo = new Ints();
    final Ints eCell = new Ints();
    final Ints eAux = new Ints();
    final Ints eAux2 = new Ints();
    final Doubles eDelay = new Doubles();
    final Bytes eKind = new Bytes();

    /**
     * Per node, when it settles as a start (clock to out, ns), or {@link #NONE}; its kind, its cell, and for an
     * instance's output the child's bit.
     */
    double[] start;
    byte[] startKind;
    int[] startCell;
    int[] startAux;

    /** The endpoints: a node and what is added after it (net and setup, or the rest of the way in an instance). */
    final Ints epNode = new Ints();
    final Ints epCell = new Ints();
    final Ints epAux = new Ints();
    final Ints epIndex = new Ints();
    final Doubles epExtra = new Doubles();
    final Bytes epKind = new Bytes();
    final List<String> epPin = new ArrayList<>();

    final Map<Integer, DspPipeline> dsps = new HashMap<>();

    private int[] outStart;
    private int[] outEdge;
    /** Edges cut to break a combinational loop; the passes skip them. */
    private boolean[] dropped;
    private int[] order;
    /** Per node, the latest a signal settles after the clock edge (ns), or {@link #NONE} where no path arrives. */
    double[] arr;
    /** Per node, the edge the latest arrival came through; -1 where it is a start. */
    int[] pred;
    /** Per node, the longest delay on to an endpoint, its setup included (ns), or {@link #NONE} where none is. */
    double[] req;
    /** Per node, the edge that longest way takes; {@code -(endpoint + 2)} where it ends there; -1 where none. */
    int[] succ;

    /** Input ports (in order) and, per input port, the arrival at each output-port bit from that port alone. */
    private final List<String> inputPorts = new ArrayList<>();
    private final Map<String, Integer> inputPortIndex = new HashMap<>();
    private int[] outputOrdinal;
    private double[][] comb;

    private int[] bestNet;
    private int[] bestBit;

    /**
     * Builds the graph of {@code module}; {@code graphs} holds the analysed graphs of the modules it instantiates.
     */
    ModuleGraph(Module module, boolean top, DelayModel model, Map<String, ModuleGraph> graphs) {
        this.module = module;
        this.top = top;
        this.model = model;
        List<Cell> cells = module.cells();
        kinds = new CellKind[cells.size()];
        children = new ModuleGraph[cells.size()];
        int maxBit = 1;
        for (Port port : module.ports().values()) {
            maxBit = Math.max(maxBit, max(port.bits()));
        }
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            children[c] = graphs.get(cell.type());
            kinds[c] = CellKind.of(cell.type(), children[c] != null);
            for (int[] b : cell.connections().values()) {
                maxBit = Math.max(maxBit, max(b));
            }
        }
        for (NetName net : module.netNames()) {
            maxBit = Math.max(maxBit, max(net.bits()));
        }
        bits = maxBit + 1;
        nodes = bits;
        start = new double[bits];
        Arrays.fill(start, NONE);
        startKind = new byte[bits];
        startCell = new int[bits];
        startAux = new int[bits];
        driverCell = new int[bits];
        Arrays.fill(driverCell, -1);
        fanout = new int[bits];
        drivers();
        sinks();
        for (int c = 0; c < cells.size(); c++) {
            if (kinds[c] == CellKind.DSP) {
                dsps.put(c, dspConfig(c));
            }
        }
        for (int c = 0; c < cells.size(); c++) {
            cell(c);
        }
        if (top) {
            for (Port port : module.ports().values()) {
                int[] b = port.bits();
                for (int i = 0; i < b.length; i++) {
                    if (b[i] < 2) {
                        continue;
                    }
                    if (port.direction() == Direction.INPUT) {
                        setStart(b[i], 0, S_PORT, -1, i);
                    } else if (port.direction() == Direction.OUTPUT) {
                        addEndpoint(b[i], 0, P_PORT, -1, b[i], port.name(), i);
                    }
                }
            }
        }
        topologicalOrder();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Structure: drivers, loads, the cells' delays.

    private static int max(int[] values) {
        int m = 1;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private Direction direction(int c, String pin) {
        Cell cell = module.cells().get(c);
        if (children[c] != null) {
            Port port = children[c].module.ports().get(pin);
            return port == null ? Direction.INPUT : port.direction();
        }
        return cell.directions().getOrDefault(pin, Direction.INPUT);
    }

    private void drivers() {
        for (Port port : module.ports().values()) {
            if (port.direction() == Direction.INPUT) {
                for (int b : port.bits()) {
                    if (b >= 2) {
                        driverCell[b] = -2;
                    }
                }
            }
        }
        List<Cell> cells = module.cells();
        for (int c = 0; c < cells.size(); c++) {
            for (Map.Entry<String, int[]> pin : cells.get(c).connections().entrySet()) {
                if (direction(c, pin.getKey()) != Direction.OUTPUT) {
                    continue;
                }
                for (int b : pin.getValue()) {
                    if (b >= 2) {
                        driverCell[b] = c;
                    }
                }
            }
        }
    }

    private boolean isLoad(int c, String pin) {
        return direction(c, pin) == Direction.INPUT && !(children[c] == null && CellKind.isClock(pin))
                && kinds[c] != CellKind.CONSTANT;
    }

    private void sinks() {
        List<Cell> cells = module.cells();
        for (int c = 0; c < cells.size(); c++) {
            for (Map.Entry<String, int[]> pin : cells.get(c).connections().entrySet()) {
                if (isLoad(c, pin.getKey())) {
                    for (int b : pin.getValue()) {
                        if (b >= 2) {
                            fanout[b]++;
                        }
                    }
                }
            }
        }
        for (Port port : module.ports().values()) {
            if (port.direction() == Direction.OUTPUT) {
                for (int b : port.bits()) {
                    if (b >= 2) {
                        fanout[b]++;
                    }
                }
            }
        }
        sinkStart = new int[bits + 1];
        for (int b = 0; b < bits; b++) {
            sinkStart[b + 1] = sinkStart[b] + fanout[b];
        }
        sinkCell = new int[sinkStart[bits]];
        sinkPin = new String[sinkStart[bits]];
        int[] fill = Arrays.copyOf(sinkStart, bits);
        for (int c = 0; c < cells.size(); c++) {
            for (Map.Entry<String, int[]> pin : cells.get(c).connections().entrySet()) {
                if (isLoad(c, pin.getKey())) {
                    for (int b : pin.getValue()) {
                        if (b >= 2) {
                            sinkCell[fill[b]] = c;
                            sinkPin[fill[b]++] = pin.getKey();
                        }
                    }
                }
            }
        }
        for (Port port : module.ports().values()) {
            if (port.direction() == Direction.OUTPUT) {
                for (int b : port.bits()) {
                    if (b >= 2) {
                        sinkCell[fill[b]] = -2;
                        sinkPin[fill[b]++] = port.name();
                    }
                }
            }
        }
    }

    /** The kind of cell driving {@code bit}, looking through inverters and buffers; null for a port or nothing. */
    private CellKind driverKind(int bit) {
        for (int hops = 0; hops < 32; hops++) {
            int c = bit >= 2 ? driverCell[bit] : -1;
            if (c < 0) {
                return null;
            }
            if (kinds[c] != CellKind.TRANSPARENT) {
                return kinds[c];
            }
            bit = firstInput(c);
        }
        return null;
    }

    private int firstInput(int c) {
        for (Map.Entry<String, int[]> pin : module.cells().get(c).connections().entrySet()) {
            if (direction(c, pin.getKey()) == Direction.INPUT && pin.getValue().length > 0) {
                return pin.getValue()[0];
            }
        }
        return -1;
    }

    /** The delay of the net from {@code bit} to pin {@code pin} of cell {@code c}. */
    private double net(int bit, int c, String pin) {
        CellKind sink = kinds[c];
        if (sink == CellKind.TRANSPARENT || sink == CellKind.INSTANCE) {
            return 0;   // counted after the inverter, or inside the instance
        }
        CellKind driver = driverKind(bit);
        if (sink == CellKind.MUXF && (pin.equals("I0") || pin.equals("I1"))
                && (driver == CellKind.LUT || driver == CellKind.MUXF)) {
            return 0;
        }
        if (sink == CellKind.CARRY && (pin.equals("S") || pin.equals("DI")) && driver == CellKind.LUT) {
            return 0;
        }
        if (sink == CellKind.CARRY && pin.equals("CI") && driver == CellKind.CARRY) {
            return 0;
        }
        if (sink == CellKind.FLIP_FLOP && pin.equals("D") && fanout[bit] == 1
                && (driver == CellKind.LUT || driver == CellKind.MUXF || driver == CellKind.CARRY)) {
            return model.netLocal();
        }
        return model.net(fanout[bit]);
    }

    private int newVirtual() {
        int node = nodes++;
        if (node >= start.length) {
            int size = Math.max(16, start.length + start.length / 2);
            int from = start.length;
            start = Arrays.copyOf(start, size);
            Arrays.fill(start, from, size, NONE);
            startKind = Arrays.copyOf(startKind, size);
            startCell = Arrays.copyOf(startCell, size);
            startAux = Arrays.copyOf(startAux, size);
        }
        return node;
    }

    private void setStart(int node, double delay, byte kind, int cell, int aux) {
        if (delay > start[node]) {
            start[node] = delay;
            startKind[node] = kind;
            startCell[node] = cell;
            startAux[node] = aux;
        }
    }

    private void addEdge(int from, int to, double delay, byte kind, int cell, int aux, int aux2) {
        eFrom.add(from);
        eTo.add(to);
        eDelay.add(delay);
        eKind.add(kind);
        eCell.add(cell);
        eAux.add(aux);
        eAux2.add(aux2);
    }

    /** An edge from {@code bit}, a load on pin {@code pin} of cell {@code c}, through the cell to {@code to}. */
    private void arc(int bit, int c, String pin, int to, double cellDelay, byte kind, int aux) {
        addEdge(bit, to, net(bit, c, pin) + cellDelay, kind, c, aux, -1);
    }

    private void addEndpoint(int node, double extra, byte kind, int cell, int aux, String pin, int index) {
        epNode.add(node);
        epExtra.add(extra);
        epKind.add(kind);
        epCell.add(cell);
        epAux.add(aux);
        epPin.add(pin);
        epIndex.add(index);
    }

    private void endpoint(int bit, int c, String pin, int index, double setup, byte kind, int aux) {
        addEndpoint(bit, net(bit, c, pin) + setup, kind, c, aux, pin, index);
    }

    private void cell(int c) {
        Cell cell = module.cells().get(c);
        switch (kinds[c]) {
            case FLIP_FLOP -> flipFlop(c, cell);
            case LUT -> combinational(c, cell, model.lut(), E_LUT);
            case TRANSPARENT -> combinational(c, cell, 0, E_TRANSPARENT);
            case MUXF -> combinational(c, cell, model.muxf(), E_MUXF);
            case CARRY -> carry(c, cell);
            case DSP -> dsp(c, cell);
            case BRAM -> ram(c, cell, S_BRAM, P_BRAM, model.bramSetup());
            case URAM -> ram(c, cell, S_URAM, P_URAM, model.uramSetup());
            case LUTRAM -> lutRam(c, cell);
            case SRL -> srl(c, cell);
            case INSTANCE -> instance(c, cell);
            case CONSTANT -> { }
            case UNKNOWN -> unknown(c, cell);
        }
    }

    private List<Map.Entry<String, int[]>> pins(int c, Direction direction) {
        List<Map.Entry<String, int[]>> pins = new ArrayList<>();
        for (Map.Entry<String, int[]> pin : module.cells().get(c).connections().entrySet()) {
            if (direction(c, pin.getKey()) == direction) {
                pins.add(pin);
            }
        }
        return pins;
    }

    private void flipFlop(int c, Cell cell) {
        int q = -1;
        for (Map.Entry<String, int[]> pin : pins(c, Direction.OUTPUT)) {
            for (int b : pin.getValue()) {
                if (b >= 2) {
                    setStart(b, model.clockToQ(), S_FF, c, -1);
                    q = q < 0 ? b : q;
                }
            }
        }
        for (Map.Entry<String, int[]> pin : pins(c, Direction.INPUT)) {
            String name = pin.getKey();
            if (CellKind.isClock(name)) {
                continue;
            }
            double setup = name.equals("D") ? model.ffSetup() : model.ffControlSetup();
            int[] b = pin.getValue();
            for (int i = 0; i < b.length; i++) {
                if (b[i] >= 2) {
                    endpoint(b[i], c, name, i, setup, P_FF, q);
                }
            }
        }
    }

    /** Every input bit to every output bit, through {@code delay}. */
    private void combinational(int c, Cell cell, double delay, byte kind) {
        List<Map.Entry<String, int[]>> outputs = pins(c, Direction.OUTPUT);
        for (Map.Entry<String, int[]> in : pins(c, Direction.INPUT)) {
            for (int b : in.getValue()) {
                if (b < 2) {
                    continue;
                }
                for (Map.Entry<String, int[]> out : outputs) {
                    for (int o : out.getValue()) {
                        if (o >= 2) {
                            arc(b, c, in.getKey(), o, delay, kind, 0);
                        }
                    }
                }
            }
        }
    }

    private void carry(int c, Cell cell) {
        Map<String, int[]> pins = cell.connections();
        int[] s = pins.getOrDefault("S", new int[0]);
        int[] di = pins.getOrDefault("DI", new int[0]);
        for (String outPin : List.of("O", "CO")) {
            int[] out = pins.getOrDefault(outPin, new int[0]);
            for (int j = 0; j < out.length; j++) {
                if (out[j] < 2) {
                    continue;
                }
                for (int i = 0; i <= j; i++) {
                    double delay = model.carryEntry() + model.carryPerBit() * (j - i);
                    if (i < s.length && s[i] >= 2) {
                        arc(s[i], c, "S", out[j], delay, E_CARRY, j - i + 1);
                    }
                    // O[j] is S[j] xor the carry into bit j, which DI[j] does not reach.
                    boolean reaches = outPin.equals("CO") || i < j;
                    if (reaches && i < di.length && di[i] >= 2) {
                        arc(di[i], c, "DI", out[j], delay, E_CARRY, j - i + 1);
                    }
                }
                for (String carryIn : List.of("CI", "CYINIT")) {
                    int[] ci = pins.getOrDefault(carryIn, new int[0]);
                    if (ci.length > 0 && ci[0] >= 2) {
                        arc(ci[0], c, carryIn, out[j], model.carryPerBit() * (j + 1), E_CARRY, j + 1);
                    }
                }
                int[] ciTop = pins.getOrDefault("CI_TOP", new int[0]);
                if (j >= 4 && ciTop.length > 0 && ciTop[0] >= 2) {
                    arc(ciTop[0], c, "CI_TOP", out[j], model.carryPerBit() * (j - 3), E_CARRY, j - 3);
                }
            }
        }
    }

    private void ram(int c, Cell cell, byte startKind, byte endKind, double setup) {
        for (Map.Entry<String, int[]> pin : pins(c, Direction.OUTPUT)) {
            boolean registered = outputRegistered(cell, pin.getKey());
            double delay = startKind == S_BRAM
                    ? (registered ? model.bramClockToOutRegistered() : model.bramClockToOut())
                    : (registered ? model.uramClockToOutRegistered() : model.uramClockToOut());
            for (int b : pin.getValue()) {
                if (b >= 2) {
                    setStart(b, delay, startKind, c, registered ? 1 : 0);
                }
            }
        }
        inputsEnd(c, setup, endKind);
    }

    private void inputsEnd(int c, double setup, byte kind) {
        for (Map.Entry<String, int[]> pin : pins(c, Direction.INPUT)) {
            if (CellKind.isClock(pin.getKey())) {
                continue;
            }
            int[] b = pin.getValue();
            for (int i = 0; i < b.length; i++) {
                if (b[i] >= 2) {
                    endpoint(b[i], c, pin.getKey(), i, setup, kind, -1);
                }
            }
        }
    }

    /** The output register parameter of a block RAM or URAM output pin ({@code DOA_REG}, {@code OREG_B}, ...). */
    static String outputRegister(Cell cell, String pin) {
        if (cell.type().startsWith("URAM")) {
            return pin.endsWith("_B") ? "OREG_B" : "OREG_A";
        }
        boolean portB = pin.startsWith("DOUTB") || pin.startsWith("DOUTPB") || pin.startsWith("CASDOUTB")
                || pin.startsWith("CASDOUTPB") || pin.startsWith("DOBDO") || pin.startsWith("DOPBDOP");
        return portB ? "DOB_REG" : "DOA_REG";
    }

    static boolean outputRegistered(Cell cell, String pin) {
        String parameter = outputRegister(cell, pin);
        return cell.type().startsWith("URAM") ? cell.text(parameter, "FALSE").equals("TRUE")
                : cell.number(parameter, 0) > 0;
    }

    private void lutRam(int c, Cell cell) {
        List<Map.Entry<String, int[]>> outputs = pins(c, Direction.OUTPUT);
        for (Map.Entry<String, int[]> out : outputs) {
            for (int b : out.getValue()) {
                if (b >= 2) {
                    setStart(b, model.lutramClockToOut(), S_LUTRAM, c, -1);
                }
            }
        }
        boolean multiPort = cell.type().matches("RAM\\d+M\\d*");
        for (Map.Entry<String, int[]> in : pins(c, Direction.INPUT)) {
            String pin = in.getKey();
            for (Map.Entry<String, int[]> out : outputs) {
                String o = out.getKey();
                boolean read = multiPort ? pin.startsWith("ADDR") && o.equals("DO" + pin.substring(4))
                        : o.equals("DPO") ? pin.startsWith("DPRA")
                        : (o.equals("SPO") || o.equals("O")) && pin.matches("A\\d*");
                if (!read) {
                    continue;
                }
                for (int b : in.getValue()) {
                    if (b < 2) {
                        continue;
                    }
                    for (int t : out.getValue()) {
                        if (t >= 2) {
                            arc(b, c, pin, t, model.lutramRead(), E_LUTRAM, 0);
                        }
                    }
                }
            }
        }
        inputsEnd(c, model.lutramSetup(), P_LUTRAM);
    }

    private void srl(int c, Cell cell) {
        int[] q = cell.connections().getOrDefault("Q", new int[0]);
        for (Map.Entry<String, int[]> out : pins(c, Direction.OUTPUT)) {
            for (int b : out.getValue()) {
                if (b >= 2) {
                    setStart(b, model.srlClockToOut(), S_SRL, c, -1);
                }
            }
        }
        for (Map.Entry<String, int[]> in : pins(c, Direction.INPUT)) {
            String pin = in.getKey();
            int[] b = in.getValue();
            if (pin.matches("A\\d*")) {
                for (int bit : b) {
                    if (bit >= 2 && q.length > 0 && q[0] >= 2) {
                        arc(bit, c, pin, q[0], model.lutramRead(), E_SRL, 0);
                    }
                }
            } else if (!CellKind.isClock(pin)) {
                for (int i = 0; i < b.length; i++) {
                    if (b[i] >= 2) {
                        endpoint(b[i], c, pin, i, model.srlSetup(), P_SRL, -1);
                    }
                }
            }
        }
    }

    private void unknown(int c, Cell cell) {
        warnings.add("cell type " + cell.type() + " (" + cell.name() + ") is not modelled: its outputs count as"
                + " registers and its inputs as register inputs");
        for (Map.Entry<String, int[]> out : pins(c, Direction.OUTPUT)) {
            for (int b : out.getValue()) {
                if (b >= 2) {
                    setStart(b, model.clockToQ(), S_UNKNOWN, c, -1);
                }
            }
        }
        inputsEnd(c, model.ffSetup(), P_UNKNOWN);
    }

    private void instance(int c, Cell cell) {
        ModuleGraph child = children[c];
        for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
            Port port = child.module.ports().get(pin.getKey());
            if (port == null) {
                warnings.add("instance " + cell.name() + " connects pin " + pin.getKey() + ", which module "
                        + child.module.name() + " does not have");
                continue;
            }
            int[] outer = pin.getValue();
            int[] inner = port.bits();
            for (int i = 0; i < Math.min(outer.length, inner.length); i++) {
                if (outer[i] < 2 || inner[i] < 2) {
                    continue;
                }
                if (port.direction() == Direction.OUTPUT && child.arr[inner[i]] > NONE) {
                    setStart(outer[i], child.arr[inner[i]], S_INSTANCE, c, inner[i]);
                } else if (port.direction() == Direction.INPUT && child.req[inner[i]] > NONE) {
                    addEndpoint(outer[i], child.req[inner[i]], P_INSTANCE, c, inner[i], pin.getKey(), i);
                }
            }
        }
        // Paths through the instance, input port to output bit, through a node per input port.
        for (Map.Entry<String, int[]> pin : cell.connections().entrySet()) {
            Integer p = child.inputPortIndex.get(pin.getKey());
            if (p == null || !child.hasCombinationalPaths(p)) {
                continue;
            }
            int through = newVirtual();
            for (int b : pin.getValue()) {
                if (b >= 2) {
                    addEdge(b, through, 0, E_INSTANCE_IN, c, p, -1);
                }
            }
            for (Map.Entry<String, int[]> outPin : cell.connections().entrySet()) {
                Port port = child.module.ports().get(outPin.getKey());
                if (port == null || port.direction() != Direction.OUTPUT) {
                    continue;
                }
                int[] outer = outPin.getValue();
                int[] inner = port.bits();
                for (int i = 0; i < Math.min(outer.length, inner.length); i++) {
                    if (outer[i] >= 2 && inner[i] >= 2) {
                        double delay = child.combinational(p, inner[i]);
                        if (delay > NONE) {
                            addEdge(through, outer[i], delay, E_INSTANCE_ARC, c, p, inner[i]);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // DSP48E2: its pipeline registers, as mapped or as Vivado would pack the flip-flops around it.

    /** True when every signal bit of {@code bits} comes straight from a flip-flop's Q that feeds nothing else. */
    private boolean fromOwnFlipFlops(int[] bits) {
        boolean any = false;
        for (int b : bits) {
            if (b < 2) {
                continue;
            }
            int d = driverCell[b];
            if (d < 0 || kinds[d] != CellKind.FLIP_FLOP || fanout[b] != 1) {
                return false;
            }
            any = true;
        }
        return any;
    }

    /** The flip-flops whose D is each loaded bit of {@code bits}, each its only load; null unless all are. */
    private List<Integer> intoOwnFlipFlops(int[] bits) {
        List<Integer> flops = new ArrayList<>();
        for (int b : bits) {
            if (b < 2 || fanout[b] == 0) {
                continue;
            }
            int sink = sinkCell[sinkStart[b]];
            if (fanout[b] != 1 || sink < 0 || kinds[sink] != CellKind.FLIP_FLOP || !sinkPin[sinkStart[b]].equals("D")) {
                return null;
            }
            flops.add(sink);
        }
        return flops.isEmpty() ? null : flops;
    }

    /**
     * The DSP's pipeline as mapped, with the registers Vivado would pack turned on: a flip-flop that only feeds a
     * DSP input becomes its input register (AREG, BREG, CREG, DREG); flip-flops that alone take its P become its
     * P register, and a second rank behind them its M register. Yosys 0.23 packs none into DSP48E2.
     */
    private DspPipeline dspConfig(int c) {
        Cell cell = module.cells().get(c);
        Map<String, int[]> pins = cell.connections();
        DspPipeline k = new DspPipeline(cell);
        int[] none = new int[0];
        if (!k.areg && fromOwnFlipFlops(pins.getOrDefault("A", none))) {
            k.areg = k.absorbed = true;
        }
        if (!k.breg && fromOwnFlipFlops(pins.getOrDefault("B", none))) {
            k.breg = k.absorbed = true;
        }
        if (!k.creg && fromOwnFlipFlops(pins.getOrDefault("C", none))) {
            k.creg = k.absorbed = true;
        }
        if (!k.dreg && fromOwnFlipFlops(pins.getOrDefault("D", none))) {
            k.dreg = k.absorbed = true;
        }
        boolean cascadeUsed = false;
        for (Map.Entry<String, int[]> pin : pins.entrySet()) {
            if (direction(c, pin.getKey()) == Direction.OUTPUT && !pin.getKey().equals("P")) {
                for (int b : pin.getValue()) {
                    cascadeUsed |= b >= 2 && fanout[b] > 0;
                }
            }
        }
        List<Integer> first = k.preg || cascadeUsed ? null : intoOwnFlipFlops(pins.getOrDefault("P", none));
        if (first != null) {
            k.preg = k.absorbed = true;
            if (!k.mreg && k.multiplies()) {
                int[] q = first.stream().flatMap(f -> java.util.Arrays.stream(
                        module.cells().get(f).connections().getOrDefault("Q", none)).boxed()).mapToInt(i -> i).toArray();
                k.mreg = intoOwnFlipFlops(q) != null;
            }
        }
        if (k.absorbed) {
            absorbedDsps++;
        }
        return k;
    }

    private void dsp(int c, Cell cell) {
        DspPipeline k = dsps.get(c);
        int alu = k.preg ? -1 : newVirtual();
        for (Map.Entry<String, int[]> pin : pins(c, Direction.INPUT)) {
            String name = pin.getKey();
            if (CellKind.isClock(name)) {
                continue;
            }
            String group = DspPipeline.groupOf(name);
            int[] b = pin.getValue();
            for (int i = 0; i < b.length; i++) {
                if (b[i] < 2) {
                    continue;
                }
                if (k.registeredAtPin(group)) {
                    endpoint(b[i], c, name, i, model.dspSetup(), P_DSP, -1);
                    continue;
                }
                DspPipeline.Walk w = k.walk(group, model);
                if (w.registered()) {
                    endpoint(b[i], c, name, i, w.delay() + model.dspSetup(), P_DSP, -1);
                } else {
                    arc(b[i], c, name, alu, w.delay(), E_DSP, 0);
                }
            }
        }
        for (Map.Entry<String, int[]> pin : pins(c, Direction.OUTPUT)) {
            boolean cascadeOfInput = pin.getKey().equals("ACOUT") || pin.getKey().equals("BCOUT");
            for (int b : pin.getValue()) {
                if (b < 2) {
                    continue;
                }
                if (cascadeOfInput) {
                    setStart(b, model.dspInternalClockToOut(), S_DSP, c, -1);
                } else if (k.preg) {
                    setStart(b, model.dspClockToOut(), S_DSP, c, -1);
                } else {
                    addEdge(alu, b, 0, E_DSP_OUT, c, 0, -1);
                }
            }
        }
        // Its inner registers: paths from them to P (unregistered), or to the next inner register.
        double toP = NONE;
        double inner = NONE;
        for (String register : k.innerRegisters()) {
            DspPipeline.Walk w = k.walk(register, model);
            if (w.registered()) {
                inner = Math.max(inner, w.delay());
            } else {
                toP = Math.max(toP, w.delay());
            }
        }
        if (alu >= 0 && toP > NONE) {
            setStart(alu, model.dspInternalClockToOut() + toP, S_DSP_INTERNAL, c, -1);
        }
        if (inner > NONE) {
            int node = newVirtual();
            setStart(node, model.dspInternalClockToOut(), S_DSP_INTERNAL, c, -1);
            addEndpoint(node, inner + model.dspSetup(), P_DSP_INTERNAL, c, -1, "", 0);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The passes.

    private void topologicalOrder() {
        int edges = eFrom.size();
        outStart = new int[nodes + 1];
        int[] indegree = new int[nodes];
        for (int e = 0; e < edges; e++) {
            outStart[eFrom.get(e) + 1]++;
            indegree[eTo.get(e)]++;
        }
        for (int n = 0; n < nodes; n++) {
            outStart[n + 1] += outStart[n];
        }
        outEdge = new int[edges];
        dropped = new boolean[edges];
        int[] fill = Arrays.copyOf(outStart, nodes);
        for (int e = 0; e < edges; e++) {
            outEdge[fill[eFrom.get(e)]++] = e;
        }
        int[] queue = new int[nodes];
        int head = 0;
        int tail = 0;
        for (int n = 0; n < nodes; n++) {
            if (indegree[n] == 0) {
                queue[tail++] = n;
            }
        }
        while (head < tail) {
            int n = queue[head++];
            for (int k = outStart[n]; k < outStart[n + 1]; k++) {
                int t = eTo.get(outEdge[k]);
                if (--indegree[t] == 0) {
                    queue[tail++] = t;
                }
            }
        }
        if (tail < nodes) {
            tail = breakLoops(queue, tail);
        }
        order = Arrays.copyOf(queue, tail);
    }

    /**
     * Orders the nodes Kahn's algorithm left (those on a combinational loop or behind one) by a depth-first
     * search that drops the edges closing a loop, appending them to {@code queue}; returns its new length. Yosys
     * can map a comparison's carry chain and logic that shares its terms into such a structural loop (ABC reuses
     * a LUT across the chain it sees only as a box), which is false but would stop the analysis there.
     */
    private int breakLoops(int[] queue, int tail) {
        byte[] state = new byte[nodes];   // 0: left by Kahn, unvisited; 1: on the stack; 2: done; 3: ordered by Kahn
        for (int i = 0; i < tail; i++) {
            state[queue[i]] = 3;
        }
        int[] post = new int[nodes - tail];
        int posts = 0;
        int[] stack = new int[nodes];
        int[] next = new int[nodes];
        for (int root = 0; root < nodes; root++) {
            if (state[root] != 0) {
                continue;
            }
            int depth = 0;
            stack[depth++] = root;
            state[root] = 1;
            next[root] = outStart[root];
            while (depth > 0) {
                int n = stack[depth - 1];
                if (next[n] < outStart[n + 1]) {
                    int e = outEdge[next[n]++];
                    int t = eTo.get(e);
                    if (state[t] == 0) {
                        state[t] = 1;
                        next[t] = outStart[t];
                        stack[depth++] = t;
                    } else if (state[t] == 1) {
                        dropped[e] = true;
                        loopCount++;
                        if (loops.size() < 3) {
                            loops.add(loop(stack, depth, t, e));
                        }
                    }
                } else {
                    state[n] = 2;
                    post[posts++] = n;
                    depth--;
                }
            }
        }
        for (int i = posts - 1; i >= 0; i--) {
            queue[tail++] = post[i];
        }
        return tail;
    }

    /**
     * A combinational loop the analysis cut.
     *
     * @param cells the cells around it, in order
     * @param cutAt the cell whose arc was cut
     */
    record Loop(List<Integer> cells, int cutAt) {}

    /** The first loops cut (at most three), for the warnings. */
    final List<Loop> loops = new ArrayList<>();
    /** How many loops were cut. */
    int loopCount;

    private Loop loop(int[] stack, int depth, int target, int closing) {
        List<Integer> cells = new ArrayList<>();
        int from = depth - 1;
        while (from > 0 && stack[from] != target) {
            from--;
        }
        for (int i = from; i < depth; i++) {
            int n = stack[i];
            int c = n < bits ? driverCell[n] : -1;
            if (c >= 0 && !cells.contains(c)) {
                cells.add(c);
            }
        }
        return new Loop(cells, eCell.get(closing));
    }

    /** Forward pass from the nodes {@code a} holds a time for; fills the predecessor edges ({@code -1}: a start). */
    private void forward(double[] a, int[] p) {
        for (int n : order) {
            double an = a[n];
            if (an == NONE) {
                continue;
            }
            for (int k = outStart[n]; k < outStart[n + 1]; k++) {
                int e = outEdge[k];
                if (dropped[e]) {
                    continue;
                }
                int t = eTo.get(e);
                double candidate = an + eDelay.get(e);
                if (candidate > a[t]) {
                    a[t] = candidate;
                    p[t] = e;
                }
            }
        }
    }

    /** Runs the passes: arrival at every node, the longest way on to an endpoint, and the summaries a parent uses. */
    void analyse() {
        arr = Arrays.copyOf(start, nodes);
        pred = new int[nodes];
        Arrays.fill(pred, -1);
        forward(arr, pred);
        double[] bestExtra = new double[nodes];
        int[] bestEndpoint = new int[nodes];
        Arrays.fill(bestExtra, NONE);
        Arrays.fill(bestEndpoint, -1);
        for (int i = 0; i < epNode.size(); i++) {
            int n = epNode.get(i);
            if (epExtra.get(i) > bestExtra[n]) {
                bestExtra[n] = epExtra.get(i);
                bestEndpoint[n] = i;
            }
        }
        req = new double[nodes];
        succ = new int[nodes];
        Arrays.fill(req, NONE);
        Arrays.fill(succ, -1);
        for (int i = order.length - 1; i >= 0; i--) {
            int n = order[i];
            double best = bestExtra[n];
            int s = bestEndpoint[n] >= 0 ? -(bestEndpoint[n] + 2) : -1;
            for (int k = outStart[n]; k < outStart[n + 1]; k++) {
                int e = outEdge[k];
                int t = eTo.get(e);
                if (dropped[e] || req[t] == NONE) {
                    continue;
                }
                double candidate = eDelay.get(e) + req[t];
                if (candidate > best) {
                    best = candidate;
                    s = e;
                }
            }
            req[n] = best;
            succ[n] = s;
        }
        if (!top) {
            summarize();
        }
    }

    private void summarize() {
        List<Integer> outputs = new ArrayList<>();
        outputOrdinal = new int[bits];
        Arrays.fill(outputOrdinal, -1);
        for (Port port : module.ports().values()) {
            if (port.direction() == Direction.OUTPUT) {
                for (int b : port.bits()) {
                    if (b >= 2 && outputOrdinal[b] < 0) {
                        outputOrdinal[b] = outputs.size();
                        outputs.add(b);
                    }
                }
            } else if (port.direction() == Direction.INPUT) {
                inputPortIndex.put(port.name(), inputPorts.size());
                inputPorts.add(port.name());
            }
        }
        comb = new double[inputPorts.size()][];
        for (int p = 0; p < inputPorts.size(); p++) {
            Pass pass = combinationalPass(p);
            double[] atOutputs = new double[outputs.size()];
            boolean any = false;
            for (int o = 0; o < outputs.size(); o++) {
                atOutputs[o] = pass.arrival()[outputs.get(o)];
                any |= atOutputs[o] > NONE;
            }
            comb[p] = any ? atOutputs : null;
        }
    }

    /**
     * A forward pass's result: the arrival at each node ({@link #NONE} where no path reaches) and the edge each
     * arrival came through ({@code -1} where it starts).
     */
    record Pass(double[] arrival, int[] pred) {}

    /** The forward pass from input port {@code p} alone: its bits at time 0, no other start. */
    Pass combinationalPass(int p) {
        double[] a = new double[nodes];
        Arrays.fill(a, NONE);
        int[] pr = new int[nodes];
        Arrays.fill(pr, -1);
        for (int b : module.ports().get(inputPorts.get(p)).bits()) {
            if (b >= 2) {
                a[b] = 0;
            }
        }
        forward(a, pr);
        return new Pass(a, pr);
    }

    boolean hasCombinationalPaths(int p) {
        return comb[p] != null;
    }

    /** The delay from input port {@code p} to output bit {@code bit}; {@link #NONE} when none. */
    double combinational(int p, int bit) {
        int o = outputOrdinal[bit];
        return comb[p] == null || o < 0 ? NONE : comb[p][o];
    }

    int fanout(int bit) {
        return bit >= 2 && bit < bits ? fanout[bit] : 0;
    }

    /** The cells that load {@code bit}, and on which pin; a cell of -2 is an output port. */
    void loads(int bit, java.util.function.BiConsumer<Integer, String> each) {
        for (int k = sinkStart[bit]; k < sinkStart[bit + 1]; k++) {
            each.accept(sinkCell[k], sinkPin[k]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Names.

    /** The net name that best names {@code bit}: a source name before a made-up one, an inner one before a port. */
    NetName netName(int bit) {
        if (bestNet == null) {
            nameBits();
        }
        return bit >= 0 && bit < bits && bestNet[bit] >= 0 ? module.netNames().get(bestNet[bit]) : null;
    }

    /** The Verilog name of {@code bit} with its index ({@code exp_5[8]}), or empty when it has only made-up names. */
    String signal(int bit, boolean madeUpToo) {
        NetName net = netName(bit);
        if (net == null || (net.hidden() && !madeUpToo)) {
            return "";
        }
        return net.bits().length == 1 && net.offset() == 0 ? net.name() : net.name() + "[" + net.index(bestBit[bit]) + "]";
    }

    private void nameBits() {
        bestNet = new int[bits];
        bestBit = new int[bits];
        Arrays.fill(bestNet, -1);
        List<NetName> nets = module.netNames();
        for (int i = 0; i < nets.size(); i++) {
            int[] b = nets.get(i).bits();
            for (int k = 0; k < b.length; k++) {
                int bit = b[k];
                if (bit >= 2 && (bestNet[bit] < 0 || better(nets.get(i), nets.get(bestNet[bit])))) {
                    bestNet[bit] = i;
                    bestBit[bit] = k;
                }
            }
        }
    }

    private boolean better(NetName a, NetName b) {
        int c = Boolean.compare(a.hidden(), b.hidden());
        if (c != 0) {
            return c < 0;
        }
        c = Boolean.compare(module.ports().containsKey(a.name()), module.ports().containsKey(b.name()));
        if (c != 0) {
            return c < 0;
        }
        c = Integer.compare(punctuation(a.name()), punctuation(b.name()));
        if (c != 0) {
            return c < 0;
        }
        c = Integer.compare(a.name().length(), b.name().length());
        return c != 0 ? c < 0 : a.name().compareTo(b.name()) < 0;
    }

    private static int punctuation(String name) {
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            n += ch == '.' || ch == '$' ? 1 : 0;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Growable primitive arrays.

    static final class Ints {
        private int[] values = new int[64];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    static final class Doubles {
        private double[] values = new double[64];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    static final class Bytes {
        private byte[] values = new byte[64];
        private int size;

        void add(byte v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        byte get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }
}
