package dev.tellmej.host;

import dev.tellmej.accel.protocol.ErrorCode;
import dev.tellmej.device.Device;
import dev.tellmej.device.DeviceCounters;
import dev.tellmej.device.DeviceFaultException;
import java.util.Arrays;

/**
 * A real device with a fault injected: the call numbered {@code faultAt} (counted over the device's life) fails
 * as an AXI SLVERR on a DDR port would, or returns NaN logits (a corrupt model), as chosen.
 */
final class FaultyDevice implements Device {
    enum Fault { DDR_ERROR, NAN_LOGITS }

    private final Device inner;
    private final int faultAt;
    private final Fault fault;
    private int calls;

    FaultyDevice(Device inner, int faultAt, Fault fault) {
        this.inner = inner;
        this.faultAt = faultAt;
        this.fault = fault;
    }

    @Override
    public String describe() {
        return "faulty " + inner.describe();
    }

    @Override
    public float[] prefill(int[] tokens) {
        if (calls++ == faultAt) {
            if (fault == Fault.DDR_ERROR) {
                throw new DeviceFaultException(ErrorCode.DDR_ERROR, 2, "the kernel reported DDR_ERROR: an AXI read"
                        + " on port 2 returned SLVERR");
            }
            float[] logits = inner.prefill(tokens);
            Arrays.fill(logits, 0, logits.length / 2, Float.NaN);
            return logits;
        }
        return inner.prefill(tokens);
    }

    @Override
    public float[] decode(int token) {
        return prefill(new int[] {token});
    }

    @Override
    public int position() {
        return inner.position();
    }

    @Override
    public int context() {
        return inner.context();
    }

    @Override
    public void reset() {
        inner.reset();
    }

    @Override
    public DeviceCounters counters() {
        return inner.counters();
    }

    @Override
    public void close() {
        inner.close();
    }
}
