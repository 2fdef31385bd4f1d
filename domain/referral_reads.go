package domain

// Reading referrals (GET /v1/referrals, GET /v1/referrals/{id}). A partner
// agency receives what it needs to deliver a service and no more (个人信息
// 保护法 art. 6, 28: the minimum necessary): its list shows the referrals to
// its own agency with what finds the child — id, birth year, sex, place —
// and never a name; once the agency has accepted a referral, reading that
// one referral gives the child's name and the guardian's name and phone,
// and the read is recorded in the access log. A caseworker, who makes the
// referrals, reads every one within reach.

// ActReadReferrals: the referral list and a referral.
var ActReadReferrals = act("read referrals", RolePartner, RoleCaseworker)

// ReferralsAgency is the agency whose referrals by lists when it asks for
// want's (zero: every agency's): a partner lists only its own agency's, and
// asking for another's is forbidden; a caseworker lists what it asks for.
func ReferralsAgency(by Principal, want Agency) (Agency, error) {
	if err := ActReadReferrals.Check(by); err != nil {
		return Agency{}, err
	}
	if by.Role != RolePartner {
		return want, nil
	}
	if by.Agency.IsZero() {
		return Agency{}, forbidden("a partner that names no agency reads no referrals")
	}
	if !want.IsZero() && want != by.Agency {
		return Agency{}, forbidden("a partner of %s reads only the referrals to %s, not those to %s", by.Agency, by.Agency, want)
	}
	return by.Agency, nil
}

// CheckReferralDisclosure decides whether by may read what the agency of
// referral id needs of the child — the child's name, the guardian's name
// and phone: a caseworker may; a partner of another agency learns nothing
// of the referral (not found); the agency's partner may once the referral
// is accepted (or completed), and before that is refused.
func CheckReferralDisclosure(by Principal, id string, agency Agency, status ReferralStatus) error {
	if err := ActReadReferrals.Check(by); err != nil {
		return err
	}
	if by.Role != RolePartner {
		return nil
	}
	if by.Agency.IsZero() || by.Agency != agency {
		return NotFound("referral", id)
	}
	if status != ReferralStatusAccepted && status != ReferralStatusCompleted {
		return forbidden("referral %s is %s: the child's name and the guardian's contact are given to %s only once it has accepted the referral",
			id, statusLabel(status), agency)
	}
	return nil
}

// statusLabel names a referral status in a message.
func statusLabel(s ReferralStatus) string {
	if s.IsZero() {
		return "of no known status"
	}
	return s.String()
}
