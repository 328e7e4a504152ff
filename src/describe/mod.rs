//! `kubectl describe` renderers: one describer per kind plus a generic one, all pure functions
//! from objects (and the related objects they need) to text.
