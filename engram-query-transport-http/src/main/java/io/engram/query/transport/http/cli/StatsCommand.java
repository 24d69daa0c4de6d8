package io.engram.query.transport.http.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats --node URL}: a readable summary of a node's {@code /cluster/health}. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Print a node's query statistics and peers.")
final class StatsCommand implements Callable<Integer> {
    @Option(names = "--node", required = true, paramLabel = "URL", description = "the node, e.g. http://127.0.0.1:7401")
    String node;

    @CommandLine.Mixin
    ConnectionOptions connection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        NodeClient.Response response = connection.client(node).health();
        if (response.status() != 200) {
            spec.commandLine().getErr().println("engram-query: " + node + " answered " + response.status());
            return EngramQueryCli.QUERY_FAILED;
        }
        spec.commandLine().getOut().print(Tables.health(response.body()));
        spec.commandLine().getOut().flush();
        return EngramQueryCli.OK;
    }
}
