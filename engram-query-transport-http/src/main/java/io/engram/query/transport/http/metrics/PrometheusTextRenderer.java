package io.engram.query.transport.http.metrics;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Renders a Dropwizard registry in the Prometheus text format 0.0.4, with labels taken from metric names (see {@link
 * LabelledSampleBuilder}). Metrics sharing a base name are merged into one family, so each family has one {@code
 * # TYPE} line; a Dropwizard counter whose name ends in {@code _total} is exposed as a Prometheus counter.
 */
public final class PrometheusTextRenderer {
    /** {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String CONTENT_TYPE = TextFormat.CONTENT_TYPE_004;

    private final DropwizardExports exports;

    public PrometheusTextRenderer(MetricRegistry registry) {
        this.exports = new DropwizardExports(
                requireNonNull(registry, "registry is null"), MetricFilter.ALL, new LabelledSampleBuilder());
    }

    public String render() {
        StringWriter out = new StringWriter();
        write(out);
        return out.toString();
    }

    public void write(Writer out) {
        List<MetricFamilySamples> families = new ArrayList<>();
        for (MetricFamilySamples family : exports.collect()) {
            Collector.Type type = family.type;
            if (type == Collector.Type.GAUGE && family.name.endsWith("_total")) {
                type = Collector.Type.COUNTER;
            }
            families.add(new MetricFamilySamples(family.name, type, help(family), family.samples));
        }
        families.sort((a, b) -> a.name.compareTo(b.name));
        try {
            TextFormat.write004(out, Collections.enumeration(families));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The help text without the labels of whichever metric of the family came first. */
    private static String help(MetricFamilySamples family) {
        return family.help.replaceAll("\\{[^}]*}", "");
    }
}
