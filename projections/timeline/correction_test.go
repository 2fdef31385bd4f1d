package timeline_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/timeline"
)

// TestCorrectedSaysBothValuesAndTheDelay: a correction read against its
// stream gives each field's value in the entry (which stays) and the
// corrected one, how long the entry stood, and a summary that says them in
// Chinese (vocabulary words translated, a guardian by its fields); once the
// correction's sealed fields read empty (the child's data erased), it says
// that they are gone.
func TestCorrectedSaysBothValuesAndTheDelay(t *testing.T) {
	t.Parallel()
	recorded := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	entry := domain.Recorded{ID: uuid.New(), Position: 7, OccurredAt: recorded.Add(-time.Hour), RecordedAt: recorded,
		Event: domain.ReportReceived{Risk: domain.RiskHigh, Summary: "独自在家"}}
	correction := domain.Recorded{ID: uuid.New(), Position: 9, OccurredAt: recorded.Add(30 * time.Hour), RecordedAt: recorded.Add(30 * time.Hour),
		Event: domain.EntryCorrected{Corrects: entry.ID, CorrectsPosition: 7, CorrectedType: domain.ReportReceived{}.EventType(),
			Fields: map[string]json.RawMessage{"risk": json.RawMessage(`"medium"`), "summary": json.RawMessage(`"独自在家三天"`)}, Reason: "核实"}}
	stream := []domain.Recorded{entry, correction}

	c, ok := timeline.Corrected(correction, stream)
	require.True(t, ok)
	assert.Equal(t, int64(7), c.CorrectsPosition)
	require.NotNil(t, c.DelayHours)
	assert.InDelta(t, 30.0, *c.DelayHours, 1e-9)
	require.Len(t, c.Changes, 2)
	assert.Equal(t, "risk", c.Changes[0].Field)
	assert.JSONEq(t, `"high"`, string(c.Changes[0].Original))
	assert.Equal(t, "风险等级：「高」→「中」", c.Changes[0].Text)
	assert.Equal(t, "情况摘要：「独自在家」→「独自在家三天」", c.Changes[1].Text)
	summary := timeline.CorrectionSummary("更正记录：收到报告（日志位置 7）", c)
	assert.Equal(t, "更正记录：收到报告（日志位置 7）；原条目登记 30.0 小时后更正：风险等级由「高」改为「中」，情况摘要由「独自在家」改为「独自在家三天」", summary)
	assert.NotContains(t, summary, "核实", "the reason stays out")

	_, ok = timeline.Corrected(entry, stream)
	assert.False(t, ok, "not a correction")

	erased := correction
	erased.Event = domain.EntryCorrected{Corrects: entry.ID, CorrectsPosition: 7, CorrectedType: domain.ReportReceived{}.EventType()}
	c, ok = timeline.Corrected(erased, stream)
	require.True(t, ok)
	assert.True(t, c.Erased)
	assert.Empty(t, c.Changes)
	assert.Contains(t, timeline.CorrectionSummary("更正记录", c), "更正内容已随儿童个人信息删除")

	assert.Equal(t, "姓名 张三，电话 13800000000，关系 grandfather", timeline.ValueText("guardian", json.RawMessage(`{"name":"张三","relation":"grandfather","phone":"13800000000"}`)))
	assert.Equal(t, "独自在家、失踪", timeline.ValueText("concerns", json.RawMessage(`["living_alone","missing"]`)))
	assert.Equal(t, "无", timeline.ValueText("schooling", json.RawMessage(`""`)))
	assert.Equal(t, "无", timeline.ValueText("schooling", json.RawMessage(`null`)))
	assert.Equal(t, "是", timeline.ValueText("hukou_registered", json.RawMessage(`true`)))
}
