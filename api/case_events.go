package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// EventView is a stored event as GET /v1/cases/{id}/events shows it
// (API.md "Event"): the envelope, its place in the hash chain, and its
// data as stored.
type EventView struct {
	EventID        uuid.UUID        `json:"event_id"`
	Type           string           `json:"type"`
	SchemaVersion  int              `json:"schema_version"`
	StreamID       string           `json:"stream_id"`
	StreamVersion  int64            `json:"stream_version"`
	GlobalPosition int64            `json:"global_position"`
	OccurredAt     time.Time        `json:"occurred_at"`
	RecordedAt     time.Time        `json:"recorded_at"`
	Actor          eventstore.Actor `json:"actor"`
	CorrelationID  string           `json:"correlation_id,omitempty"`
	PrevHash       eventstore.Hash  `json:"prev_hash"`
	Hash           eventstore.Hash  `json:"hash"`
	Data           json.RawMessage  `json:"data"`
}

// caseEventsCursor is where the next page of a case's events starts.
type caseEventsCursor struct {
	AfterVersion int64 `json:"v"`
}

// readCaseEvents is GET /v1/cases/{id}/events: the case's events as the
// store holds them, in stream order, paginated. It reads the store, not
// the read models, so it is always current (min_position is accepted all
// the same). Reading it is recorded in the access log.
func (s *Server) readCaseEvents(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	var cur caseEventsCursor
	limit, err := pageParams(r, &cur)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	report, err := s.caseReport(r.Context(), p, id)
	if err != nil {
		return err
	}
	stored, err := s.store.ReadStream(r.Context(), domain.CaseStream(id), cur.AfterVersion, limit+1)
	if err != nil {
		return fmt.Errorf("read case %s: %w", id, err)
	}
	out := List[EventView]{Items: make([]EventView, 0, min(len(stored), limit))}
	for _, e := range stored[:min(len(stored), limit)] {
		meta, err := e.Meta()
		if err != nil {
			return err
		}
		out.Items = append(out.Items, EventView{EventID: e.ID, Type: e.Type, SchemaVersion: e.SchemaVersion, StreamID: e.StreamID,
			StreamVersion: e.StreamVersion, GlobalPosition: e.GlobalPosition, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
			Actor: meta.Actor, CorrelationID: meta.CorrelationID, PrevHash: e.PrevHash, Hash: e.Hash, Data: e.Data})
	}
	if len(stored) > limit {
		out.NextCursor = nextCursor(caseEventsCursor{AfterVersion: stored[limit-1].StreamVersion})
	}
	s.recordRead(r, p, projections.ActionReadCaseEvents, report.ChildID, id, report.Jurisdiction.String())
	writeJSON(w, http.StatusOK, out)
	return nil
}

// caseReport reads the report that opened a case from the store; a case
// the store does not have and one outside p's jurisdiction are both not
// found.
func (s *Server) caseReport(ctx context.Context, p domain.Principal, id string) (domain.ReportReceived, error) {
	first, err := s.store.ReadStream(ctx, domain.CaseStream(id), 0, 1)
	if err != nil {
		return domain.ReportReceived{}, fmt.Errorf("read case %s: %w", id, err)
	}
	if len(first) == 0 {
		return domain.ReportReceived{}, fmt.Errorf("case %s: %w", id, commands.ErrNotFound)
	}
	ev, err := s.handlers.Registry().Decode(first[0].Type, first[0].SchemaVersion, first[0].Data)
	if err != nil {
		return domain.ReportReceived{}, fmt.Errorf("read case %s: %w", id, err)
	}
	report, ok := ev.(domain.ReportReceived)
	if !ok || !p.Jurisdiction.Covers(report.Jurisdiction) {
		return domain.ReportReceived{}, fmt.Errorf("case %s: %w", id, commands.ErrNotFound)
	}
	return report, nil
}
