//! The builder's local mode (cli-runtime `Local()`), shared by `auth reconcile`, `set …
//! --local`, `label`/`annotate --local` and `patch --local`: objects used as read, never
//! mapped against the server. Compared with the real kubectl (v1.33) on the same sandbox;
//! nothing on the server may change.

use crate::common;
use common::{assert_same, snapshot, TestEnv};

/// A Pod in namespace `a`, then a custom resource no scheme knows, in `a` too.
const POD_AND_CUSTOM: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: a
spec:
  containers:
  - name: c
    image: x
---
apiVersion: example.com/v1
kind: Foo
metadata:
  name: x
  namespace: a
";

/// A Pod without a namespace.
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: q
spec:
  containers:
  - name: c
    image: x
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_builders_match_kubectl() {
    let env = TestEnv::start().await;
    std::fs::write(env.work.join("mixed.yaml"), POD_AND_CUSTOM).unwrap();
    std::fs::write(env.work.join("pod.yaml"), POD).unwrap();
    let cases: &[&[&str]] = &[
        // Typed builders (`WithScheme`): a kind kubectl does not know is a decode error,
        // reported after the others; an object in another namespace than `-n` is refused.
        &[
            "set",
            "image",
            "--local",
            "-f",
            "mixed.yaml",
            "c=img",
            "-o",
            "name",
        ],
        &[
            "set",
            "image",
            "--local",
            "-f",
            "mixed.yaml",
            "-n",
            "b",
            "c=img",
            "-o",
            "name",
        ],
        &[
            "set", "image", "--local", "-f", "pod.yaml", "-n", "b", "c=img", "-o", "name",
        ],
        &[
            "set",
            "env",
            "--local",
            "-f",
            "mixed.yaml",
            "-f",
            "pod.yaml",
            "-n",
            "b",
            "A=B",
            "-o",
            "name",
        ],
        &[
            "set",
            "resources",
            "--local",
            "-f",
            "mixed.yaml",
            "--limits=cpu=1",
            "-o",
            "name",
        ],
        &[
            "set",
            "image",
            "--local",
            "-f",
            "nope.yaml",
            "-f",
            "nope2.yaml",
            "c=i",
        ],
        // Unstructured builders: any kind; the namespace check still applies.
        &["label", "--local", "-f", "mixed.yaml", "x=y", "-o", "name"],
        &[
            "label",
            "--local",
            "-f",
            "mixed.yaml",
            "-n",
            "b",
            "x=y",
            "-o",
            "name",
        ],
        &[
            "annotate",
            "--local",
            "-f",
            "mixed.yaml",
            "-f",
            "pod.yaml",
            "-n",
            "a",
            "x=y",
            "-o",
            "name",
        ],
        &[
            "patch",
            "--local",
            "-f",
            "mixed.yaml",
            "-n",
            "b",
            "-p",
            "{}",
            "-o",
            "name",
        ],
        &[
            "patch",
            "--local",
            "-f",
            "mixed.yaml",
            "--type",
            "merge",
            "-p",
            "{}",
            "-o",
            "name",
        ],
    ];
    let before = snapshot(&env);
    for args in cases {
        let Some(theirs) = env.kubectl(args).await else {
            return;
        };
        let ours = env.ours(args).await;
        assert_same(&args.join(" "), &ours.normalized(), &theirs.normalized());
        assert_eq!(snapshot(&env), before, "{args:?} changed the server");
    }
}
