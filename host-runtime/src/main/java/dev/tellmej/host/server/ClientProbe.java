package dev.tellmej.host.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Tells whether the client of a request that is not answered yet is still connected, so that a non-streaming
 * generation can stop when its client has gone (a streaming one finds out when it writes a token).
 *
 * <p>The JDK's HTTP server gives a handler no socket to probe, and nothing may be written before the answer's
 * status is known; so it asks the kernel: the connection is looked up by its two ports in Linux's table of TCP
 * connections ({@code /proc/net/tcp} and {@code tcp6}). A connection no longer there, or no longer
 * established (the client closed it: {@code CLOSE_WAIT}), is gone. Where there is no such table (not Linux) the
 * client always counts as present and the generation runs to its end. A client that only shuts down its sending
 * side while it waits for the answer counts as gone; HTTP clients (curl, browsers, the JDK's) do not do that.
 */
final class ClientProbe implements BooleanSupplier {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";
    /** At most one look every this many nanoseconds: a token can take well under a millisecond. */
    private static final long INTERVAL_NANOS = 50_000_000L;

    private final String localPort;
    private final String remotePort;
    private long lastLook;
    private boolean gone;

    private ClientProbe(int localPort, int remotePort) {
        this.localPort = hex(localPort);
        this.remotePort = hex(remotePort);
        this.lastLook = System.nanoTime();
    }

    /** A probe of {@code exchange}'s connection. */
    static ClientProbe of(HttpExchange exchange) {
        return new ClientProbe(exchange.getLocalAddress().getPort(), exchange.getRemoteAddress().getPort());
    }

    /** True once the client has gone (looked up at most every 50 ms; gone stays gone). */
    @Override
    public boolean getAsBoolean() {
        long now = System.nanoTime();
        if (gone || now - lastLook < INTERVAL_NANOS) {
            return gone;
        }
        lastLook = now;
        gone = lookUp(localPort, remotePort) == State.GONE;
        return gone;
    }

    enum State { CONNECTED, GONE, UNKNOWN }

    /** The state of the connection from local port to remote port (both as 4 upper-case hex digits). */
    static State lookUp(String localPort, String remotePort) {
        boolean read = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException | SecurityException e) {
                continue;
            }
            read = true;
            for (String line : lines) {
                // "  sl  local_address rem_address   st ...": addresses are HEXADDR:PORT, st is the state in hex.
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[1].endsWith(":" + localPort) && fields[2].endsWith(":" + remotePort)) {
                    return fields[3].equals(ESTABLISHED) ? State.CONNECTED : State.GONE;
                }
            }
        }
        return read ? State.GONE : State.UNKNOWN;
    }

    static String hex(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }
}
