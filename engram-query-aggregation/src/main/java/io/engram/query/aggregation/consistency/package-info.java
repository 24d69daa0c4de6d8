/** Consistency policies: how much coverage an answer needs before it may be returned. */
package io.engram.query.aggregation.consistency;
