package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// Correction is what an entry of a correction (EntryCorrected) shows
// beside its summary: the entry it corrects, how long that entry stood
// before it was corrected, and each corrected field with the value the
// entry holds (the original stays) and the value the correction gives.
//
// The values are read from the log, never from a read model: where a field
// is personal they are the child's personal data, sealed under the child's
// key and opened by the store for a reader allowed to read the child's
// file. Once the child's data is erased the correction's values (and which
// fields it named) are gone: Erased, and no changes.
type Correction struct {
	CorrectsPosition    int64      `json:"corrects_position"`
	CorrectedType       string     `json:"corrected_type"`
	CorrectedOccurredAt *time.Time `json:"corrected_occurred_at,omitempty"`
	CorrectedRecordedAt *time.Time `json:"corrected_recorded_at,omitempty"`
	// DelayHours is how long the entry stood uncorrected: from its
	// recording to the correction's (absent when the entry is not found).
	DelayHours *float64 `json:"delay_hours,omitempty"`
	Changes    []Change `json:"changes"`
	// Text is the free text of a correction recorded before corrections
	// named fields.
	Text   string `json:"text,omitempty"`
	Erased bool   `json:"erased,omitempty"`
}

// Change is one corrected field, by its JSON name in the entry: its value
// in the entry as recorded (null when the entry has none, or once erased)
// and as corrected.
type Change struct {
	Field     string          `json:"field"`
	Original  json.RawMessage `json:"original"`
	Corrected json.RawMessage `json:"corrected"`
	// Text says it for people, in Chinese: 就学情况：「小学三年级」→「小学四年级」.
	Text string `json:"text"`
}

// Corrected reads the correction r against the events of its stream, in
// log order (as decoded from the log): the entry it corrects, found by
// position (or by event id, for a correction recorded before corrections
// named positions), and each field's original and corrected value. ok is
// false when r is not a correction.
func Corrected(r domain.Recorded, stream []domain.Recorded) (c Correction, ok bool) {
	e, ok := r.Event.(domain.EntryCorrected)
	if !ok {
		return Correction{}, false
	}
	c = Correction{CorrectsPosition: e.CorrectsPosition, CorrectedType: e.CorrectedType, Changes: []Change{}, Text: e.Correction,
		Erased: len(e.Fields) == 0 && e.Correction == ""}
	i := slices.IndexFunc(stream, func(x domain.Recorded) bool {
		return (e.CorrectsPosition > 0 && x.Position == e.CorrectsPosition) || (e.CorrectsPosition == 0 && x.ID == e.Corrects)
	})
	var original map[string]json.RawMessage
	if i >= 0 {
		entry := stream[i]
		occurred, recorded := entry.OccurredAt, entry.RecordedAt
		delay := float64(r.RecordedAt.Sub(recorded).Round(time.Minute)) / float64(time.Hour)
		c.CorrectsPosition, c.CorrectedOccurredAt, c.CorrectedRecordedAt, c.DelayHours = entry.Position, &occurred, &recorded, &delay
		if raw, err := json.Marshal(entry.Event); err == nil {
			_ = json.Unmarshal(raw, &original)
		}
	}
	for _, field := range slices.Sorted(maps.Keys(e.Fields)) {
		was := original[field]
		if len(was) == 0 {
			was = json.RawMessage("null")
		}
		c.Changes = append(c.Changes, Change{Field: field, Original: was, Corrected: e.Fields[field],
			Text: FieldName(field) + "：「" + ValueText(field, was) + "」→「" + ValueText(field, e.Fields[field]) + "」"})
	}
	return c, true
}

// CorrectionSummary is the summary of a correction's entry for people who
// may read the child's file: the summary the timeline keeps (the entry it
// corrects), how long after that entry was recorded it was corrected, and
// each field from its original value to the corrected one.
func CorrectionSummary(summary string, c Correction) string {
	var b strings.Builder
	b.WriteString(summary)
	if c.DelayHours != nil {
		fmt.Fprintf(&b, "；原条目登记 %s 小时后更正", strconv.FormatFloat(*c.DelayHours, 'f', 1, 64))
	}
	switch {
	case c.Erased:
		b.WriteString("；更正内容已随儿童个人信息删除")
	case len(c.Changes) > 0:
		parts := make([]string, len(c.Changes))
		for i, ch := range c.Changes {
			parts[i] = fmt.Sprintf("%s由「%s」改为「%s」", FieldName(ch.Field), ValueText(ch.Field, ch.Original), ValueText(ch.Field, ch.Corrected))
		}
		b.WriteString("：" + strings.Join(parts, "，"))
	case c.Text != "":
		b.WriteString("：" + c.Text)
	}
	return b.String()
}

// FieldName names a field of an entry in Chinese (its JSON name when the
// domain has no word for it).
func FieldName(field string) string {
	if name, ok := entryFields[field]; ok {
		return name
	}
	return domain.ZhProfileField(field)
}

// ValueText spells a field's value for people: a vocabulary word in
// Chinese, a text as it is, a list joined with 、, an object (a guardian,
// a reporter) as its fields, a flag as 是/否, and no value (null, empty,
// or erased) as 无.
func ValueText(field string, raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "无"
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return valueText(field, v)
}

func valueText(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return "无"
	case string:
		if x == "" {
			return "无"
		}
		if words, ok := fieldWords[field]; ok {
			if w, ok := words()[x]; ok {
				return w
			}
		}
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueText(field, e)
		}
		if len(parts) == 0 {
			return "无"
		}
		return strings.Join(parts, "、")
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if x[k] == nil || x[k] == "" {
				continue
			}
			name, ok := guardianFields[k]
			if !ok {
				name = FieldName(k)
			}
			parts = append(parts, name+" "+valueText(k, x[k]))
		}
		return strings.Join(parts, "，")
	default:
		return fmt.Sprint(x)
	}
}

// entryFields name the fields of the entries of a case that a correction
// may name (those of a child's file are domain.ZhProfileField's).
var entryFields = map[string]string{
	"risk": "风险等级", "concerns": "关注问题", "source": "报告来源", "reporter": "报告人", "summary": "情况摘要",
	"received_at": "接报时间", "occurred_at": "发生时间", "findings": "走访发现", "note": "备注", "action": "处置措施",
	"police_unit": "公安机关", "reference": "报案回执编号", "needs": "需求", "agencies": "参会部门", "decisions": "会商决定",
	"guardianship_assessment": "监护评估", "measure": "干预措施", "method": "方式", "description": "情况描述",
	"ground": "临时监护事由", "placement": "安置方式", "outcome": "结果", "agency": "部门", "service": "服务",
	"type": "类型",
}

// fieldWords are the vocabularies of the fields that hold a word of one.
var fieldWords = map[string]func() map[string]string{
	"risk": domain.Labels[domain.Risk], "concerns": domain.Labels[domain.Concern], "source": domain.Labels[domain.Source],
	"type": domain.Labels[domain.ReporterType], "agency": domain.Labels[domain.Agency], "agencies": domain.Labels[domain.Agency],
	"service": domain.Labels[domain.Service], "categories": domain.Labels[domain.Category],
	"difficulty_reasons": domain.Labels[domain.DifficultyReason], "key_child_flags": domain.Labels[domain.KeyChildFlag],
	"sex": domain.Labels[domain.Sex], "ground": domain.Labels[domain.GuardianshipGround], "placement": domain.Labels[domain.Placement],
	"outcome": domain.Labels[domain.GuardianshipOutcome],
}

// guardianFields name the fields of a guardian, the one object a child's
// file holds.
var guardianFields = map[string]string{"name": "姓名", "relation": "关系", "phone": "电话"}
