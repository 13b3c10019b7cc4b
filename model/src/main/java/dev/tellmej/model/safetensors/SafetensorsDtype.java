package dev.tellmej.model.safetensors;

/** The safetensors dtypes the project reads, with their element sizes in bytes. */
public enum SafetensorsDtype {
    F32(4), F16(2), BF16(2), U8(1), I8(1);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype for its name, or null. */
    public static SafetensorsDtype of(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
