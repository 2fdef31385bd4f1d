package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/report"
)

// traceScenario is a child whose first report (ten days ago: living alone)
// was never forwarded to the police, a deadline policy change, a second
// report, an inquiry, and a visit made five days ago but entered last; before
// is a moment between the inquiry and the visit's entry.
type traceScenario struct {
	child, firstCase, inquiry string
	received, before          time.Time
	visitPosition             int64
}

func seedTraceScenario(t *testing.T, sf storeFlags) traceScenario {
	t.Helper()
	ctx := context.Background()
	worker := registerWorker(t, sf, domain.RoleCaseworker, "370902")
	store, err := sf.open(ctx)
	require.NoError(t, err)
	defer store.Close()
	h := commands.New(store)
	place := func(code string) domain.Jurisdiction {
		j, err := domain.ParseJurisdiction(code)
		require.NoError(t, err)
		return j
	}
	cw := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: worker, Role: domain.RoleCaseworker, Jurisdiction: place("370902")}}}
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	inspector := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "督查-01", Role: domain.RoleInspector, Jurisdiction: place("3709")}}}
	cats, err := domain.ParseCategories([]string{"left_behind"})
	require.NoError(t, err)
	sex, err := domain.ParseSex("female")
	require.NoError(t, err)
	child, err := h.RegisterChild(ctx, cw, commands.RegisterChild{Child: domain.ChildRegistered{Name: "小红", BirthDate: domain.NewDate(2016, 3, 1),
		Sex: sex, Jurisdiction: place("370902101201"), Categories: cats, Guardian: domain.Guardian{Name: "李四", Relation: "grandmother"}}})
	require.NoError(t, err)
	livingAlone, err := domain.ParseConcerns([]string{"living_alone"})
	require.NoError(t, err)
	hotline, err := domain.ParseSource("hotline_12355")
	require.NoError(t, err)
	anonymous, err := domain.ParseReporterType("anonymous")
	require.NoError(t, err)
	report := func(at time.Time) string {
		res, _, err := h.ReceiveReport(ctx, cw, commands.ReceiveReport{ChildID: child.ID, Source: hotline,
			Reporter: domain.Reporter{Type: anonymous}, Concerns: livingAlone, Risk: domain.RiskHigh, ReceivedAt: at, Summary: "独自在家"})
		require.NoError(t, err)
		return res.ID
	}
	received := time.Now().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	first := report(received)
	policy := domain.DefaultPolicy()
	policy.PoliceReport = domain.Hours(2)
	_, err = h.ChangePolicy(ctx, admin, commands.ChangePolicy{Policy: policy})
	require.NoError(t, err)
	report(time.Now())
	inq, err := h.OpenInquiry(ctx, inspector, commands.OpenInquiry{ChildID: child.ID, IncidentAt: received.Add(3 * time.Hour), Reason: "儿童独居未报警"})
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond)
	before := time.Now()
	time.Sleep(20 * time.Millisecond)
	visit, err := h.RecordVisit(ctx, cw, commands.RecordVisit{ChildID: child.ID, OccurredAt: time.Now().Add(-5 * 24 * time.Hour), Findings: "家中无人"})
	require.NoError(t, err)
	return traceScenario{child: child.ID, firstCase: first, inquiry: inq.ID, received: received, before: before, visitPosition: visit.LastPosition()}
}

// TestInquiryReport: the report of a child, a case and an inquiry, as JSON
// and as the printable page; --as-of hides the visit entered later; the
// missed police report is judged by the policy in force when the report came
// in; wrong flags are refused.
func TestInquiryReport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := seedTraceScenario(t, storeFlags{data: dir})
	reportCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"inquiry", "report", "--data", dir}, args...), &out, &errOut)
		return out.String(), err
	}
	decode := func(out string) report.Report {
		var r report.Report
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		return r
	}
	positions := func(r report.Report) (timeline, late []int64) {
		for _, it := range r.Timeline {
			timeline = append(timeline, it.GlobalPosition)
		}
		for _, it := range r.LateEntries {
			late = append(late, it.GlobalPosition)
		}
		return timeline, late
	}
	policeReport := func(r report.Report) report.Deadline {
		for _, d := range r.Deadlines {
			if d.Kind == "police_report" && d.CaseID == s.firstCase {
				return d
			}
		}
		t.Fatalf("no police report deadline of %s in %+v", s.firstCase, r.Deadlines)
		return report.Deadline{}
	}

	out, err := reportCmd("--child", s.child)
	require.NoError(t, err)
	now := decode(out)
	assert.Equal(t, s.child, now.Subject.ChildID)
	assert.Len(t, now.Subject.CaseIDs, 2, "the case view was brought up to date")
	assert.True(t, now.Integrity.OK)
	timeline, late := positions(now)
	assert.Contains(t, timeline, s.visitPosition)
	assert.Contains(t, late, s.visitPosition)
	police := policeReport(now)
	assert.Equal(t, "missed", police.Status)
	assert.Equal(t, int64(0), police.PolicyVersion)
	assert.True(t, s.received.Add(time.Hour).Equal(police.DueAt))

	out, err = reportCmd("--child", s.child, "--as-of", s.before.Format(time.RFC3339Nano))
	require.NoError(t, err)
	then := decode(out)
	assert.True(t, s.before.Equal(then.AsOf))
	timeline, late = positions(then)
	assert.NotContains(t, timeline, s.visitPosition, "entered after the as-of moment")
	assert.NotContains(t, late, s.visitPosition)
	assert.NotEmpty(t, timeline)

	out, err = reportCmd("--case", s.firstCase)
	require.NoError(t, err)
	assert.Equal(t, []string{s.firstCase}, decode(out).Subject.CaseIDs)

	out, err = reportCmd("--id", s.inquiry)
	require.NoError(t, err)
	inq := decode(out)
	assert.Equal(t, s.inquiry, inq.InquiryID)
	require.NotNil(t, inq.Reason)
	assert.Equal(t, "儿童独居未报警", *inq.Reason)
	assert.NotEmpty(t, policeReport(inq).OwnerAtIncident)

	page, err := reportCmd("--child", s.child, "--format", "html")
	require.NoError(t, err)
	assert.Contains(t, page, `<html lang="zh-CN"`)
	assert.Contains(t, page, "重大事件倒查报告")
	assert.Contains(t, page, domain.DeadlineMissed.Zh())
	assert.Contains(t, page, domain.KindPoliceReport.Zh())
	assert.Contains(t, page, `<td class="t">`+s.received.In(domain.ChinaStandardTime).Format("2006-01-02 15:04")+"</td>",
		"started when the report came in, China Standard Time (the table's caption says so once)")
	assert.Contains(t, page, "北京时间，UTC&#43;8")
	english, err := reportCmd("--id", s.inquiry, "--format", "html", "--lang", "en")
	require.NoError(t, err)
	assert.Contains(t, english, `<html lang="en"`)
	assert.Contains(t, english, "Major-incident trace-back report")
	assert.Contains(t, english, s.inquiry)

	_, err = reportCmd("--child", "no-such-child")
	assert.ErrorContains(t, err, "no child no-such-child")
	_, err = reportCmd("--id", "no-such-inquiry")
	assert.ErrorContains(t, err, "no inquiry no-such-inquiry")
	_, err = reportCmd()
	assert.ErrorContains(t, err, "exactly one")
	_, err = reportCmd("--case", s.firstCase, "--child", s.child)
	assert.ErrorContains(t, err, "exactly one")
	_, err = reportCmd("--case", s.firstCase, "--format", "pdf")
	assert.ErrorContains(t, err, "--format")
	_, err = reportCmd("--case", s.firstCase, "--lang", "fr")
	assert.ErrorContains(t, err, "--lang")
	_, err = reportCmd("--case", s.firstCase, "--as-of", "yesterday")
	assert.ErrorContains(t, err, "--as-of")
}

// TestInquiryHelp: --help prints the usage and asks for exit status 0; no
// subcommand prints the usage too.
func TestInquiryHelp(t *testing.T) {
	for _, args := range [][]string{{"inquiry", "--help"}, {"inquiry", "report", "--help"}, {"inquiry", "report", "-h"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut)
		assert.ErrorIs(t, err, flag.ErrHelp, args)
		assert.Contains(t, errOut.String(), "Usage: careledger inquiry report", args)
	}
	var out, errOut bytes.Buffer
	assert.ErrorIs(t, run(context.Background(), []string{"inquiry"}, &out, &errOut), errUsage)
	assert.ErrorContains(t, run(context.Background(), []string{"inquiry", "close"}, &out, &errOut), "unknown inquiry command")
	require.NoError(t, run(context.Background(), []string{"--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "inquiry report")
}
