#!/usr/bin/env bash
# Regenerates data/i18n/<lang>.json from a Kubernetes source tree, with the gettext parser
# and the LongDesc normaliser kubectl itself uses (copied from the tree, not downloaded).
#   tools/i18ngen/gen.sh /path/to/kubernetes [go binary]
set -euo pipefail
K8S=$1
GO=${2:-go}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$HERE/../.." && pwd)/data/i18n
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$HERE/main.go" "$HERE/go.mod" "$WORK/"
mkdir -p "$WORK/third/po" "$WORK/third/blackfriday" "$WORK/third/heredoc" "$WORK/third/templates"
cp "$K8S"/vendor/github.com/chai2010/gettext-go/po/*.go "$WORK/third/po/"
cp "$K8S"/vendor/github.com/russross/blackfriday/v2/*.go "$WORK/third/blackfriday/"
cp "$K8S"/vendor/github.com/MakeNowJust/heredoc/*.go "$WORK/third/heredoc/"
T="$K8S/staging/src/k8s.io/kubectl/pkg/util/templates"
cp "$T/markdown.go" "$WORK/third/templates/"
# normalizers.go without its cobra helpers (Normalize, NormalizeAll), which need cobra.
awk '/^func Normalize(All)?\(/{skip=1} skip&&/^}/{skip=0;next} !skip' "$T/normalizers.go" \
  | grep -v '"github.com/spf13/cobra"' >"$WORK/third/templates/normalizers.go"
sed -i -e 's#"github.com/chai2010/gettext-go/po"#"i18ngen/third/po"#' \
  -e 's#"github.com/MakeNowJust/heredoc"#"i18ngen/third/heredoc"#' \
  -e 's#"github.com/russross/blackfriday/v2"#blackfriday "i18ngen/third/blackfriday"#' \
  "$WORK"/third/*/*.go
# Only languages that translate something: default and en_US have empty msgstrs.
(cd "$WORK" && GOFLAGS=-mod=mod "$GO" run . \
  "$K8S/staging/src/k8s.io/kubectl/pkg/util/i18n/translations/kubectl" "$OUT" \
  de_DE fr_FR it_IT ja_JP ko_KR pt_BR zh_CN zh_TW)
