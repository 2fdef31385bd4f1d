package commands

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
)

// OpenInquiry opens an accountability inquiry (倒查) into a case or a child
// (POST /v1/inquiries).
type OpenInquiry struct {
	CaseID     string
	ChildID    string
	IncidentAt time.Time
	Reason     string
}

// OpenInquiry carries out the command; the subject must exist within the
// inspector's jurisdiction. The inquiry names the child its texts are about
// — the child inquired into, or the case's child — so that they are sealed
// under that child's key and go with its erasure.
func (h *Handlers) OpenInquiry(ctx context.Context, call Call, cmd OpenInquiry) (Result, error) {
	dataSubject := cmd.ChildID
	if cmd.CaseID != "" && cmd.ChildID == "" {
		history, err := h.history(ctx, domain.CaseStream(cmd.CaseID))
		if err != nil {
			return Result{}, err
		}
		facts := domain.FoldCase(history)
		if !facts.Opened() || !call.Principal.Reaches(facts.Jurisdiction) {
			return Result{}, domain.NotFound("case", cmd.CaseID)
		}
		dataSubject = facts.ChildID
	}
	if cmd.ChildID != "" && cmd.CaseID == "" {
		if _, err := h.child(ctx, call.Principal, cmd.ChildID); err != nil {
			return Result{}, err
		}
	}
	id := derivedID(call, "inquiry")
	res, err := h.create(ctx, call, domain.InquiryStream(id), derivedTaken(domain.InquiryStream(id)), func(ctx context.Context) ([]domain.Change, error) {
		by := call.Principal
		if err := h.qualify(ctx, &by, h.now()); err != nil {
			return nil, err
		}
		q, err := domain.OpenInquiry(by, h.now(), domain.InquiryOpened{
			InquiryID: id, CaseID: cmd.CaseID, ChildID: cmd.ChildID, IncidentAt: cmd.IncidentAt, Reason: cmd.Reason,
			DataSubjectID: dataSubject,
		})
		if err != nil {
			return nil, err
		}
		return q.Changes(), nil
	})
	res.ID = id
	return res, err
}
