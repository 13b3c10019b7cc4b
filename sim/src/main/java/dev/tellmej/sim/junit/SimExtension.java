package dev.tellmej.sim.junit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The JUnit 5 extension behind {@link SimTest}: gives each test method a {@link SimFixture}, closes the
 * models it opened after the test, and adds the test's random seed to the message of any failure so the
 * run can be repeated with {@code -Dtellme.sim.seed=...}.
 */
public final class SimExtension implements ParameterResolver, AfterEachCallback, TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SimExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SimFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return fixture(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SimFixture fixture = context.getStore(NAMESPACE).remove(SimFixture.class, SimFixture.class);
        if (fixture != null) {
            fixture.close();
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        SimFixture fixture = context.getStore(NAMESPACE).get(SimFixture.class, SimFixture.class);
        if (fixture == null || !fixture.seedUsed()) {
            throw failure;
        }
        AssertionError seeded = new AssertionError(failure.getMessage() + "\n[" + fixture.seedNote() + "]", failure);
        seeded.setStackTrace(failure.getStackTrace());
        throw seeded;
    }

    private static SimFixture fixture(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(SimFixture.class,
                key -> new SimFixture(context.getRequiredTestClass(), context.getRequiredTestMethod().getName()),
                SimFixture.class);
    }
}
