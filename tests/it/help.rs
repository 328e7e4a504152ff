//! `--help` of every command kubectl-rs has equals kubectl's, byte for byte.
//!
//! kubectl-rs runs through a symlink named `kubectl`, so it prints kubectl's program name. The
//! oracle is kubectl v1.33 (`KUBECTL_ORACLE`, default the installed `kubectl.1.33`); the target
//! is v1.36, so the oracle's text gets the v1.33→v1.36 changes below (each read in kubectl's
//! source at v0.36.2, commit subject given). Flags and commands kubectl has and kubectl-rs does
//! not are listed as known gaps and cut from the oracle's text explicitly; a gap that no longer
//! shows in the oracle's text fails the test, so the list stays true.

use clap::CommandFactory;
use kubectl_rs::cmd::Cli;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_ORACLE: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The oracle, or None (a note, or a failure under `CI=true`) when it is not installed.
#[allow(clippy::disallowed_methods)] // A test helper: reads the test process's environment.
fn oracle() -> Option<PathBuf> {
    let path = std::env::var_os("KUBECTL_ORACLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ORACLE));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the kubectl oracle {} is not installed", path.display());
    }
    eprintln!("note: {} not installed; help not compared", path.display());
    None
}

/// kubectl-rs behind a symlink named `kubectl` (kept alive by the returned TempDir).
fn as_kubectl() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kubectl");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kubectl-rs"), &link).unwrap();
    (dir, link)
}

fn help(program: &Path, words: &[&str]) -> (String, String, i32) {
    let out = Command::new(program)
        .args(words)
        .arg("--help")
        .env("HOME", "/nonexistent-home")
        .env_remove("KUBECONFIG")
        .env_remove("KUBECTL_KYAML")
        .output()
        .expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Every visible command path of kubectl-rs, except kubectl-rs's own `sandbox` (not kubectl's)
/// and v1.36's `kuberc` (not the v1.33 oracle's).
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            // kuberc view/set are v1.36's (tests/it/kuberc_cmd.rs checks them against the
            // v0.36 source); the v1.33 oracle has no `kuberc` command to compare with.
            if path.is_empty() && (sub.get_name() == "sandbox" || sub.get_name() == "kuberc") {
                continue;
            }
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut out);
    out
}

/// A v1.33→v1.36 change of kubectl's help text: in `command` ("*": every command), `from`
/// becomes `to`.
struct Change {
    command: &'static str,
    from: &'static str,
    to: &'static str,
}

const V136: &[Change] = &[
    // autoscale.go at v0.36: --cpu and --memory targets, --cpu-percent deprecated (hidden),
    // new examples and usage (kubectl e33a30ea7).
    Change {
        command: "autoscale",
        from: "  kubectl autoscale rc foo --max=5 --cpu-percent=80\n",
        to: "  kubectl autoscale rc foo --max=5 --cpu=80%\n  \n  # Auto scale a deployment \"bar\", with the number of pods between 3 and 6, target average CPU of 500m and memory of 200Mi\n  kubectl autoscale deployment bar --min=3 --max=6 --cpu=500m --memory=200Mi\n  \n  # Auto scale a deployment \"bar\", with the number of pods between 2 and 8, target CPU utilization 60% and memory utilization 70%\n  kubectl autoscale deployment bar --min=3 --max=6 --cpu=60% --memory=70%\n",
    },
    Change {
        command: "autoscale",
        from: "    --cpu-percent=-1:\n\tThe target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used.\n",
        to: "    --cpu='':\n\tTarget CPU utilization over all the pods. When specified as a percentage (e.g.\"70%\" for 70% of requested CPU) it will target average utilization. When specified as quantity (e.g.\"500m\" for 500 milliCPU) it will target average value. Value without units is treated as a quantity with miliCPU being the unit (e.g.\"500\" is \"500m\").\n",
    },
    Change {
        command: "autoscale",
        from: "    --min=-1:",
        to: "    --memory='':\n\tTarget memory utilization over all the pods. When specified  as a percentage (e.g.\"60%\" for 60% of requested memory) it will target average utilization. When specified as quantity (e.g.\"200Mi\" for 200 MiB, \"1Gi\" for 1 GiB) it will target average value. Value without units is treated as a quantity with mebibytes being the unit (e.g.\"200\" is \"200Mi\").\n\n    --min=-1:",
    },
    Change {
        command: "autoscale",
        from: "--max=MAXPODS [--cpu-percent=CPU] [options]",
        to: "--max=MAXPODS [--cpu=CPU] [--memory=MEMORY] [options]",
    },
    // expose.go's --selector help was reworded (kubectl v0.33.0..v0.36.3).
    Change {
        command: "expose",
        from: "infer the selector from the replication controller or replica set.)",
        to: "infer the selector from the resource being exposed.",
    },
    // set_selector.go's example gained `--image=nginx` (kubectl v0.33.0..v0.36.3).
    Change {
        command: "set selector",
        from: "kubectl create deployment my-dep -o yaml",
        to: "kubectl create deployment my-dep --image=nginx -o yaml",
    },
    // "kubectl diff: mask secret values" and a reworded short text (diff.go at v0.36).
    Change {
        command: "diff",
        from: "    --show-managed-fields=false:\n\tIf true, include managed fields in the diff.\n",
        to: "    --show-managed-fields=false:\n\tIf true, include managed fields in the diff.\n\n    --show-secrets=false:\n\tIf true, do not mask secret values in the diff.\n",
    },
    // "Add KYAML support to kubectl" + "Change KYAML gate to on-by-default": cli-runtime's
    // JSONYamlPrintFlags.AllowedFormats adds kyaml unless KUBECTL_KYAML=false.
    Change {
        command: "*",
        from: "Output format. One of: (json, yaml, name,",
        to: "Output format. One of: (json, yaml, kyaml, name,",
    },
    Change {
        command: "get",
        from: "get [(-o|--output=)json|yaml|name|",
        to: "get [(-o|--output=)json|yaml|kyaml|name|",
    },
    Change {
        command: "events",
        from: "events [(-o|--output=)json|yaml|name|",
        to: "events [(-o|--output=)json|yaml|kyaml|name|",
    },
    // "Improve ignore-not-found behavior" (get.go).
    Change {
        command: "get",
        from: "If the requested object does not exist the command will return exit code 0.",
        to: "If set to true, suppresses NotFound error for specific objects that do not exist. Using this flag with commands that query for collections of resources has no effect when no resources are found.",
    },
    // "Update --chunk-size flag, dropping the beta information" (cmdutil.AddChunkSizeFlag).
    Change {
        command: "*",
        from: "Pass 0 to disable. This flag is beta and may change in the future.",
        to: "Pass 0 to disable.",
    },
    // "Drop experimental prefix from kubectl wait command".
    Change {
        command: "",
        from: "  wait            Experimental: Wait for",
        to: "  wait            Wait for",
    },
    Change {
        command: "wait",
        from: "Experimental: Wait for a specific condition on one or many resources.",
        to: "Wait for a specific condition on one or many resources.",
    },
    // "kubectl wait: Support multiple conditions (#136855)": --for is a StringArray, with
    // two more examples.
    Change {
        command: "wait",
        from: "    --for='':\n\tThe condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity.\n",
        to: "    --for=[]:\n\tThe condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity. Multiple conditions are supported and AND'ed to each other in a sequential order. If --for=create is passed, it is always waited first.\n",
    },
    Change {
        command: "wait",
        from: "  kubectl wait --for=delete pod/busybox1 --timeout=60s\n",
        to: "  kubectl wait --for=delete pod/busybox1 --timeout=60s\n  \n  # Wait for pod \"busybox1\" to be created AND reach the \"Ready\" status condition\n  kubectl wait --for=condition=Ready --for=create pod/busybox1\n  \n  # Wait for pod \"busybox1\" to reach the \"Ready\" status OR for its containers to report a \"False\" readiness state\n  until kubectl wait pod/busybox1 --for=condition=Ready --timeout=1s 2>/dev/null || \\\n  kubectl wait pod/busybox1 --for=condition=ContainersReady=False --timeout=1s 2>/dev/null; \\\n  do echo \"Checking conditions...\"; sleep 1; done\n",
    },
    // "Fix example in kubectl create configmap".
    Change {
        command: "create configmap",
        from: "  # Create a new config map named my-config from the key=value pairs in the file\n  kubectl create configmap my-config --from-file=path/to/bar\n  \n  # Create a new config map named my-config from an env file\n  kubectl create configmap my-config --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env\n",
        to: "  # Create a new config map named my-config with key=value pairs from an env file\n  kubectl create configmap my-config --from-env-file=path/to/bar.env\n",
    },
    // "chore: update CronJob casing for create job help".
    Change {
        command: "create job",
        from: "(only cronjob is supported)",
        to: "(only CronJob is supported)",
    },
    // "docs: quote PowerShell completion script path" + "docs: dot-source kubectl completion
    // script in PowerShell profile".
    Change {
        command: "completion",
        from: "  kubectl completion powershell > $HOME\\.kube\\completion.ps1\n  Add-Content $PROFILE \"$HOME\\.kube\\completion.ps1\"\n",
        to: "  kubectl completion powershell > \"$HOME\\.kube\\completion.ps1\"\n  Add-Content $PROFILE \". '$HOME\\.kube\\completion.ps1'\"\n",
    },
    // "Skip events for multi-object kubectl describe".
    Change {
        command: "describe",
        from: "If true, display events related to the described object.\n",
        to: "If true, display events related to the described object. Defaults to true for a single object, false for multiple objects and prefix matching.\n",
    },
    // debug.go at v0.36: the default profile is "general" (legacy is deprecated).
    Change {
        command: "debug",
        from: "    --profile='legacy':\n\tOptions are \"legacy\", \"general\", \"baseline\", \"netadmin\", \"restricted\" or \"sysadmin\".\n",
        to: "    --profile='general':\n\tOptions are \"general\", \"baseline\", \"restricted\", \"netadmin\" or \"sysadmin\". Defaults to \"general\"\n",
    },
    // "kubectl explain: Add -r shorthand flag for --recursive (#135283)" (explain.go at
    // v0.36.3: BoolVarP "R", and StringVarP "o" for --output).
    Change {
        command: "explain",
        from: "    --output='plaintext':",
        to: "    -o, --output='plaintext':",
    },
    Change {
        command: "explain",
        from: "    --recursive=false:",
        to: "    -R, --recursive=false:",
    },
    // top.go's long help was rewritten ("kubectl top: improve help text"), and top_node.go and
    // top_pod.go gained --show-swap ("Add swap to kubectl top") (kubectl v0.33.0..v0.36.2).
    Change {
        command: "top",
        from: " The top command allows you to see the resource consumption for nodes or pods.\n\n This command requires Metrics Server to be correctly configured and working on the server.\n",
        to: " This command provides a view of recent resource consumption for nodes and pods. It fetches metrics from the Metrics Server, which aggregates this data from the kubelet on each node. The Metrics Server must be installed and running in the cluster for this command to work.\n\n The metrics shown are specifically optimized for Kubernetes autoscaling decisions, such as those made by the Horizontal Pod Autoscaler (HPA) and Vertical Pod Autoscaler (VPA). Because of this, the values may not match those from standard OS tools like 'top', as the metrics are designed to provide a stable signal for autoscalers rather than for pinpoint accuracy.\n\n FAQ for Metrics Server: https://github.com/kubernetes-sigs/metrics-server/blob/master/FAQ.md\n\n When to use this command:\n\n  *  For on-the-fly spot-checks of resource usage (e.g. identify which pods are consuming the most resources at a glance, or get a quick sense of the load on your nodes)\n  *  Understand current resource consumption patterns\n  *  Validate the behavior of your HPA or VPA configurations by seeing the metrics they use for scaling decisions.\n\n It is not intended to be a replacement for full-featured monitoring solutions. Its primary design goal is to provide a low-overhead signal for autoscalers, not to be a perfectly accurate monitoring tool. For high-accuracy reporting, historical analysis, dashboarding, or alerting, you should use a dedicated monitoring solution.\n",
    },
    Change {
        command: "top node",
        from: "    --sort-by='':",
        to: "    --show-swap=false:\n\tPrint node resources related to swap memory.\n\n    --sort-by='':",
    },
    Change {
        command: "top pod",
        from: "    --sort-by='':",
        to: "    --show-swap=false:\n\tPrint pod resources related to swap memory.\n\n    --sort-by='':",
    },
    // "Add --detach-keys for kubectl attach command" (attach.go and run.go at v0.36.3).
    Change {
        command: "attach",
        from: "    --pod-running-timeout=1m0s:",
        to: "    --detach-keys='ctrl-p,ctrl-q':\n\tOverride the key sequence for detaching a container\n\n    --pod-running-timeout=1m0s:",
    },
    Change {
        command: "run",
        from: "    --dry-run='none':",
        to: "    --detach-keys='ctrl-p,ctrl-q':\n\tOverride the key sequence for detaching a container.\n\n    --dry-run='none':",
    },
    // "kubectl config set-context: Add -n flag" (set_context.go at v0.36: VarP "n").
    Change {
        command: "config set-context",
        from: "    --namespace='':",
        to: "    -n, --namespace='':",
    },
    // Not applied, as kubectl-rs keeps v1.33's behaviour (known gaps):
    // - "JSON & YAML output for kubectl api-resources": api-resources -o takes json, yaml and
    //   kyaml too (and gains --show-managed-fields) in v1.36.
    // - "Promote kuberc to beta": the root lists `kuberc` under Other Commands (a gap below).
];

/// Flags kubectl has that kubectl-rs does not list in the command's help.
const MISSING_FLAGS: &[(&str, &[&str])] = &[];

/// Subcommands kubectl has that kubectl-rs does not.
const MISSING_COMMANDS: &[(&str, &[&str])] = &[];

/// The oracle's text with the v1.36 changes applied and the known gaps cut.
fn expected(command: &str, oracle_text: &str) -> String {
    let mut text = oracle_text.to_string();
    for c in V136 {
        if c.command == "*" || c.command == command {
            text = text.replace(c.from, c.to);
        }
    }
    for (cmd, flags) in MISSING_FLAGS.iter().filter(|(c, _)| *c == command) {
        for flag in *flags {
            text = cut_flag(&text, flag)
                .unwrap_or_else(|| panic!("stale gap: `{cmd}` help has no --{flag}"));
        }
    }
    let mut removed_commands = false;
    for (cmd, names) in MISSING_COMMANDS.iter().filter(|(c, _)| *c == command) {
        for name in *names {
            text = cut_command(&text, name)
                .unwrap_or_else(|| panic!("stale gap: `{cmd}` help lists no {name}"));
        }
        removed_commands = true;
    }
    if command.is_empty() {
        // kubectl-rs lists no (empty) plugin group; it has its own `sandbox`, and v1.36's
        // `kuberc` (in "Other Commands", which v1.33 lacks).
        text = text.replace("Subcommands provided by plugins:\n\n", "");
        text = text.replace(
            "  plugin          Provides utilities for interacting with plugins\n",
            "  kuberc          Manage kuberc configuration files\n  plugin          Provides utilities for interacting with plugins\n  sandbox         Run a simulated Kubernetes cluster on this machine (no containers needed)\n",
        );
    }
    if removed_commands {
        text = repad_commands(&text);
    }
    if removed_commands && !text.contains("Available Commands:") {
        // Every subcommand is a gap (`cluster-info dump`): no pointer to them either.
        text = text.replace(
            &format!("Use \"kubectl {command} <command> --help\" for more information about a given command.\n"),
            "",
        );
    }
    text
}

/// The text without the flag's block (`    [-x, ]--flag=...:\n\t...\n\n`).
fn cut_flag(text: &str, flag: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut lines = text.split_inclusive('\n').peekable();
    let mut found = false;
    while let Some(line) = lines.next() {
        let head = line.trim_start();
        let head = match head.split_once(", ") {
            Some((short, rest)) if short.starts_with('-') && short.len() == 2 => rest,
            _ => head,
        };
        if line.starts_with("    -") && head.starts_with(&format!("--{flag}=")) {
            found = true;
            lines.next(); // the usage text
            if lines.peek() == Some(&"\n") {
                lines.next();
            }
            continue;
        }
        out.push(line);
    }
    found.then(|| out.concat())
}

/// The text without the subcommand's line in a command list.
fn cut_command(text: &str, name: &str) -> Option<String> {
    let prefix = format!("  {name} ");
    let mut found = false;
    let kept: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| {
            let hit = l.starts_with(&prefix) && l[prefix.len()..].starts_with(' ');
            found |= hit;
            !hit
        })
        .collect();
    let mut out = kept.concat();
    // A group left empty loses its heading and blank line.
    for heading in [
        "Basic Commands (Beginner):\n",
        "Cluster Management Commands:\n",
    ] {
        out = out.replace(&format!("{heading}\n"), "");
    }
    if out.contains("Available Commands:\n\n") {
        out = out.replace("Available Commands:\n\n", "");
    }
    found.then_some(out)
}

/// Command lists padded as cobra does for the commands that remain: the longest name (at
/// least 11) plus three spaces.
fn repad_commands(text: &str) -> String {
    let is_entry = |l: &str| {
        l.starts_with("  ")
            && !l.starts_with("   ")
            && l[2..].contains("   ")
            && !l[2..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .starts_with('-')
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let mut in_list = false;
    let mut entries = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with(' ') && l.ends_with(':') {
            in_list = l.contains("Commands");
            continue;
        }
        if in_list && is_entry(l) {
            entries.push(i);
        }
    }
    let width = entries
        .iter()
        .map(|&i| lines[i][2..].split_whitespace().next().unwrap().len())
        .max()
        .unwrap_or(0)
        .max(11);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    for i in entries {
        let rest = &lines[i][2..];
        let (name, short) = rest.split_once(' ').unwrap();
        out[i] = format!("  {name:<width$}   {}", short.trim_start());
    }
    out.join("\n")
}

#[test]
fn every_command_prints_kubectls_help() {
    let Some(kubectl) = oracle() else {
        return;
    };
    let (_dir, ours) = as_kubectl();
    let mut failures = Vec::new();
    let paths = command_paths();
    assert!(paths.len() > 40, "{paths:?}");
    for path in &paths {
        let words: Vec<&str> = path.iter().map(String::as_str).collect();
        let command = words.join(" ");
        let theirs = help(&kubectl, &words);
        assert_eq!(theirs.2, 0, "oracle `{command} --help`: {}", theirs.1);
        let want = expected(&command, &theirs.0);
        let got = help(&ours, &words);
        if (got.0.as_str(), got.1.as_str(), got.2) != (want.as_str(), "", 0) {
            failures.push(format!(
                "`kubectl {command} --help` differs:\n{}\n(stderr {:?}, code {})",
                line_diff(&want, &got.0),
                got.1,
                got.2
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The differing lines, kubectl's (`-`) against ours (`+`).
fn line_diff(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut out = Vec::new();
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            if let Some(a) = a {
                out.push(format!("{i:4} - {a}"));
            }
            if let Some(b) = b {
                out.push(format!("{i:4} + {b}"));
            }
        }
        if out.len() > 24 {
            out.push("...".into());
            break;
        }
    }
    out.join("\n")
}

#[test]
fn help_command_and_help_flag_agree() {
    let (_dir, ours) = as_kubectl();
    for words in [&["get"][..], &["config", "view"], &["rollout"], &[]] {
        let flag = help(&ours, words);
        let mut args = vec!["help"];
        args.extend(words);
        let out = Command::new(&ours).args(&args).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), flag.0, "{args:?}");
        assert_eq!(out.status.code(), Some(0));
        let out = Command::new(&ours).args(words).arg("-h").output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), flag.0, "{words:?} -h");
    }
    // `options` has an empty help template.
    assert_eq!(help(&ours, &["options"]), (String::new(), String::new(), 0));
}

#[test]
fn the_program_name_is_the_invoked_name() {
    let bin = Path::new(env!("CARGO_BIN_EXE_kubectl-rs"));
    let (text, _, code) = help(bin, &["config", "use-context"]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "Set the current-context in a kubeconfig file.\n\nAliases:\nuse-context, use\n\nExamples:\n  # Use the context for the minikube cluster\n  kubectl-rs config use-context minikube\n\nUsage:\n  kubectl-rs config use-context CONTEXT_NAME [options]\n\nUse \"kubectl-rs options\" for a list of global command-line options (applies to all commands).\n"
    );
    // Usage errors name the command as it was invoked too.
    let (_dir, ours) = as_kubectl();
    let out = Command::new(&ours)
        .args(["version", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unknown flag: --bogus\nSee 'kubectl version --help' for usage.\n"
    );
    let out = Command::new(bin)
        .args(["version", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unknown flag: --bogus\nSee 'kubectl-rs version --help' for usage.\n"
    );
}

#[test]
fn unknown_help_topic_prints_the_root_usage_as_kubectl() {
    let Some(kubectl) = oracle() else {
        return;
    };
    let (_dir, ours) = as_kubectl();
    let run = |program: &Path, args: &[&str]| {
        let out = Command::new(program).args(args).output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code(),
        )
    };
    let args = ["help", "nonexistent", "other"];
    let theirs = run(&kubectl, &args);
    assert_eq!((theirs.0.as_str(), theirs.2), ("", Some(0)));
    // The root usage is the root help without its description (which ends before the first
    // command group).
    let (head, usage) = theirs.1.split_once("\n\n\n").unwrap();
    assert_eq!(head, "Unknown help topic [`nonexistent` `other`]");
    let root = expected("", &help(&kubectl, &[]).0);
    let root_usage = &root[root.find("\n\nBasic Commands").unwrap()..];
    assert!(root_usage.ends_with(&usage[usage.len() - 40..]));
    let want = format!("{head}\n{root_usage}");
    assert_eq!(run(&ours, &args), (String::new(), want, Some(0)));
    // Words past a command are ignored: `help config nonexistent` is config's help.
    assert_eq!(
        run(&ours, &["help", "config", "nonexistent"]),
        run(&kubectl, &["help", "config", "nonexistent"])
    );
}

/// Global flags kubectl has that kubectl-rs does not accept (klog's and the profiler's).
const MISSING_GLOBAL_FLAGS: &[&str] = &[
    "log-flush-frequency",
    "profile",
    "profile-output",
    "vmodule",
];

#[test]
fn options_lists_the_global_flags_as_kubectl() {
    let Some(kubectl) = oracle() else {
        return;
    };
    let (_dir, ours) = as_kubectl();
    let home = tempfile::tempdir().unwrap();
    let run = |program: &Path| {
        // v1.33's kuberc is alpha (on with KUBECTL_KUBERC=true); v1.36's is beta, on by default.
        let out = Command::new(program)
            .arg("options")
            .env("HOME", home.path())
            .env("KUBECTL_KUBERC", "true")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // v1.36's --kuberc help also names KUBERC=off (kubectl pkg/kuberc `AddFlags`).
    let mut want = run(&kubectl).replace(
        "exporting KUBECTL_KUBERC=false.\n",
        "exporting KUBECTL_KUBERC=false feature gate or turning off the feature KUBERC=off.\n",
    );
    // v1.36 adds --as-user-extra (cli-runtime `ConfigFlags`), after --as-uid.
    let extra = "    --as-user-extra=[]:\n\tUser extras to impersonate for the operation, this flag can be repeated to specify multiple values for the same key.\n\n";
    let at = want
        .find("    --cache-dir=")
        .expect("options lists --cache-dir");
    want.insert_str(at, extra);
    for flag in MISSING_GLOBAL_FLAGS {
        want =
            cut_flag(&want, flag).unwrap_or_else(|| panic!("stale gap: options has no --{flag}"));
    }
    assert_eq!(line_diff(&want, &run(&ours)), "");
}
