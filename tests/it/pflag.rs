//! Command-line compatibility with spf13/pflag and cobra (issues 19 and 12): flag errors in
//! pflag's words for every kind of flag, named as the user typed them, with cobra's pointer to
//! the help and kubectl's exit code; a repeated flag takes its last value. Compared with the
//! real kubectl; refused command lines leave the server as it was.

use crate::mutate::{hostile_after, twins};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flag_errors_read_as_pflag() {
    hostile_after(
        &[],
        &[
            // A flag without its value, long and short, global and local.
            &["get", "pods", "--user"],
            &["get", "pods", "-n"],
            &["-n"],
            &["get", "pods", "-wn"],
            &["create", "deployment", "x", "--image"],
            &["apply", "-f"],
            &["label", "deploy", "web", "a=b", "-l"],
            &["scale", "deploy/web", "--replicas"],
            &["set", "image", "deploy/web", "nginx=n:2", "--selector"],
            // Unknown flags, and a shorthand inside a group.
            &["get", "pods", "--foo"],
            &["get", "pods", "--foo=bar"],
            &["get", "pods", "-z"],
            &["get", "pods", "-zq"],
            &["get", "pods", "-wz"],
            &["delete", "deploy", "web", "--nope"],
            &["annotate", "deploy", "web", "a=b", "-Z"],
            // Booleans Go's strconv.ParseBool refuses.
            &["delete", "deploy", "web", "--force=maybe"],
            &["get", "pods", "--watch=maybe"],
            &["get", "pods", "-A=x"],
            &["label", "deploy", "web", "a=b", "--overwrite=yes"],
            &["api-resources", "--namespaced=x"],
            &["config", "view", "--raw=x"],
            // Integers strconv.ParseInt refuses, by syntax and by range.
            &["delete", "deploy", "web", "--grace-period=x"],
            &[
                "delete",
                "deploy",
                "web",
                "--grace-period=99999999999999999999",
            ],
            &["get", "pods", "--chunk-size=1x"],
            &["create", "deployment", "x", "--image=a", "--replicas=x"],
            &[
                "create",
                "deployment",
                "x",
                "--image=a",
                "--replicas=99999999999",
            ],
            &["create", "deployment", "x", "--image=a", "--port=x"],
            &["rollout", "undo", "deploy/web", "--to-revision=x"],
            &["get", "pods", "-v", "x"],
            // `diff` reports flag errors as usage errors, with exit code 2.
            &["diff", "--foo"],
            &["diff", "-f"],
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_flags_take_the_last_value() {
    twins(&[
        // A global flag given twice: the last one counts.
        &["get", "deploy", "-n", "nope", "-n", "default", "-o", "name"],
        &[
            "--namespace",
            "nope",
            "get",
            "deploy",
            "--namespace=default",
            "-o",
            "name",
        ],
        // Local flags: single-valued ones are replaced, list flags accumulate.
        &["get", "deploy", "web", "-o", "yaml", "-o", "name"],
        &[
            "create",
            "deployment",
            "x",
            "--image=a",
            "--replicas",
            "2",
            "--replicas",
            "3",
            "--dry-run=client",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
        &[
            "create",
            "configmap",
            "c",
            "--from-literal=a=1",
            "--from-literal=b=2",
            "-o",
            "name",
        ],
        &[
            "label",
            "deploy",
            "web",
            "x=1",
            "--overwrite",
            "--overwrite=false",
        ],
        // Go's other spellings of a boolean.
        &["label", "deploy", "web", "x=2", "--overwrite=T"],
        &["annotate", "deploy", "web", "a=1"],
        &["annotate", "deploy", "web", "a=2", "--overwrite=1"],
        &["annotate", "deploy", "web", "a=3", "--overwrite=F"],
        // A value that looks like a flag is the value, as pflag reads it.
        &["get", "deploy", "-l", "-x", "-o", "name"],
    ])
    .await;
}
