package io.engram.query.transport.http.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code query --node URL [--file FILE|-] [--format json|table]}: sends a query to a node and prints the answer. */
@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        description = "Send a JSON query (see README) to a node's POST /v1/query and print the answer.")
final class QueryCommand implements Callable<Integer> {
    enum Format {
        json,
        table
    }

    @Option(
            names = "--node",
            required = true,
            paramLabel = "URL",
            description = "the coordinator, e.g. http://127.0.0.1:7401 or https://node1:7401")
    String node;

    @Option(
            names = "--file",
            paramLabel = "FILE",
            defaultValue = "-",
            description = "the query JSON; - reads stdin (default)")
    String file;

    @Option(names = "--format", defaultValue = "json", description = "json (default) or table")
    Format format;

    @CommandLine.Mixin
    ConnectionOptions connection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[] body;
        try {
            body = file.equals("-") ? readAll(System.in) : Files.readAllBytes(java.nio.file.Path.of(file));
        } catch (NoSuchFileException e) {
            throw new NodeClient.UsageException("--file " + file + " does not exist");
        }
        NodeClient client = connection.client(node);
        NodeClient.Response response = client.postQuery(body);
        if (response.status() == 200) {
            out.print(
                    format == Format.table
                            ? Tables.answer(response.body())
                            : NodeClient.pretty(response.body()) + "\n");
            out.flush();
            return EngramQueryCli.OK;
        }
        String detail = response.body().path("detail").asText(response.body().toString());
        err.println("engram-query: " + response.status() + " "
                + response.body().path("title").asText("") + ": " + detail);
        if (response.body().has("missing_partitions")) {
            err.println("engram-query: missing partitions: " + response.body().get("missing_partitions"));
        }
        return response.status() >= 400 && response.status() < 500 && response.status() != 408
                ? EngramQueryCli.USAGE
                : EngramQueryCli.QUERY_FAILED;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
