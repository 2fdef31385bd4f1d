// Package synth makes a realistic synthetic county — villages, workers,
// children, and a year of cases, visits and referrals — deterministically
// from a seed. Every event is decided by the domain's aggregates, so the
// history keeps every rule; events are appended in large batches straight
// to the store (the benchmarks and the demo loader use it).
package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// County describes what to make.
type County struct {
	Seed     uint64
	Children int       // children in the county's files
	Start    time.Time // the year begins here
}

// Progress is told how many events have been written.
type Progress func(events int64)

// Make writes the county's history to store and returns the number of
// events written. Streams are written whole, one append per stream.
func Make(ctx context.Context, store eventstore.Store, c County, progress Progress) (int64, error) {
	g := &gen{rng: rand.New(rand.NewPCG(c.Seed, 0x636c)), seed: c.Seed, codec: eventlog.New(), store: store, start: c.Start,
		shared: &shared{progress: progress}}
	if g.start.IsZero() {
		g.start = time.Date(2025, 1, 1, 8, 0, 0, 0, domain.ChinaStandardTime)
	}
	err := g.county(ctx, c.Children)
	return g.shared.written.Load(), err
}

// gen makes one part of the county; each child has its own, seeded from
// the county's seed and the child's number, so the county is the same
// whatever order the parts are written in.
type gen struct {
	rng    *rand.Rand
	seed   uint64
	codec  *eventlog.Codec
	store  eventstore.Store
	start  time.Time
	ids    uint64
	shared *shared
}

type shared struct {
	written  atomic.Int64
	mu       sync.Mutex
	progress Progress
}

// writers is how many children are written at once: concurrent appends
// share group commits.
const writers = 16

const county = "370902"

func (g *gen) id() string {
	g.ids++
	var u uuid.UUID
	hi, lo := g.rng.Uint64(), g.ids
	for i := range 8 {
		u[i] = byte(hi >> (8 * i))
		u[8+i] = byte(lo >> (8 * i))
	}
	u[6] = (u[6] & 0x0f) | 0x80
	u[8] = (u[8] & 0x3f) | 0x80
	return u.String()
}

func (g *gen) pick(words []string) string { return words[g.rng.IntN(len(words))] }

func (g *gen) county(ctx context.Context, children int) error {
	admin := domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}
	end := g.start.AddDate(1, 0, 0)
	// A caseworker for every 400 children; a director per village of ~60,
	// in the county's real villages (泰山区 has 214; a bigger county puts
	// more children in each).
	places := slices.Collect(divisions.Embedded().Under(county, divisions.Village))
	villages := min(max(1, children/60), len(places))
	var caseworkers []domain.Principal
	for range max(1, children/400) {
		p, err := g.worker(ctx, admin, domain.RoleCaseworker, county)
		if err != nil {
			return err
		}
		caseworkers = append(caseworkers, p)
	}
	directors := make([]domain.Principal, villages)
	for v := range villages {
		place := places[v]
		p, err := g.worker(ctx, admin, domain.RoleChildDirector, place)
		if err != nil {
			return err
		}
		directors[v] = p
	}
	next := make(chan int)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cg := &gen{rng: rand.New(rand.NewPCG(g.seed, uint64(i)+1)), seed: g.seed, codec: g.codec, store: g.store, start: g.start, shared: g.shared}
				cw := caseworkers[cg.rng.IntN(len(caseworkers))]
				if err := cg.child(ctx, directors[i%villages], cw, end); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := range children {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func (g *gen) worker(ctx context.Context, admin domain.Principal, role domain.Role, place string) (domain.Principal, error) {
	id := g.id()
	j, err := domain.ParseJurisdiction(place)
	if err != nil {
		return domain.Principal{}, err
	}
	at := g.start.Add(-60 * 24 * time.Hour)
	w, err := domain.RegisterWorker(admin, at, domain.WorkerRegistered{WorkerID: id, Name: "工作人员" + id[:4], Role: role, Jurisdiction: j})
	if err != nil {
		return domain.Principal{}, err
	}
	if err := w.RecordTraining(admin, at, true, domain.NewDate(at.Year(), at.Month(), at.Day())); err != nil {
		return domain.Principal{}, err
	}
	if err := g.write(ctx, domain.WorkerStream(id), w.Changes()); err != nil {
		return domain.Principal{}, err
	}
	return domain.Principal{Actor: domain.Actor{Subject: id, Role: role, Jurisdiction: j}}, nil
}

// child registers a child, visits through the year, and for some opens a
// case that runs its course.
func (g *gen) child(ctx context.Context, dir, cw domain.Principal, end time.Time) error {
	id := g.id()
	cats, _ := domain.ParseCategories([]string{g.pick([]string{"left_behind", "left_behind", "left_behind", "scattered_orphan"})})
	var flags []domain.KeyChildFlag
	if g.rng.IntN(5) == 0 {
		flags, _ = domain.ParseKeyChildFlags([]string{g.pick([]string{"poor_guardianship", "dropout", "illness", "disability"})})
	}
	sex, _ := domain.ParseSex(g.pick([]string{"male", "female"}))
	registered := g.start.Add(time.Duration(g.rng.IntN(30*24)) * time.Hour)
	c, err := domain.RegisterChild(dir, registered, domain.ChildRegistered{
		ChildID: id, Name: "儿童" + id[:6], BirthDate: domain.NewDate(2010+g.rng.IntN(12), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28)),
		Sex: sex, Jurisdiction: dir.Jurisdiction, Categories: cats, KeyChildFlags: flags,
		Guardian:        domain.Guardian{Name: "监护人" + id[:4], Relation: g.pick([]string{"grandmother", "grandfather", "aunt"})},
		LivingSituation: "与祖辈同住", Schooling: "在校", HukouRegistered: true,
	})
	if err != nil {
		return fmt.Errorf("register child: %w", err)
	}
	interval := 90 * 24 * time.Hour
	if len(flags) > 0 {
		interval = 30 * 24 * time.Hour
	}
	for at := registered.Add(interval - time.Duration(g.rng.IntN(10*24))*time.Hour); at.Before(end); at = at.Add(interval - time.Duration(g.rng.IntN(10*24))*time.Hour) {
		if err := c.RecordVisit(dir, at, at, "走访正常", nil); err != nil {
			return fmt.Errorf("visit: %w", err)
		}
	}
	if err := g.write(ctx, domain.ChildStream(id), c.Changes()); err != nil {
		return err
	}
	for range g.rng.IntN(3) {
		if err := g.caseFor(ctx, c.CaseChild(), dir, cw, registered, end); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) caseFor(ctx context.Context, child domain.CaseChild, dir, cw domain.Principal, from, end time.Time) error {
	span := end.Sub(from) - 40*24*time.Hour
	if span <= 0 {
		return nil
	}
	at := from.Add(time.Duration(g.rng.Int64N(int64(span))))
	concerns, _ := domain.ParseConcerns([]string{g.pick([]string{"living_alone", "neglect", "dropout", "illness", "guardian_incapacity", "missing"})})
	source, _ := domain.ParseSource(g.pick([]string{"hotline_12355", "visit", "mandatory_report", "police"}))
	rt, _ := domain.ParseReporterType(g.pick([]string{"school", "neighbour", "child_director", "anonymous"}))
	risk, _ := domain.ParseRisk(g.pick([]string{"high", "medium", "low", "low"}))
	id := g.id()
	step := func(d time.Duration) time.Time { at = at.Add(d + time.Duration(g.rng.IntN(60))*time.Minute); return at }
	c, err := domain.ReceiveReport(dir, at, child, domain.ReportInput{CaseID: id, Source: source, Reporter: domain.Reporter{Type: rt},
		Concerns: concerns, Risk: risk, ReceivedAt: at, Summary: "报告：" + concerns[0].String()})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	must := func(err error) error {
		if err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		return nil
	}
	if domain.MandatoryReport(concerns[0]) {
		t := step(time.Duration(g.rng.IntN(3)) * time.Hour)
		if err := must(c.ForwardToPolice(cw, t, t, "派出所", "")); err != nil {
			return err
		}
	}
	if err := must(c.Assign(cw, step(2*time.Hour), cw.Subject)); err != nil {
		return err
	}
	t := step(12 * time.Hour)
	if err := must(c.RecordEmergencyResponse(cw, t, t, "home_visit", "")); err != nil {
		return err
	}
	t = step(3 * 24 * time.Hour)
	if err := must(c.CompleteAssessment(cw, t, t, risk, []string{"schooling"}, "")); err != nil {
		return err
	}
	guardianship := g.rng.IntN(6) == 0
	if guardianship {
		ground, _ := domain.ParseGround("guardian_missing")
		placement, _ := domain.ParsePlacement("kin")
		t = step(time.Hour)
		if err := must(c.StartTemporaryGuardianship(cw, t, t, ground, placement)); err != nil {
			return err
		}
	}
	if g.rng.IntN(2) == 0 {
		agency, _ := domain.ParseAgency(g.pick([]string{"education", "health", "justice", "womens_federation"}))
		service, _ := domain.ParseService(g.pick([]string{"return_to_school", "medical_care", "legal_aid", "psychological_support"}))
		ref := g.id()
		if err := must(c.MakeReferral(cw, step(24*time.Hour), ref, agency, service, "转介")); err != nil {
			return err
		}
		t = step(2 * 24 * time.Hour)
		if err := must(c.AcceptReferral(cw, t, t, ref, "")); err != nil {
			return err
		}
		t = step(10 * 24 * time.Hour)
		if err := must(c.CompleteReferral(cw, t, t, ref, "")); err != nil {
			return err
		}
	}
	for range g.rng.IntN(4) {
		t = step(7 * 24 * time.Hour)
		if err := must(c.RecordFollowUp(cw, t, t, "回访", "")); err != nil {
			return err
		}
	}
	reason, _ := domain.ParseClosureReason("resolved")
	if guardianship {
		outcome, _ := domain.ParseGuardianshipOutcome("returned_to_family")
		t = step(5 * 24 * time.Hour)
		if err := must(c.EndTemporaryGuardianship(cw, t, t, outcome)); err != nil {
			return err
		}
		reason, _ = domain.ParseClosureReason("returned_to_family")
	}
	if g.rng.IntN(5) != 0 {
		t = step(3 * 24 * time.Hour)
		if err := must(c.Close(cw, t, t, reason)); err != nil {
			return err
		}
	}
	return g.write(ctx, domain.CaseStream(id), c.Changes())
}

// write appends a stream's decided changes (new stream, one append).
func (g *gen) write(ctx context.Context, stream domain.StreamID, changes []domain.Change) error {
	events, err := g.codec.Encode(changes, eventlog.Envelope{})
	if err != nil {
		return err
	}
	if _, err := g.store.Append(ctx, eventlog.StreamRef(stream), eventstore.NoStream, events...); err != nil {
		return fmt.Errorf("write %s: %w", stream, err)
	}
	n := g.shared.written.Add(int64(len(events)))
	if g.shared.progress != nil {
		g.shared.mu.Lock()
		g.shared.progress(n)
		g.shared.mu.Unlock()
	}
	return nil
}
