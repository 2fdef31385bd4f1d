package api

import (
	"fmt"
	"io"

	"github.com/careledger/careledger/projections/report"
)

// RenderReportHTML writes the printable accountability report — the page
// the server answers with for Accept: text/html — in Chinese (lang "zh") or
// English ("en"), for tools that print a report without the server.
func RenderReportHTML(w io.Writer, rep *report.Report, lang string) error {
	if lang != "en" {
		lang = "zh"
	}
	tmpl, err := reportTemplate.Clone()
	if err != nil {
		return fmt.Errorf("report page: %w", err)
	}
	err = tmpl.Funcs(reportFuncs(lang)).Execute(w, map[string]any{
		"Lang": map[string]string{"zh": "zh-CN", "en": "en"}[lang], "Report": rep, "AsOfParam": "",
	})
	if err != nil {
		return fmt.Errorf("report page: %w", err)
	}
	return nil
}
