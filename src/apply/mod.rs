//! Client-side apply: patch metadata for built-in kinds, strategic merge patches (create and apply),
//! JSON merge patches, JSON patches, and the last-applied-configuration annotation.
