//! Kubeconfig writes under contention and interruption, with the real binary: client-go's
//! `<file>.lock`, concurrent writers that never drop each other's entries, symlinks and modes
//! kept, `kill -9` at any point leaving a valid file, and `sandbox` touching only its own
//! entries. Where the real kubectl is installed its messages are compared byte for byte.

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-rs");

const INPUT: &str = "apiVersion: v1
kind: Config
clusters:
- name: mine
  cluster:
    server: https://mine:6443
contexts:
- name: mine
  context:
    cluster: mine
    user: mine
current-context: mine
users:
- name: mine
  user:
    token: secret
";

/// A command of `program` with a hermetic environment (HOME in `dir`, no KUBECONFIG).
#[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
fn cmd(program: &str, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The file parsed as YAML (panics with the text when it is not a kubeconfig mapping).
fn parse(path: &Path) -> serde_yaml_ng::Value {
    let t = std::fs::read_to_string(path).unwrap();
    let v: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&t).unwrap_or_else(|e| panic!("invalid YAML ({e}):\n{t}"));
    assert!(v.is_mapping() || t.trim().is_empty(), "not a mapping:\n{t}");
    v
}

fn names(v: &serde_yaml_ng::Value, section: &str) -> Vec<String> {
    v.get(section)
        .and_then(|s| s.as_sequence())
        .map(|s| {
            s.iter()
                .filter_map(|e| e.get("name").and_then(|n| n.as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Every entry of the directory, sorted (to see leftover lock and temporary files).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_held_lock_fails_every_write_as_kubectl_does() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("config");
    std::fs::write(&kc, INPUT).unwrap();
    std::fs::write(d.path().join("config.lock"), "").unwrap();
    let cases: &[&[&str]] = &[
        &["set-context", "x", "--cluster=mine"],
        &["set-cluster", "mine", "--server=https://other"],
        &["set-credentials", "u", "--token=t"],
        &["set", "clusters.mine.server", "https://other"],
        // kubectl locks even when nothing would change.
        &["unset", "users.nobody"],
        &["use-context", "mine"],
        &["delete-context", "mine"],
        &["rename-context", "mine", "other"],
        // Checks that come before the lock still win.
        &["use-context", "nope"],
        &["delete-cluster", "nope"],
    ];
    let run = |program: &str, args: &[&str]| {
        let out = cmd(program, d.path())
            .args(["--kubeconfig", "config", "config"])
            .args(args)
            .output()
            .unwrap();
        (text(&out.stdout), text(&out.stderr), out.status.code())
    };
    for args in cases {
        let ours = run(BIN, args);
        let held = "error: open config.lock: file exists\n";
        if args[1] == "nope" {
            assert_ne!(ours.1, held, "{args:?}");
        } else if args[0] == "delete-context" {
            // The warning about the active context comes first, as in kubectl.
            assert!(ours
                .1
                .starts_with("warning: this removed your active context"));
            assert!(ours.1.ends_with(held), "{ours:?}");
        } else {
            assert_eq!(
                ours,
                (
                    String::new(),
                    "error: open config.lock: file exists\n".into(),
                    Some(1)
                ),
                "{args:?}"
            );
        }
        if let Some(k) = common::oracle() {
            assert_eq!(ours, run(k, args), "{args:?}");
        }
        assert_eq!(std::fs::read_to_string(&kc).unwrap(), INPUT, "{args:?}");
        assert_eq!(listing(d.path()), ["config", "config.lock"], "{args:?}");
    }

    // Every file of a $KUBECONFIG list is locked, even one that does not exist.
    std::fs::remove_file(d.path().join("config.lock")).unwrap();
    std::fs::write(d.path().join("zz.lock"), "").unwrap();
    let list = std::env::join_paths([d.path().join("config"), d.path().join("zz")]).unwrap();
    let run_env = |program: &str| {
        let out = cmd(program, d.path())
            .env("KUBECONFIG", &list)
            .args(["config", "set-context", "x"])
            .output()
            .unwrap();
        (text(&out.stdout), text(&out.stderr), out.status.code())
    };
    let ours = run_env(BIN);
    let want = format!(
        "error: open {}: file exists\n",
        d.path().join("zz.lock").display()
    );
    assert_eq!(ours, (String::new(), want, Some(1)));
    if let Some(k) = common::oracle() {
        assert_eq!(ours, run_env(k));
    }
    assert_eq!(listing(d.path()), ["config", "zz.lock"]);
}

#[test]
fn twenty_concurrent_set_context_calls_keep_every_success() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("config");
    std::fs::write(&kc, INPUT).unwrap();
    let spawn = |i: usize| -> Child {
        cmd(BIN, d.path())
            .args(["--kubeconfig", "config", "config", "set-context"])
            .arg(format!("ctx-{i}"))
            .arg(format!("--cluster=c-{i}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<Child> = (0..20).map(spawn).collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let cfg = parse(&kc);
    let contexts = names(&cfg, "contexts");
    let mut won = 0;
    for (i, o) in outputs.iter().enumerate() {
        let name = format!("ctx-{i}");
        if o.status.success() {
            won += 1;
            assert_eq!(text(&o.stdout), format!("Context \"{name}\" created.\n"));
            assert!(contexts.contains(&name), "{name} lost: {contexts:?}");
        } else {
            assert_eq!(o.status.code(), Some(1));
            assert_eq!(text(&o.stderr), "error: open config.lock: file exists\n");
            assert!(!contexts.contains(&name), "{name} failed but is there");
        }
    }
    assert!(won >= 1, "nobody got the lock");
    // Nothing of the original file is lost, and nothing is left behind.
    assert!(contexts.contains(&"mine".to_string()));
    assert_eq!(names(&cfg, "users"), ["mine"]);
    assert_eq!(cfg["users"][0]["user"]["token"].as_str(), Some("secret"));
    assert_eq!(listing(d.path()), ["config"]);

    // Writers that retry on the lock error all end up in the file: none overwrote another's
    // entry with the copy it read before taking the lock.
    let retrying: Vec<std::thread::JoinHandle<()>> = (0..20)
        .map(|i| {
            let dir = d.path().to_path_buf();
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    let o = cmd(BIN, &dir)
                        .args(["--kubeconfig", "config", "config", "set-cluster"])
                        .arg(format!("cl-{i}"))
                        .arg(format!("--server=https://{i}"))
                        .output()
                        .unwrap();
                    if o.status.success() {
                        return;
                    }
                    assert_eq!(text(&o.stderr), "error: open config.lock: file exists\n");
                }
                panic!("cl-{i} never got the lock");
            })
        })
        .collect();
    for t in retrying {
        t.join().unwrap();
    }
    let cfg = parse(&kc);
    let clusters = names(&cfg, "clusters");
    for i in 0..20 {
        assert!(
            clusters.contains(&format!("cl-{i}")),
            "cl-{i}: {clusters:?}"
        );
    }
    assert_eq!(names(&cfg, "contexts"), contexts, "contexts kept");
    assert_eq!(listing(d.path()), ["config"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_written_through_and_modes_kept() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    for program in std::iter::once(BIN).chain(common::oracle()) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("real")).unwrap();
        let target = d.path().join("real/target");
        std::fs::write(&target, INPUT).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o604)).unwrap();
        std::os::unix::fs::symlink("real/target", d.path().join("link")).unwrap();
        let out = cmd(program, d.path())
            .args(["--kubeconfig", "link", "config", "set-context", "z"])
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout), "Context \"z\" created.\n", "{program}");
        let link = std::fs::symlink_metadata(d.path().join("link")).unwrap();
        assert!(link.file_type().is_symlink(), "{program}: link replaced");
        assert!(names(&parse(&target), "contexts").contains(&"z".into()));
        assert_eq!(mode(&target), 0o604, "{program}");
        assert_eq!(listing(&d.path().join("real")), ["target"], "{program}");
        assert_eq!(listing(d.path()), ["link", "real"], "{program}");

        // A `--kubeconfig` that does not exist yet is created, private.
        let out = cmd(program, d.path())
            .args(["--kubeconfig", "sub/new.yaml", "config", "set-context", "n"])
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout), "Context \"n\" created.\n", "{program}");
        assert_eq!(text(&out.stderr), "", "{program}");
        let new = d.path().join("sub/new.yaml");
        assert_eq!(mode(&new), 0o600, "{program}");
        assert_eq!(names(&parse(&new), "contexts"), ["n"]);
    }
}

/// Kills writers with SIGKILL at varied points of their run (after a growing number of polls
/// of the directory rather than after a delay): the file always parses, keeps every entry a
/// writer reported, and the next writer clears the debris (a stale lock is the user's to
/// remove, as with kubectl).
#[cfg(unix)]
#[test]
fn kill_9_at_any_point_leaves_a_valid_kubeconfig() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("config");
    std::fs::write(&kc, INPUT).unwrap();
    let mut confirmed = vec!["mine".to_string()];
    let mut killed = 0;
    // Runs killed while holding the lock (between reading and renaming).
    let mut inside = 0;
    for i in 0..40usize {
        let mut child = cmd(BIN, d.path())
            .args(["--kubeconfig", "config", "config", "set-context"])
            .arg(format!("k-{i}"))
            .arg(format!("--cluster=c-{i}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Every other run waits until the writer holds the lock, so the kill lands inside
        // the write; the others die anywhere from start-up on.
        if i % 2 == 1 {
            let lock = d.path().join("config.lock");
            for _ in 0..1_000_000 {
                if lock.exists() || child.try_wait().unwrap().is_some() {
                    break;
                }
            }
        }
        for _ in 0..(i * 7) % 60 {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let _ = listing(d.path());
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            confirmed.push(format!("k-{i}"));
        } else {
            killed += 1;
        }
        let cfg = parse(&kc);
        let have = names(&cfg, "contexts");
        for c in &confirmed {
            assert!(have.contains(c), "{c} lost after run {i}: {have:?}");
        }
        if std::fs::remove_file(d.path().join("config.lock")).is_ok() {
            inside += 1;
        }
    }
    assert!(
        killed > 0 && inside > 0,
        "no writer was interrupted mid-write"
    );
    let out = cmd(BIN, d.path())
        .args(["--kubeconfig", "config", "config", "set-context", "last"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(listing(d.path()), ["config"], "temporary files left");
}

/// A running `kubectl-rs sandbox` using the kubeconfig `kc`, after it said it is ready.
#[cfg(unix)]
struct Sandbox {
    child: Child,
    /// What it printed up to "Press Ctrl-C to stop.".
    banner: String,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

#[cfg(unix)]
impl Sandbox {
    fn start(dir: &Path, kc: &Path) -> Sandbox {
        use std::io::BufRead;
        let mut child = cmd(BIN, dir)
            .env("KUBECONFIG", kc)
            .args(["sandbox", "--port", "0", "--nodes", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        while !banner.contains("Press Ctrl-C to stop.") {
            let n = stdout.read_line(&mut banner).unwrap();
            assert!(n > 0, "sandbox exited early:\n{banner}");
        }
        Sandbox {
            child,
            banner,
            stdout,
        }
    }

    /// Sends `signal` and returns the rest of stdout, stderr and the exit code.
    fn stop(mut self, signal: &str) -> (String, String, Option<i32>) {
        use std::io::Read;
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap()
            .success());
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (rest, err, self.child.wait().unwrap().code())
    }
}

/// The user's own `sandbox` cluster and context, current.
const USERS_SANDBOX: &str = "apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster:
    server: https://prod.example:6443
contexts:
- name: sandbox
  context:
    cluster: sandbox
    user: admin
current-context: sandbox
users:
- name: admin
  user:
    token: secret
";

#[cfg(unix)]
#[test]
fn sandbox_takes_a_free_name_and_removes_only_its_own_entries_on_sigterm_and_sigint() {
    for signal in ["-TERM", "-INT"] {
        let d = tempfile::tempdir().unwrap();
        // Its own directory: HOME (`d`) gets kubectl-rs's discovery cache.
        std::fs::create_dir(d.path().join("kc")).unwrap();
        let kc = d.path().join("kc/config");
        std::fs::write(&kc, USERS_SANDBOX).unwrap();
        let sb = Sandbox::start(d.path(), &kc);
        assert!(
            sb.banner.contains(&format!(
                "Added cluster, user and context \"sandbox-2\" (\"sandbox\" is taken) to {} and made it current\n",
                kc.display()
            )),
            "{}",
            sb.banner
        );
        let cfg = parse(&kc);
        assert_eq!(names(&cfg, "clusters"), ["sandbox", "sandbox-2"]);
        assert_eq!(names(&cfg, "users"), ["admin", "sandbox-2"]);
        assert_eq!(cfg["current-context"].as_str(), Some("sandbox-2"));
        assert_eq!(
            cfg["clusters"][0]["cluster"]["server"].as_str(),
            Some("https://prod.example:6443")
        );
        // The new context works, and another writer's change made meanwhile survives the exit.
        let out = cmd(BIN, d.path())
            .env("KUBECONFIG", &kc)
            .args(["get", "nodes", "-o", "name"])
            .output()
            .unwrap();
        assert_eq!(
            text(&out.stdout),
            "node/sandbox-worker\n",
            "{}",
            text(&out.stderr)
        );
        let out = cmd(BIN, d.path())
            .env("KUBECONFIG", &kc)
            .args([
                "config",
                "set-context",
                "added-meanwhile",
                "--cluster=sandbox",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());

        let (rest, err, code) = sb.stop(signal);
        assert_eq!(code, Some(0), "{signal}: {err}");
        assert!(
            rest.contains(&format!(
                "Removed \"sandbox-2\" from {}; current context is \"sandbox\" again\n",
                kc.display()
            )),
            "{signal}: {rest}"
        );
        let after = parse(&kc);
        let want: serde_yaml_ng::Value = serde_yaml_ng::from_str(USERS_SANDBOX).unwrap();
        // kubectl's writer (`config set-context` above) sorts the entries by name.
        assert_eq!(names(&after, "contexts"), ["added-meanwhile", "sandbox"]);
        assert_eq!(after["clusters"], want["clusters"]);
        assert_eq!(after["users"], want["users"]);
        assert_eq!(after["contexts"][1], want["contexts"][0]);
        assert_eq!(after["current-context"].as_str(), Some("sandbox"));
        assert_eq!(listing(&d.path().join("kc")), ["config"], "{signal}");
    }
}

/// A sandbox killed with SIGKILL leaves its entries (nothing can remove them) in a valid file;
/// the next one does not take them over, and removes only its own.
#[cfg(unix)]
#[test]
fn sandbox_after_a_killed_sandbox_leaves_the_leftovers_alone() {
    let d = tempfile::tempdir().unwrap();
    let kc = d.path().join("config");
    let first = Sandbox::start(d.path(), &kc);
    assert!(
        first.banner.contains("context \"sandbox\" to"),
        "{}",
        first.banner
    );
    let (_, _, code) = first.stop("-KILL");
    assert_eq!(code, None);
    let left = std::fs::read_to_string(&kc).unwrap();
    assert_eq!(names(&parse(&kc), "contexts"), ["sandbox"]);

    let second = Sandbox::start(d.path(), &kc);
    assert!(second.banner.contains("\"sandbox-2\""), "{}", second.banner);
    let (rest, _, code) = second.stop("-TERM");
    assert_eq!(code, Some(0));
    assert!(
        rest.contains("current context is \"sandbox\" again"),
        "{rest}"
    );
    assert_eq!(
        parse(&kc),
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&left).unwrap()
    );
    assert_eq!(listing(d.path()), ["config"]);
}

/// Files kubectl cannot write and the file it writes from nothing: same words, same bytes.
#[cfg(unix)]
#[test]
fn unwritable_targets_and_new_files_match_kubectl() {
    let run = |program: &str| {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("adir")).unwrap();
        std::fs::create_dir(d.path().join("t")).unwrap();
        // A link into a directory that does not exist, and one to a new file in one that does.
        std::os::unix::fs::symlink("nowhere/x", d.path().join("dangling")).unwrap();
        std::os::unix::fs::symlink("t/new", d.path().join("fresh")).unwrap();
        let mut seen = Vec::new();
        for file in ["adir", "dangling", "fresh"] {
            let out = cmd(program, d.path())
                .args(["--kubeconfig", file, "config", "set-context", "x"])
                .output()
                .unwrap();
            seen.push((text(&out.stdout), text(&out.stderr), out.status.code()));
        }
        let written = std::fs::read_to_string(d.path().join("t/new")).unwrap();
        (seen, written, d.path().join("nowhere").exists())
    };
    let ours = run(BIN);
    let none = String::new();
    assert_eq!(
        ours.0,
        [
            (
                none.clone(),
                "error: error loading config file \"adir\": read adir: is a directory\n".into(),
                Some(1)
            ),
            (
                none.clone(),
                "error: open dangling: no such file or directory\n".into(),
                Some(1)
            ),
            ("Context \"x\" created.\n".into(), none, Some(0)),
        ]
    );
    assert_eq!(
        ours.1,
        "apiVersion: v1\nclusters: null\ncontexts:\n- context:\n    cluster: \"\"\n    user: \"\"\n  name: x\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n"
    );
    assert!(!ours.2, "the link's missing directory is not created");
    if let Some(k) = common::oracle() {
        assert_eq!(ours, run(k));
    }
}

/// SIGTERM while the sandbox is still adding its entries (right after it starts serving)
/// still ends with the kubeconfig as it was.
#[cfg(unix)]
#[test]
fn sandbox_stopped_during_start_up_leaves_the_kubeconfig_as_it_was() {
    use std::io::{BufRead, Read};
    for round in 0..5 {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("kc")).unwrap();
        let kc = d.path().join("kc/config");
        std::fs::write(&kc, USERS_SANDBOX).unwrap();
        let mut child = cmd(BIN, d.path())
            .env("KUBECONFIG", &kc)
            .args(["sandbox", "--port", "0", "--nodes", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(first.contains("serving on"), "{first}");
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "round {round}: {rest}");
        assert!(
            rest.ends_with("Sandbox stopped.\n"),
            "round {round}: {rest}"
        );
        assert_eq!(
            parse(&kc),
            serde_yaml_ng::from_str::<serde_yaml_ng::Value>(USERS_SANDBOX).unwrap(),
            "round {round}: {rest}"
        );
        assert_eq!(listing(&d.path().join("kc")), ["config"]);
    }
}
