package dev.tellmej.sim.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that simulates RTL: a JUnit 5 {@code @Test}, tagged {@code slow}, that may take a
 * {@link SimFixture} parameter.
 *
 * <pre>{@code
 * @SimTest
 * void countsWhileEnabled(SimFixture fixture) {
 *     SimModel sim = fixture.open(Hdl.elaborate(() -> new Counter(8)));
 *     ...
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag("slow")
@ExtendWith(SimExtension.class)
public @interface SimTest {}
