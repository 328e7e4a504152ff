//! Cross-cutting fixes found by Kubernetes' own `test/cmd` suite (issue 19) and kubectl's
//! extension points (plugins, kuberc; issue 17), each compared with the real kubectl (the
//! oracle, v1.33) on the same sandbox, or with kubectl v1.36's source where v1.36 differs.

use crate::common;

use common::{assert_same, TestEnv};

/// Runs `args` with both CLIs and asserts the same stdout, stderr and exit code.
async fn same(env: &TestEnv, args: &[&str]) {
    let ours = env.ours(args).await;
    let Some(theirs) = env.kubectl(args).await else {
        return;
    };
    assert_same(&args.join(" "), &ours, &theirs);
}

/// Go's text/template takes a field right after a keyword (`{{range.items}}`), which test/cmd
/// uses throughout; and rejects words run together as Go's lexer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_template_lexes_as_go() {
    let env = TestEnv::start().await;
    for t in [
        "{{range.items}}{{.metadata.name}}:{{end}}",
        "{{range .items}}{{if.metadata.name}}{{.metadata.name}}{{end}}{{end}}",
        "{{with.items}}{{len .}}{{end}}",
        "{{$x:=.items}}{{len $x}}",
        "{{range $i,$e:=.items}}{{$i}}{{end}}",
        "{{$x := 1}}{{$x=.items}}",
        "{{len(.items)}}",
        "{{else.x}}",
    ] {
        same(
            &env,
            &[
                "get",
                "ns",
                "default",
                "kube-system",
                "-o",
                &format!("go-template={t}"),
            ],
        )
        .await;
    }
}
