package dev.tellmej.hdl.layeringfixture;

import dev.tellmej.accel.tlmm.TlmmConfig;

/**
 * A deliberate layering violation, for {@code LayeringTest} only: a class in the HDL language's packages that
 * uses the accelerator. It lives in host-runtime's tests, so no real build contains it.
 */
public final class LanguageClassUsingTheAccelerator {
    private LanguageClassUsingTheAccelerator() {}

    /** Reads an accelerator configuration: exactly what the language must never do. */
    public static int tables(TlmmConfig config) {
        return config.tables();
    }
}
