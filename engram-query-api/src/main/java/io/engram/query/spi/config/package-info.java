/**
 * Configuration keys defined once ({@link io.engram.query.spi.config.ConfigKey}): the host reads, validates, overrides
 * and documents them, and a plugin that brings settings of its own (a transport's) declares and reads them typed.
 */
package io.engram.query.spi.config;
