package dev.tellmej.hdl.ir;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.net.URL;
import java.security.CodeSource;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Finds the user's source line for a piece of hardware: the first stack frame outside the language core
 * and the JDK. The core is the packages {@code dev.tellmej.hdl}, {@code .ir}, {@code .check} and
 * {@code .emit} as loaded from this jar or class folder; everything else is user code, including the
 * hardware library ({@code dev.tellmej.hdl.lib}), whose modules and helpers point at their own lines, and
 * tests that live in the core packages. Classes and methods annotated {@link dev.tellmej.hdl.ElaborationHelper}
 * are skipped too.
 * Results per class are cached, so a capture costs one short stack walk.
 */
public final class Locations {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final java.util.Set<String> CORE_PACKAGES =
            java.util.Set.of("dev.tellmej.hdl", "dev.tellmej.hdl.ir", "dev.tellmej.hdl.check", "dev.tellmej.hdl.emit");
    private static final URL LIBRARY_SOURCE = sourceOf(Locations.class);
    private static final ClassValue<Boolean> IS_LIBRARY = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")) {
                return true;
            }
            if (type.isAnnotationPresent(dev.tellmej.hdl.ElaborationHelper.class)) {
                return true;
            }
            return CORE_PACKAGES.contains(type.getPackageName()) && Objects.equals(sourceOf(type), LIBRARY_SOURCE);
        }
    };

    /** Name and descriptor of each method a class marks {@link dev.tellmej.hdl.ElaborationHelper}. */
    private static final ClassValue<Set<String>> HELPER_METHODS = new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
            Set<String> helpers = new HashSet<>();
            try {
                for (Method method : type.getDeclaredMethods()) {
                    if (method.isAnnotationPresent(dev.tellmej.hdl.ElaborationHelper.class)) {
                        helpers.add(method.getName() + MethodType.methodType(method.getReturnType(),
                                method.getParameterTypes()).toMethodDescriptorString());
                    }
                }
            } catch (LinkageError e) {
                return Set.of();   // a class whose methods cannot be listed has no helpers we could know of
            }
            return Set.copyOf(helpers);
        }
    };

    private Locations() {}

    /** The location of the nearest caller outside the HDL library. */
    public static SourceLocation capture() {
        return WALKER.walk(frames -> frames
                .filter(frame -> !IS_LIBRARY.get(frame.getDeclaringClass()) && !isHelperMethod(frame))
                .findFirst()
                .map(frame -> new SourceLocation(
                        frame.getFileName() == null ? frame.getDeclaringClass().getSimpleName() + ".java" : frame.getFileName(),
                        Math.max(0, frame.getLineNumber()),
                        frame.getClassName()))
                .orElse(SourceLocation.UNKNOWN));
    }

    private static boolean isHelperMethod(StackWalker.StackFrame frame) {
        Set<String> helpers = HELPER_METHODS.get(frame.getDeclaringClass());
        return !helpers.isEmpty() && helpers.contains(frame.getMethodName() + frame.getDescriptor());
    }

    private static URL sourceOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }
}
