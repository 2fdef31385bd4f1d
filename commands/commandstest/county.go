package commandstest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// Must is v, from a call that cannot fail in a test (the parse of a
// constant); it panics if err is not nil.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The words the workloads and fixtures use, parsed once.
var (
	hotline          = Must(domain.ParseSource("hotline_12355"))
	neighbour        = Must(domain.ParseReporterType("neighbour"))
	education        = Must(domain.ParseAgency("education"))
	returnToSchool   = Must(domain.ParseService("return_to_school"))
	guardianMissing  = Must(domain.ParseGround("guardian_missing"))
	kin              = Must(domain.ParsePlacement("kin"))
	returnedToFamily = Must(domain.ParseGuardianshipOutcome("returned_to_family"))
	resolved         = Must(domain.ParseClosureReason("resolved"))
)

// leftBehind is the categories of a left-behind child, a slice of its own.
func leftBehind() []domain.Category { return Must(domain.ParseCategories([]string{"left_behind"})) }

// County is the least a case needs: the command handlers over a store, the
// administrator's call, and a caseworker (王芳) of county 370902.
type County struct {
	Handlers   *commands.Handlers
	Admin      commands.Call
	Caseworker commands.Call
	WorkerID   string // the caseworker's
}

// NewCounty registers the caseworker, with handlers made with opts (a
// clock, say).
func NewCounty(t testing.TB, store eventstore.Store, opts ...commands.Option) County {
	h := commands.New(store, opts...)
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	county := Must(domain.ParseJurisdiction("370902"))
	cw, err := h.RegisterWorker(context.Background(), admin, commands.RegisterWorker{Name: "王芳", Role: domain.RoleCaseworker, Jurisdiction: county})
	require.NoError(t, err)
	return County{Handlers: h, Admin: admin, WorkerID: cw.ID,
		Caseworker: commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: cw.ID, Role: domain.RoleCaseworker, Jurisdiction: county}}}}
}

// RegisterChild registers 小明, a left-behind boy born on 1 January 2015
// in village 370902101201, whose guardian is his grandfather 张三, and
// returns his id.
func (c County) RegisterChild(t testing.TB) string {
	res, err := c.Handlers.RegisterChild(context.Background(), c.Caseworker, commands.RegisterChild{Child: domain.ChildRegistered{
		Name: "小明", BirthDate: domain.NewDate(2015, 1, 1), Sex: Must(domain.ParseSex("male")),
		Jurisdiction: Must(domain.ParseJurisdiction("370902101201")), Categories: leftBehind(),
		Guardian: domain.Guardian{Name: "张三", Relation: "grandfather"}}})
	require.NoError(t, err)
	return res.ID
}

// Report opens a case about child on a call to the 12355 hotline from a
// neighbour, received at receivedAt, of the risk and concerns, with summary
// as its free text, and returns the case's id.
func (c County) Report(t testing.TB, child string, receivedAt time.Time, risk domain.Risk, summary string, concerns ...string) string {
	id, err := c.report(context.Background(), child, receivedAt, risk, summary, Must(domain.ParseConcerns(concerns)))
	require.NoError(t, err)
	return id
}

// The acts of the caseworker on a case that the workloads draw from; at is
// the act's business time (zero: the clock's now).

func (c County) report(ctx context.Context, child string, receivedAt time.Time, risk domain.Risk, summary string, concerns []domain.Concern) (string, error) {
	res, _, err := c.Handlers.ReceiveReport(ctx, c.Caseworker, commands.ReceiveReport{ChildID: child, Source: hotline,
		Reporter: domain.Reporter{Type: neighbour}, Concerns: concerns, Risk: risk, ReceivedAt: receivedAt, Summary: summary})
	return res.ID, err
}

func (c County) assign(ctx context.Context, id string) error {
	_, err := c.Handlers.AssignCase(ctx, c.Caseworker, commands.AssignCase{CaseID: id, WorkerID: c.WorkerID})
	return err
}

func (c County) forwardToPolice(ctx context.Context, id string, at time.Time) error {
	_, err := c.Handlers.ForwardToPolice(ctx, c.Caseworker, commands.ForwardToPolice{CaseID: id, OccurredAt: at, PoliceUnit: "城区派出所"})
	return err
}

func (c County) respond(ctx context.Context, id string, at time.Time) error {
	_, err := c.Handlers.RecordEmergencyResponse(ctx, c.Caseworker, commands.RecordEmergencyResponse{CaseID: id, OccurredAt: at, Action: "送至亲属家"})
	return err
}

func (c County) assess(ctx context.Context, id string, at time.Time, risk domain.Risk, guardianship string) error {
	_, err := c.Handlers.CompleteAssessment(ctx, c.Caseworker, commands.CompleteAssessment{CaseID: id, OccurredAt: at,
		Risk: risk, Needs: []string{"心理支持"}, GuardianshipAssessment: guardianship})
	return err
}

func (c County) followUp(ctx context.Context, id string, at time.Time) error {
	_, err := c.Handlers.RecordFollowUp(ctx, c.Caseworker, commands.RecordFollowUp{CaseID: id, OccurredAt: at, Note: "回访"})
	return err
}

func (c County) refer(ctx context.Context, id string) (string, error) {
	res, err := c.Handlers.MakeReferral(ctx, c.Caseworker, commands.MakeReferral{CaseID: id, Agency: education, Service: returnToSchool, Note: "返校"})
	return res.ReferralID, err
}

func (c County) acceptReferral(ctx context.Context, id, referral string, at time.Time) error {
	_, err := c.Handlers.AcceptReferral(ctx, c.Caseworker, commands.AcceptReferral{CaseID: id, ReferralID: referral, OccurredAt: at})
	return err
}

func (c County) completeReferral(ctx context.Context, id, referral string, at time.Time) error {
	_, err := c.Handlers.CompleteReferral(ctx, c.Caseworker, commands.CompleteReferral{CaseID: id, ReferralID: referral, OccurredAt: at})
	return err
}

func (c County) startGuardianship(ctx context.Context, id string, at time.Time) error {
	_, err := c.Handlers.StartTemporaryGuardianship(ctx, c.Caseworker, commands.StartTemporaryGuardianship{CaseID: id, OccurredAt: at,
		Ground: guardianMissing, Placement: kin})
	return err
}

func (c County) endGuardianship(ctx context.Context, id string, at time.Time) error {
	_, err := c.Handlers.EndTemporaryGuardianship(ctx, c.Caseworker, commands.EndTemporaryGuardianship{CaseID: id, OccurredAt: at, Outcome: returnedToFamily})
	return err
}

func (c County) close(ctx context.Context, id string, at time.Time, reason domain.ClosureReason) error {
	_, err := c.Handlers.CloseCase(ctx, c.Caseworker, commands.CloseCase{CaseID: id, OccurredAt: at, Reason: reason})
	return err
}

func (c County) reopen(ctx context.Context, id string) error {
	_, err := c.Handlers.ReopenCase(ctx, c.Caseworker, commands.ReopenCase{CaseID: id, Reason: "复查"})
	return err
}
