package io.engram.query.api;

/** The four query types of Engram. */
public enum QueryType {
    RECALL,
    SPREAD,
    COMPLETE,
    IMAGINE
}
