//! `Context`: the one door to the world for commands (environment, streams, clock, lazily built client and discovery).
