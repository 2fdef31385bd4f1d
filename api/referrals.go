package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/caseview"
)

// ReferralListing is a referral as GET /v1/referrals lists it: the
// referral, when its answer is due, and what finds the child — id, birth
// year, sex, place — never a name or any other personal data.
type ReferralListing = caseview.ReferralListing

// ReferralView is a referral as GET /v1/referrals/{id} shows it: the
// listing and what the agency needs to deliver the service — the child's
// name, the guardian's name and phone. After the child's data is erased
// the name and the guardian are null.
type ReferralView struct {
	ReferralListing
	Child    ReferralChild     `json:"child"`
	Guardian *ReferralGuardian `json:"guardian"`
}

// ReferralChild is the child of a referral, with its name.
type ReferralChild struct {
	caseview.ReferredChild
	Name *string `json:"name"`
}

// ReferralGuardian is how the agency reaches the child's guardian: the
// name, and the phone (null when the file has none).
type ReferralGuardian struct {
	Name  string  `json:"name"`
	Phone *string `json:"phone"`
}

// referralsCursor is where the next page of the referral list starts.
type referralsCursor struct {
	After string `json:"a"`
}

// listReferrals is GET /v1/referrals?status=&agency=&jurisdiction=: the
// referrals of cases within the caller's jurisdiction (or the narrower one
// given), in referral-id order, paginated. A partner lists those to its
// own agency (asking for another's is 403); a caseworker any agency's, or
// the one asked for. No item carries personal data, so the list is not
// recorded in the access log.
func (s *Server) listReferrals(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur referralsCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	f := caseview.ReferralFilter{Within: j, After: cur.After, Limit: limit + 1}
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if f.Status, err = domain.ParseReferralStatus(v); err != nil {
			return err
		}
	}
	var want domain.Agency
	if v := q.Get("agency"); v != "" {
		if want, err = domain.ParseAgency(v); err != nil {
			return err
		}
	}
	if f.Agency, err = domain.ReferralsAgency(p, want); err != nil {
		return err
	}
	items, err := caseview.Referrals(r.Context(), s.reads(r.Context()), f)
	if err != nil {
		return err
	}
	out := List[ReferralListing]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = nextCursor(referralsCursor{After: items[limit-1].ReferralID})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}

// readReferral is GET /v1/referrals/{id}: one referral with the child's
// name and the guardian's name and phone, read from the child's own
// events as the child's file is. A referral outside the caller's
// jurisdiction, and one to another agency for a partner, is not found; the
// agency's partner reads it once the referral is accepted or completed
// (before: 403). Every such read is recorded in the access log (action
// referral).
func (s *Server) readReferral(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	ref, err := caseview.FindReferral(r.Context(), s.reads(r.Context()), id)
	if err != nil {
		return err
	}
	if !p.Reaches(ref.Jurisdiction) {
		return domain.NotFound("referral", id)
	}
	if err := domain.CheckReferralDisclosure(p, ref.ReferralID, ref.Agency, ref.Status); err != nil {
		return err
	}
	personal, err := s.record.Personal(r.Context(), ref.Child.ID)
	if err != nil {
		return err
	}
	pd := personal[ref.Child.ID]
	out := ReferralView{ReferralListing: ref, Child: ReferralChild{ReferredChild: ref.Child, Name: pd.Name}}
	if g := pd.Guardian; g != nil {
		out.Guardian = &ReferralGuardian{Name: g.Name}
		if g.Phone != "" {
			phone := g.Phone
			out.Guardian.Phone = &phone
		}
	}
	s.recordRead(r, p, accesslog.ActionReferral, ref.Child.ID, ref.CaseID, ref.Jurisdiction.String())
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
