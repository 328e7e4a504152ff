//! The table of served resources: names, kinds, short names, verbs, categories, scope.
