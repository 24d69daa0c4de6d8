package io.engram.query.spi;

/** Creates the {@link Transport} selected by name in the configuration ({@code transport.type}). */
public interface TransportFactory extends Named {
    Transport create(TransportContext context);
}
