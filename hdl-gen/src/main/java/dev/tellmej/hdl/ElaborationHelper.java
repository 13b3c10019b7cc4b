package dev.tellmej.hdl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class whose methods only forward to the HDL (test fixtures, thin wrappers), or one such method (a
 * static helper that places a unit for its caller): source locations skip its frames and point at its caller,
 * as Go's {@code t.Helper()} does for test failures.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ElaborationHelper {}
