package dev.tellmej.cli;

import dev.tellmej.host.DeviceSlot;
import dev.tellmej.host.server.OpenAiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tellme serve}: the OpenAI-compatible HTTP server on one device, until interrupted (Ctrl-C). The device
 * options are {@code run}'s.
 */
@Command(name = "serve", description = "Serve the model over HTTP with OpenAI-compatible endpoints"
        + " (/v1/completions, /v1/chat/completions, /v1/models, /health).")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default:"
            + " ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Range(min = 0, max = 65_535)
    @Option(names = "--port", defaultValue = "8080", description = "port (0: any free one; default: ${DEFAULT-VALUE})")
    int port;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        DeviceOptions.Backend backend = deviceOptions.open(cl, cl.getErr());
        DeviceSlot slot = new DeviceSlot(backend.sessions());
        slot.open();
        String modelId = deviceOptions.model != null ? deviceOptions.model.getFileName().toString()
                : "stories260K-ternary-qat";
        OpenAiServer server;
        try {
            server = OpenAiServer.start(host, port, slot, backend.encoder(), modelId);
        } catch (IOException e) {
            slot.close();
            throw new CommandFailedException("cannot listen on " + host + ":" + port + ": " + e.getMessage(),
                    "Choose another --port (0 takes any free one).");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.stop(1);
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("tellme serve: listening on " + server.url() + " (" + slot.status().device() + "; chat template "
                + backend.encoder().template() + "; one request at a time, the others queue)");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Interrupted (a test, an embedding program): stop here rather than at JVM exit.
            if (stopped.getCount() > 0) {
                Runtime.getRuntime().removeShutdownHook(hook);
                server.stop(0);
            }
        }
        return 0;
    }
}
