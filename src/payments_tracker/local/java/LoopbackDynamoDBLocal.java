import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 only.
 *
 * DynamoDB Local has no bind-address option and listens on every interface; this launcher builds the
 * server from the usual command-line arguments, rebinds each Jetty connector to the loopback address
 * before it opens its socket, then starts it.
 */
public final class LoopbackDynamoDBLocal {
    private LoopbackDynamoDBLocal() {}

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field serverField = DynamoDBProxyServer.class.getDeclaredField("server");
        serverField.setAccessible(true);
        Server server = (Server) serverField.get(proxy);
        int rebound = 0;
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector serverConnector) {
                serverConnector.setHost("127.0.0.1");
                rebound++;
            }
        }
        if (rebound == 0) {
            throw new IllegalStateException("no Jetty ServerConnector found: refusing to listen on every interface");
        }
        proxy.start();
        System.out.println("LoopbackDynamoDBLocal: listening on 127.0.0.1");
        System.out.flush();
    }
}
