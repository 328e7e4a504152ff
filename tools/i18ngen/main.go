// Generates kubectl-rs's translation catalogs from kubectl's k8s.po files, parsed with the
// gettext-go parser kubectl uses, with kubectl's LongDesc/Examples normalizations applied.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"i18ngen/third/po"
	"i18ngen/third/templates"
)

type entry struct {
	ID   string `json:"id"`
	Str  string `json:"str"`
	Long string `json:"long,omitempty"`
	LStr string `json:"long_str,omitempty"`
}

func main() {
	src, out := os.Args[1], os.Args[2]
	for _, lang := range os.Args[3:] {
		f, err := po.LoadFile(fmt.Sprintf("%s/%s/LC_MESSAGES/k8s.po", src, lang))
		if err != nil {
			panic(err)
		}
		var entries []entry
		for _, m := range f.Messages {
			if m.MsgId == "" || m.MsgStr == "" || m.MsgContext != "" {
				continue
			}
			e := entry{ID: m.MsgId, Str: m.MsgStr}
			if l := templates.LongDesc(m.MsgId); l != m.MsgId {
				e.Long = l
				e.LStr = templates.LongDesc(m.MsgStr)
			}
			entries = append(entries, e)
		}
		data, _ := json.MarshalIndent(entries, "", " ")
		if err := os.WriteFile(fmt.Sprintf("%s/%s.json", out, lang), data, 0o644); err != nil {
			panic(err)
		}
	}
}
