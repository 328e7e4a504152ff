//! The integration tests, as one test binary (one link of the whole CLI instead of one per
//! file). Each module was a file of its own under `tests/`; run one with
//! `cargo test --test it MODULE::` (e.g. `cargo test --test it label::`).
//!
//! All modules run as threads of one process, so nothing here may change process-wide state:
//! no `std::env::set_var`, no `set_current_dir`, no signal handlers of the test process; pass
//! environment and working directory to the child commands instead (see `common`).

#[allow(clippy::cmp_owned)]
mod common;

mod apigroups;
mod apply;
mod apply_migration;
mod apply_subresource;
mod attach;
mod auth;
mod autoscale;
mod builder;
mod builder_cmds;
mod certificates;
mod cli_core;
mod cluster_info_dump;
mod cmdfix;
mod completion;
mod config;
mod config_set;
mod cp;
mod crd;
mod crdv2;
mod create;
mod create_edit;
mod datadir;
mod debug;
mod debug_disabled;
mod delete;
mod delete_raw;
mod demo;
mod deprecated_flags;
mod describe_events;
mod editdiff;
mod exec;
mod exec_spdy;
mod explain;
mod fidelity;
mod flag_decls;
mod fuzz;
mod generated;
mod gens;
mod get;
mod get_stream;
mod help;
mod help_i18n;
mod hostile_names;
mod kubeconfig_writes;
mod kubelet;
mod kuberc_cmd;
mod kustomize;
mod kustomize_remote;
mod kustomize_targets;
mod label;
mod local_builder;
mod logs;
mod many_lists;
mod mutate;
mod nodeops;
mod patch;
mod pflag;
mod plugin_policy;
mod portforward;
mod proxy;
mod rbac;
mod reconcile;
mod record_more;
mod reference_flow;
mod replace;
mod roles;
mod rollout;
mod sandbox_api;
mod sandbox_batch;
mod scale;
mod set_env;
mod subject;
mod terminal;
mod testcmd;
mod testcmd2;
mod top;
mod transport;
mod volumes;
mod wait;
mod watch_history;

/// Every file of this directory is a module above, and no test file sits directly in `tests/`
/// (cargo would build it as a second test binary that links the whole CLI again).
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("it/main.rs")).unwrap();
    let rs_files = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let outside = rs_files(&dir);
    assert!(
        outside.is_empty(),
        "move these into tests/it/ as modules of the one test binary: {outside:?}"
    );
    let missing: Vec<String> = rs_files(&dir.join("it"))
        .into_iter()
        .filter(|m| m != "main" && !main.lines().any(|l| l == format!("mod {m};")))
        .collect();
    assert!(
        missing.is_empty(),
        "tests/it/main.rs does not declare (so never runs): {missing:?}"
    );
}
