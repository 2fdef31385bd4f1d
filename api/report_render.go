package api

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/report"
	"github.com/careledger/careledger/projections/timeline"
)

var reportTemplate = template.Must(template.New("report.html").Funcs(reportFuncs("zh")).Funcs(idFuncs(nil)).ParseFS(webFiles, "web/report.html"))

// reportPagePolicy lets the printable report use its inline style and run
// only the server's own print script (/inspect/report-print.js): its print
// button and its running header are that script's.
const reportPagePolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'"

// RenderReportHTML writes the printable accountability report — the page
// the server answers with for Accept: text/html — in Chinese (lang "zh") or
// English ("en"), for tools that print a report without the server.
func RenderReportHTML(w io.Writer, rep *report.Report, lang string) error {
	return renderReport(w, rep, lang, "")
}

// writeReportPage answers the printable report in the language asked for
// (?lang=en; Chinese otherwise), under reportPagePolicy.
func writeReportPage(w http.ResponseWriter, r *http.Request, rep *report.Report) error {
	lang := "zh"
	if strings.HasPrefix(r.URL.Query().Get("lang"), "en") {
		lang = "en"
	}
	var b strings.Builder
	if err := renderReport(&b, rep, lang, r.URL.Query().Get("as_of")); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", reportPagePolicy)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.String())
	return nil
}

func renderReport(w io.Writer, rep *report.Report, lang, asOfParam string) error {
	if lang != "en" {
		lang = "zh"
	}
	tmpl, err := reportTemplate.Clone()
	if err != nil {
		return fmt.Errorf("report page: %w", err)
	}
	short := shortIDs(rep)
	err = tmpl.Funcs(reportFuncs(lang)).Funcs(idFuncs(short)).Execute(w, map[string]any{
		"Lang": map[string]string{"zh": "zh-CN", "en": "en"}[lang], "Report": rep, "AsOfParam": asOfParam,
		"RunningHead": runningHead(rep, lang), "IDs": idRows(rep, short, lang),
	})
	if err != nil {
		return fmt.Errorf("report page: %w", err)
	}
	return nil
}

// runningHead is what every printed page carries at its top: the report's
// title, the inquiry's full id (or the case's or child's) and the place.
func runningHead(rep *report.Report, lang string) string {
	words := reportWords[lang]
	parts := []string{words["title"]}
	if rep.InquiryID != "" {
		parts = append(parts, words["inquiry"]+" "+rep.InquiryID)
	}
	if rep.Subject.CaseID != "" {
		parts = append(parts, words["case"]+" "+rep.Subject.CaseID)
	}
	if rep.Subject.ChildID != "" {
		parts = append(parts, words["child"]+" "+rep.Subject.ChildID)
	}
	if name := rep.Places[rep.Subject.Jurisdiction]; name != "" {
		parts = append(parts, name)
	} else if rep.Subject.Jurisdiction != "" {
		parts = append(parts, rep.Subject.Jurisdiction)
	}
	return strings.Join(parts, " · ")
}

// uuidPattern finds the ids of the record (UUIDs) in a report.
var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// shortIDs gives every id in the report a short form: its last 8
// characters after an ellipsis, or more where two ids would share them.
// Not the first 8: the record's ids are UUIDv7, whose first 8 characters
// are the time of creation, shared by everything recorded within a minute.
func shortIDs(rep *report.Report) map[string]string {
	raw, err := json.Marshal(rep)
	if err != nil {
		return map[string]string{}
	}
	ids := map[string]bool{}
	for _, id := range uuidPattern.FindAllString(string(raw), -1) {
		ids[id] = true
	}
	for n := 8; ; n += 4 {
		short, seen, clash := map[string]string{}, map[string]bool{}, false
		for id := range ids {
			s := strings.ReplaceAll(id, "-", "")
			s = "…" + s[len(s)-n:]
			clash = clash || seen[s]
			seen[s] = true
			short[id] = s
		}
		if !clash || n >= 32 {
			return short
		}
	}
}

// idFuncs shorten ids: short is an id's short form (or the text with every
// id in it shortened); id is the short form with the full id as its title.
func idFuncs(short map[string]string) template.FuncMap {
	shorten := func(s string) string {
		return uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
			if v, ok := short[id]; ok {
				return v
			}
			return id
		})
	}
	return template.FuncMap{
		"short": shorten,
		"id": func(s string) template.HTML {
			v := shorten(s)
			if v == s {
				return template.HTML(template.HTMLEscapeString(s))
			}
			return template.HTML(`<span class="id" title="` + template.HTMLEscapeString(s) + `">` + template.HTMLEscapeString(v) + `</span>`)
		},
		"who": func(workers map[string]report.Worker, subject string) string { return shorten(who(workers, subject)) },
	}
}

// idRow is a line of the report's table of ids: the short form, the full
// id and what it names.
type idRow struct{ Short, Full, What string }

// idRows lists every id the report shortens, grouped by what it names.
func idRows(rep *report.Report, short map[string]string, lang string) []idRow {
	words := reportWords[lang]
	what := func(id string) (int, string) {
		switch {
		case id == rep.InquiryID:
			return 0, words["inquiry"]
		case id == rep.Subject.ChildID || id == rep.Subject.Child:
			return 1, words["child"]
		case slices.Contains(rep.Subject.CaseIDs, id) || id == rep.Subject.CaseID:
			return 2, words["case"]
		}
		if w, ok := rep.Workers[id]; ok {
			return 3, w.Name
		}
		for _, d := range rep.Deadlines {
			if d.ReferralID == id {
				return 4, words["referral"]
			}
		}
		return 5, words["other_id"]
	}
	rows := make([]idRow, 0, len(short))
	rank := map[string]int{}
	for id, s := range short {
		r, w := what(id)
		rank[id] = r
		rows = append(rows, idRow{Short: s, Full: id, What: w})
	}
	slices.SortFunc(rows, func(a, b idRow) int {
		if c := rank[a.Full] - rank[b.Full]; c != 0 {
			return c
		}
		return strings.Compare(a.Full, b.Full)
	})
	return rows
}

// reportFuncs are the page's words and formats in a language.
func reportFuncs(lang string) template.FuncMap {
	words := reportWords[lang]
	zh := lang == "zh"
	roles, kinds, statuses := domain.Labels[domain.Role](), domain.Labels[domain.DeadlineKind](), domain.Labels[domain.DeadlineStatus]()
	qualifications := domain.Labels[domain.Qualification]()
	return template.FuncMap{
		"t": func(key string) string {
			if w, ok := words[key]; ok {
				return w
			}
			return key
		},
		"cst": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(domain.ChinaStandardTime).Format("2006-01-02 15:04") + " (UTC+8)"
		},
		// at is a time in a table: China Standard Time, said once in the
		// table's caption.
		"at": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(domain.ChinaStandardTime).Format("2006-01-02 15:04")
		},
		"role": func(role string) string {
			if zh {
				return label(roles, role)
			}
			return role
		},
		// qualification flags an act by a worker whose training had lapsed
		// or never passed ("" when qualified, or not kept).
		"qualification": func(q string) string {
			if q == "" || q == domain.Qualified.String() {
				return ""
			}
			if zh {
				return "，" + label(qualifications, q)
			}
			return ", " + q
		},
		"kind": func(kind string) string {
			if zh {
				return label(kinds, kind)
			}
			return strings.ReplaceAll(kind, "_", " ")
		},
		// status reads without colour: a mark and a word, in bold when missed.
		"status": func(status string) template.HTML {
			word := strings.ReplaceAll(status, "_", " ")
			if zh {
				word = label(statuses, status)
			}
			mark := statusMarks[status]
			if mark == "" {
				mark = "·"
			}
			return template.HTML(`<span class="st ` + template.HTMLEscapeString(status) + `"><span class="mark" aria-hidden="true">` +
				mark + `</span>` + template.HTMLEscapeString(word) + `</span>`)
		},
		// owner and who name a registered worker by name, with its id; a
		// post nobody held by its role and place name.
		"owner": func(rep *report.Report, owner string) string {
			if _, ok := rep.Workers[owner]; ok {
				return who(rep.Workers, owner)
			}
			if kind, code, ok := strings.Cut(owner, ":"); ok && kind != "agency" && rep.Places[code] != "" {
				if zh {
					return label(roles, kind) + "（" + rep.Places[code] + "）"
				}
				return kind + " (" + rep.Places[code] + ")"
			}
			if zh {
				return domain.ZhOwner(owner)
			}
			return owner
		},
		// place is a jurisdiction code's name, or the code.
		"place": func(rep *report.Report, code string) string {
			if name := rep.Places[code]; name != "" {
				return name
			}
			return code
		},
		// qualificationWord names a qualification in full ("" when not kept).
		"qualificationWord": func(q string) string {
			if zh {
				return label(qualifications, q)
			}
			return q
		},
		"involvement": func(why []string) string {
			out := make([]string, len(why))
			for i, w := range why {
				out[i] = w
				if l, ok := words["involved_"+w]; ok {
					out[i] = l
				}
			}
			return strings.Join(out, zhOr(zh, "、", ", "))
		},
		// action names an access-log action; eventType an event's type.
		"action": func(a string) string {
			if zh {
				return accesslog.ZhAction(a)
			}
			return strings.ReplaceAll(a, "_", " ")
		},
		"eventType": func(t string) string {
			if zh {
				return domain.ZhEventType(t)
			}
			return t
		},
		// fields names corrected fields (Chinese names where the file has them).
		"fields": func(names []string) string {
			if len(names) == 0 {
				return "—"
			}
			out := make([]string, len(names))
			for i, n := range names {
				out[i] = n
				if zh {
					out[i] = domain.ZhProfileField(n)
				}
			}
			return strings.Join(out, zhOr(zh, "、", ", "))
		},
		// change is a corrected field: its name, the value the entry holds
		// and the value corrected (timeline.ValueText: Chinese words).
		"change": func(c timeline.Change) string {
			name := c.Field
			if zh {
				name = timeline.FieldName(c.Field)
			}
			return name + zhOr(zh, "：", ": ") + "「" + timeline.ValueText(c.Field, c.Original) + "」→「" + timeline.ValueText(c.Field, c.Corrected) + "」"
		},
		// zh marks Chinese text on an English page as Chinese (lang), so
		// that it is read out as Chinese.
		"zh": func(s string) template.HTML {
			text := template.HTMLEscapeString(s)
			if zh || !hasHan(s) {
				return template.HTML(text)
			}
			return template.HTML(`<span lang="zh-CN">` + text + `</span>`)
		},
		"dur": func(d time.Duration) string {
			if d%(24*time.Hour) == 0 {
				return fmt.Sprintf("%d %s", d/(24*time.Hour), words["days"])
			}
			return fmt.Sprintf("%g %s", d.Hours(), words["hours"])
		},
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// statusMarks let an obligation's status read without colour, beside its word.
var statusMarks = map[string]string{"met": "✓", "met_late": "△", "missed": "✗", "open": "○"}

// zhOr is the Chinese or the English of a word, by the page's language.
func zhOr(zh bool, chinese, english string) string {
	if zh {
		return chinese
	}
	return english
}

// who is a worker of the register by name and id; anyone else by id.
func who(workers map[string]report.Worker, subject string) string {
	if w, ok := workers[subject]; ok {
		return w.Name + " " + subject
	}
	return subject
}

// label is a word's Chinese name, or the word itself.
func label(labels map[string]string, word string) string {
	if l, ok := labels[word]; ok {
		return l
	}
	return word
}

var reportWords = map[string]map[string]string{
	"zh": {
		"title": "重大事件倒查报告", "place": "所在地", "vacant": "空缺", "switch": "English", "print": "打印", "inquiry": "倒查编号", "case": "个案", "child": "儿童",
		"cases": "涉及个案", "incident_at": "事发时间", "reason": "倒查原因", "opened_by": "启动人", "as_of": "记录截至",
		"integrity": "记录完整性校验（哈希链）", "intact": "记录完整，未被篡改", "broken": "记录已被改动",
		"checked": "已校验事件数", "first_broken": "首个异常位置", "verified_at": "校验时间",
		"verified_to": "校验至日志位置", "walked": "本次重算事件数", "full_walk": "自首条起全量校验", "last_full_walk": "最近一次全量校验完成于", "up_to": "至日志位置", "walk_note": "校验自上次已校验的位置接续：其后的每条事件均重算哈希并与该位置的哈希相衔接；全量校验定期自首条事件重做，此前位置的事件若在最近一次全量校验后被改动，将在下一次全量校验时发现。",
		"stream": "记录流", "version": "版本", "position": "日志位置", "hash": "末条哈希",
		"withheld_stream": "儿童迁出本辖区后的记录不予显示；版本、日志位置与哈希为所示最后一条记录的",
		"cases_withheld":  "该儿童另有个案现不在本辖区，本报告不予列出。",
		"deadlines":       "职责时限", "kind": "职责", "subject": "对象", "started": "起算时间", "due": "截止时间", "status": "履行情况",
		"met_at": "履行时间", "owner": "责任人", "owner_at_incident": "事发时责任人", "policy": "政策版本", "referral": "转介",
		"none": "无", "late_entries": "迟录条目（发生后逾时登记）", "entry": "事项", "occurred": "发生时间", "recorded": "登记时间",
		"delay": "迟延", "hours": "小时", "days": "天", "threshold": "阈值", "actor": "经办人", "timeline": "完整时间线",
		"child_file": "儿童档案", "policies": "适用的时限政策", "in_force_from": "生效时间", "applied": "本报告适用",
		"police_clock": "报告公安时限", "late_threshold": "迟录阈值", "default_policy": "默认政策", "yes": "是", "no": "否",
		"people": "相关人员", "worker": "姓名", "role": "角色", "post_at_incident": "事发时岗位", "post_at_as_of": "截至时岗位",
		"qualification_at_incident": "事发时培训情况", "qualification_at_as_of": "截至时培训情况", "involvement": "涉及方式",
		"not_in_post": "当时不在岗", "involved_actor": "经办", "involved_owner": "职责责任人", "involved_responsible": "被认定负有责任",
		"involved_rectification_owner": "整改责任人", "reads": "查阅记录",
		"reads_period": "查阅期间", "reader": "查阅人", "read_at": "查阅时间", "read_what": "查阅内容", "to": "至",
		"corrections": "更正记录", "corrected_entry": "被更正条目", "corrected_fields": "更正内容（原值→更正值）", "corrected_by": "更正人",
		"corrected_recorded": "原条目登记时间", "stood": "原条目留存", "correction_note": "原条目保留不变，更正另行登记；更正的内容属儿童个人信息，仅向有权查阅儿童档案者列出，儿童信息删除后不再可读；更正理由不列入本报告。",
		"findings": "倒查结论", "found_at": "认定时间", "recorded_by": "登记人", "findings_text": "认定事实",
		"responsibilities": "责任认定", "finding": "认定内容",
		"rectifications": "整改事项", "item": "编号", "description": "整改内容", "due_on": "整改期限", "completed_at": "完成时间",
		"closed": "倒查结案", "closed_at": "结案时间", "conclusion": "结案结论", "closed_by": "结案人", "not_closed": "尚未结案",
		"erased": "（涉及儿童个人信息，已随删除一并销毁）", "other_id": "其他",
		"ids": "编号对照", "ids_caption": "本报告以末 8 位简写的编号及其完整编号", "short_id": "简写", "full_id": "完整编号", "names": "所指",
		"times_cst": "北京时间，UTC+8", "print_note": "打印：A4 纵向，每页页眉注明倒查编号，页脚注明页码。",
		"footer": "本报告仅依据不可更改的事件记录生成；截止时间之后登记的事项不予显示，各项职责按起算时有效的政策判断。时间均为北京时间。",
	},
	"en": {
		"title": "Major-incident trace-back report", "place": "Place", "vacant": "vacant", "switch": "中文", "print": "Print", "inquiry": "Inquiry", "case": "Case", "child": "Child",
		"cases": "Cases", "incident_at": "Incident at", "reason": "Reason", "opened_by": "Opened by", "as_of": "Record as of",
		"integrity": "Integrity (hash chain)", "intact": "intact, unaltered", "broken": "the record has been altered",
		"checked": "events checked", "first_broken": "first broken position", "verified_at": "verified at",
		"verified_to": "verified up to log position", "walked": "events re-hashed now", "full_walk": "the whole log, from the first event", "last_full_walk": "last walk of the whole log ended", "up_to": "up to position", "walk_note": "Verification goes on from the position verified before: every event since is re-hashed and must chain onto that position's hash. The whole log is walked again at intervals; an earlier event changed after the last whole-log walk shows at the next one.",
		"stream": "Stream", "version": "Version", "position": "Log position", "hash": "Last hash",
		"withheld_stream": "entries recorded after the child left your jurisdiction are withheld; version, position and hash are those of the last entry shown",
		"cases_withheld":  "The child has cases that now lie outside your jurisdiction; this report does not list them.",
		"deadlines":       "Obligations", "kind": "Obligation", "subject": "Subject", "started": "Started", "due": "Due", "status": "Status",
		"met_at": "Met at", "owner": "Owner", "owner_at_incident": "Owner at the incident", "policy": "Policy", "referral": "referral",
		"none": "none", "late_entries": "Late entries", "entry": "Entry", "occurred": "Occurred", "recorded": "Recorded",
		"delay": "Delay", "hours": "hours", "days": "days", "threshold": "threshold", "actor": "Actor", "timeline": "Timeline",
		"child_file": "child file", "policies": "Deadline policies", "in_force_from": "In force from", "applied": "Applied here",
		"police_clock": "Police report clock", "late_threshold": "Late-entry threshold", "default_policy": "default policy", "yes": "yes", "no": "no",
		"people": "People involved", "worker": "Name", "role": "Role", "post_at_incident": "Post at the incident", "post_at_as_of": "Post as of",
		"qualification_at_incident": "Training at the incident", "qualification_at_as_of": "Training as of", "involvement": "Involvement",
		"not_in_post": "not in post then", "involved_actor": "acted", "involved_owner": "owned an obligation", "involved_responsible": "held responsible",
		"involved_rectification_owner": "owns a rectification item", "reads": "Reads of the record",
		"reads_period": "Period", "reader": "Reader", "read_at": "Read at", "read_what": "What", "to": "to",
		"corrections": "Corrections", "corrected_entry": "Entry corrected", "corrected_fields": "Correction (original → corrected)", "corrected_by": "Corrected by",
		"corrected_recorded": "Entry recorded", "stood": "Stood for", "correction_note": "The original entry stays as recorded; the correction is recorded beside it. The values are a child's personal data, shown only to those who may read the child's file and unreadable once it is erased; the reasons are not listed.",
		"findings": "Findings", "found_at": "Found at", "recorded_by": "Recorded by", "findings_text": "Findings",
		"responsibilities": "Responsibilities", "finding": "Finding",
		"rectifications": "Rectification items", "item": "Item", "description": "Description", "due_on": "Due on", "completed_at": "Completed at",
		"closed": "Closing", "closed_at": "Closed at", "conclusion": "Conclusion", "closed_by": "Closed by", "not_closed": "not closed yet",
		"erased": "(the child's personal data: erased)", "other_id": "other",
		"ids": "Ids", "ids_caption": "The ids this report shortens to their last 8 characters, in full", "short_id": "Short", "full_id": "Full id", "names": "Names",
		"times_cst": "China Standard Time, UTC+8", "print_note": "Prints on A4 portrait; every page is headed with the inquiry and numbered.",
		"footer": "Built from the immutable event record only; entries recorded after the as-of moment are left out, and each obligation is judged by the policy in force when its clock started. Times are China Standard Time.",
	},
}
