package dev.lifeguard.local;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * DynamoDB Local, in memory, served over HTTP on 127.0.0.1 and a free port, for a service running
 * in another process. DynamoDB Local's own server mode binds every interface; this puts its
 * request handler behind an embedded Jetty connector bound to the loopback address instead.
 */
public final class LocalDynamoDbServer implements AutoCloseable {
    private final Server server;
    private final LocalDynamoDBRequestHandler handler;
    private final int port;

    private LocalDynamoDbServer() throws Exception {
        // port (unused here), in memory, no db path, one database for every access key and
        // region, no artificial delay of CREATING/DELETING statuses.
        handler = new LocalDynamoDBRequestHandler(0, true, null, true, false);
        QueuedThreadPool threads = new QueuedThreadPool(24, 4);
        threads.setName("dynamodb-local");
        threads.setDaemon(true);
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new LocalDynamoDBServerHandler(handler, null));
        server.start();
        port = connector.getLocalPort();
    }

    public static LocalDynamoDbServer start() {
        try {
            return new LocalDynamoDbServer();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start DynamoDB Local on 127.0.0.1", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway
        }
        handler.shutdown();
    }
}
