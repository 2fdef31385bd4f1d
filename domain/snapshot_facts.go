package domain

// The snapshot layouts of the facts (see snapshot.go): every field, in
// the order of its declaration.

// MarshalBinary writes the case's facts as a snapshot.
func (f CaseFacts) MarshalBinary() ([]byte, error) {
	w := &snapshotWriter{b: make([]byte, 0, 512)}
	w.b = append(w.b, snapshotCase)
	w.str(f.ID)
	w.str(f.ChildID)
	w.str(f.Jurisdiction.code)
	w.str(f.Status.s)
	w.str(f.Source.s)
	writeTerms(w, f.Concerns)
	w.str(f.ReportedRisk.s)
	w.str(f.Risk.s)
	w.time(f.ReceivedAt)
	w.actor(f.Receiver)
	w.str(f.Assignee)
	w.uint(len(f.Assignments))
	for _, a := range f.Assignments {
		w.str(a.Owner)
		w.time(a.From)
	}
	w.timePtr(f.PoliceReportedAt)
	w.timePtr(f.FirstResponseAt)
	w.times(f.Assessments)
	w.times(f.GuardianshipAssessments)
	w.times(f.FollowUps)
	w.times(f.MajorIncidents)
	w.uint(len(f.Guardianships))
	for _, g := range f.Guardianships {
		w.bool(g.Active)
		w.str(g.Ground.s)
		w.str(g.Placement.s)
		w.time(g.StartedAt)
		w.timePtr(g.EndedAt)
	}
	w.uint(len(f.Referrals))
	for _, r := range f.Referrals {
		w.str(r.ID)
		w.str(r.Agency.s)
		w.str(r.Service.s)
		w.str(r.Status.s)
		w.time(r.MadeAt)
		w.timePtr(r.AnsweredAt)
	}
	w.timePtr(f.ClosedAt)
	w.str(f.ClosureReason.s)
	w.uint(len(f.Closures))
	for _, c := range f.Closures {
		w.time(c.At)
		w.str(c.Reason.s)
	}
	w.times(f.Reopenings)
	w.times(f.PoliceAcknowledgments)
	w.int(f.Version)
	w.int(f.LastPosition)
	w.time(f.Horizon)
	return w.b, nil
}

// UnmarshalBinary reads a snapshot of a case's facts.
func (f *CaseFacts) UnmarshalBinary(b []byte) error {
	r := &snapshotReader{b: b}
	r.begin(snapshotCase)
	var g CaseFacts
	g.ID, g.ChildID, g.Jurisdiction = r.str(), r.str(), r.jurisdiction()
	g.Status, g.Source = readTerm[caseStatusWords](r), readTerm[sourceWords](r)
	g.Concerns = readTerms[concernWords](r)
	g.ReportedRisk, g.Risk = readTerm[riskWords](r), readTerm[riskWords](r)
	g.ReceivedAt, g.Receiver, g.Assignee = r.time(), r.actor(), r.str()
	g.Assignments = readList(r, func() OwnerSpan { return OwnerSpan{Owner: r.str(), From: r.time()} })
	g.PoliceReportedAt, g.FirstResponseAt = r.timePtr(), r.timePtr()
	g.Assessments, g.GuardianshipAssessments, g.FollowUps, g.MajorIncidents = r.times(), r.times(), r.times(), r.times()
	g.Guardianships = readList(r, func() TemporaryGuardianship {
		return TemporaryGuardianship{Active: r.bool(), Ground: readTerm[groundWords](r),
			Placement: readTerm[placementWords](r), StartedAt: r.time(), EndedAt: r.timePtr()}
	})
	g.Referrals = readList(r, func() Referral {
		return Referral{ID: r.str(), Agency: readTerm[agencyWords](r), Service: readTerm[serviceWords](r),
			Status: readTerm[referralStatusWords](r), MadeAt: r.time(), AnsweredAt: r.timePtr()}
	})
	g.ClosedAt, g.ClosureReason = r.timePtr(), readTerm[closureReasonWords](r)
	g.Closures = readList(r, func() Closure { return Closure{At: r.time(), Reason: readTerm[closureReasonWords](r)} })
	g.Reopenings, g.PoliceAcknowledgments = r.times(), r.times()
	g.Version, g.LastPosition, g.Horizon = r.int(), r.int(), r.time()
	if err := r.finish("case"); err != nil {
		return err
	}
	*f = g
	return nil
}

// MarshalBinary writes the child's facts as a snapshot.
func (f ChildFacts) MarshalBinary() ([]byte, error) {
	w := &snapshotWriter{b: make([]byte, 0, 256)}
	w.b = append(w.b, snapshotChild)
	w.str(f.ID)
	w.str(f.Jurisdiction.code)
	w.int(int64(f.BirthYear))
	w.str(f.Sex.s)
	writeTerms(w, f.Categories)
	writeTerms(w, f.DifficultyReasons)
	writeTerms(w, f.KeyChildFlags)
	w.bool(f.HukouRegistered)
	w.time(f.RegisteredAt)
	w.str(f.Registered.Place.code)
	w.bool(f.Registered.KeyChild)
	w.bool(f.Registered.LeftBehind)
	w.uint(len(f.Changes))
	for _, c := range f.Changes {
		w.time(c.At)
		if c.Place == nil {
			w.bool(false)
		} else {
			w.bool(true)
			w.str(c.Place.code)
		}
		w.b = append(w.b, triState(c.KeyChild), triState(c.LeftBehind))
	}
	w.times(f.Visits)
	w.times(f.Verified)
	w.uint(len(f.ConcernVisits))
	for _, v := range f.ConcernVisits {
		w.time(v.At)
		w.str(v.By)
	}
	w.timePtr(f.ErasedAt)
	w.int(f.Version)
	w.int(f.LastPosition)
	w.time(f.Horizon)
	return w.b, nil
}

// UnmarshalBinary reads a snapshot of a child's facts.
func (f *ChildFacts) UnmarshalBinary(b []byte) error {
	r := &snapshotReader{b: b}
	r.begin(snapshotChild)
	var g ChildFacts
	g.ID, g.Jurisdiction, g.BirthYear = r.str(), r.jurisdiction(), int(r.int())
	g.Sex = readTerm[sexWords](r)
	g.Categories, g.DifficultyReasons = readTerms[categoryWords](r), readTerms[difficultyWords](r)
	g.KeyChildFlags = readTerms[keyChildFlagWords](r)
	g.HukouRegistered, g.RegisteredAt = r.bool(), r.time()
	g.Registered = ChildState{Place: r.jurisdiction(), KeyChild: r.bool(), LeftBehind: r.bool()}
	g.Changes = readList(r, func() ChildChange {
		c := ChildChange{At: r.time()}
		if r.bool() {
			place := r.jurisdiction()
			c.Place = &place
		}
		c.KeyChild, c.LeftBehind = r.triState(), r.triState()
		return c
	})
	g.Visits, g.Verified = r.times(), r.times()
	g.ConcernVisits = readList(r, func() ConcernVisit { return ConcernVisit{At: r.time(), By: r.str()} })
	g.ErasedAt = r.timePtr()
	g.Version, g.LastPosition, g.Horizon = r.int(), r.int(), r.time()
	if err := r.finish("child"); err != nil {
		return err
	}
	*f = g
	return nil
}

// MarshalBinary writes a worker's entry as a snapshot.
func (f WorkerFacts) MarshalBinary() ([]byte, error) {
	w := &snapshotWriter{b: make([]byte, 0, 128)}
	w.b = append(w.b, snapshotWorker)
	w.str(f.ID)
	w.str(f.Name)
	w.str(f.Role.s)
	w.str(f.Jurisdiction.code)
	w.str(f.Agency.s)
	w.time(f.RegisteredAt)
	w.uint(len(f.Trainings))
	for _, t := range f.Trainings {
		w.bool(t.Passed)
		w.time(t.CompletedOn.t)
	}
	w.uint(len(f.Posts))
	for _, p := range f.Posts {
		w.str(p.Jurisdiction.code)
		w.time(p.From)
	}
	w.time(f.DeactivatedAt)
	w.str(f.DeactivationReason)
	w.int(f.Version)
	return w.b, nil
}

// UnmarshalBinary reads a snapshot of a worker's entry.
func (f *WorkerFacts) UnmarshalBinary(b []byte) error {
	r := &snapshotReader{b: b}
	r.begin(snapshotWorker)
	var g WorkerFacts
	g.ID, g.Name, g.Role, g.Jurisdiction = r.str(), r.str(), readTerm[roleWords](r), r.jurisdiction()
	g.Agency, g.RegisteredAt = readTerm[agencyWords](r), r.time()
	g.Trainings = readList(r, func() Training { return Training{Passed: r.bool(), CompletedOn: Date{t: r.time()}} })
	g.Posts = readList(r, func() Post { return Post{Jurisdiction: r.jurisdiction(), From: r.time()} })
	g.DeactivatedAt, g.DeactivationReason = r.time(), r.str()
	g.Version = r.int()
	if err := r.finish("worker"); err != nil {
		return err
	}
	*f = g
	return nil
}

// triState is an optional flag as one byte: 0 unset, 1 false, 2 true.
func triState(p *bool) byte {
	switch {
	case p == nil:
		return 0
	case *p:
		return 2
	}
	return 1
}

func (r *snapshotReader) triState() *bool {
	if len(r.b) == 0 || r.b[0] > 2 {
		r.fail()
		return nil
	}
	v := r.b[0]
	r.b = r.b[1:]
	if v == 0 {
		return nil
	}
	b := v == 2
	return &b
}

// MarshalBinary writes an inquiry's facts as a snapshot.
func (f InquiryFacts) MarshalBinary() ([]byte, error) {
	w := &snapshotWriter{b: make([]byte, 0, 128)}
	w.b = append(w.b, snapshotInquiry)
	w.str(f.ID)
	w.str(f.CaseID)
	w.str(f.ChildID)
	w.time(f.IncidentAt)
	w.time(f.OpenedAt)
	w.actor(f.OpenedBy)
	w.timePtr(f.FindingsAt)
	w.str(f.Jurisdiction.code)
	w.uint(len(f.Responsible))
	for _, id := range f.Responsible {
		w.str(id)
	}
	w.uint(len(f.Rectifications))
	for _, r := range f.Rectifications {
		w.str(r.ID)
		w.str(r.Owner)
		w.time(r.DueOn.t)
		w.timePtr(r.CompletedAt)
	}
	w.timePtr(f.ClosedAt)
	w.int(f.Version)
	w.int(f.LastPosition)
	w.time(f.Horizon)
	return w.b, nil
}

// UnmarshalBinary reads a snapshot of an inquiry's facts.
func (f *InquiryFacts) UnmarshalBinary(b []byte) error {
	r := &snapshotReader{b: b}
	r.begin(snapshotInquiry)
	var g InquiryFacts
	g.ID, g.CaseID, g.ChildID = r.str(), r.str(), r.str()
	g.IncidentAt, g.OpenedAt, g.OpenedBy = r.time(), r.time(), r.actor()
	g.FindingsAt, g.Jurisdiction = r.timePtr(), r.jurisdiction()
	g.Responsible = readList(r, r.str)
	g.Rectifications = readList(r, func() RectificationItem {
		return RectificationItem{ID: r.str(), Owner: r.str(), DueOn: Date{t: r.time()}, CompletedAt: r.timePtr()}
	})
	g.ClosedAt = r.timePtr()
	g.Version, g.LastPosition, g.Horizon = r.int(), r.int(), r.time()
	if err := r.finish("inquiry"); err != nil {
		return err
	}
	*f = g
	return nil
}

// readList reads a count and then that many items, each by item; a count
// the bytes cannot hold fails the read (an empty list reads as nil).
func readList[T any](r *snapshotReader, item func() T) []T {
	n := r.uint()
	if n == 0 {
		return nil
	}
	if r.err != nil || n > len(r.b) {
		r.fail()
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = item()
	}
	return out
}
