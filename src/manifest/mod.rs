//! Reading `-f` inputs: files, directories, `-R`, stdin, URLs; multi-document YAML (read as
//! YAML 1.1, like kubectl) and JSON; `List` flattening.

pub mod yaml;
