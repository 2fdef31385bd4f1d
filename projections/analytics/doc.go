// Package analytics is the de-identified case statistics behind
// GET /v1/stats/cases: how many cases, where, when and of what, and how
// long the first response, the report to the police and the assessment
// took, grouped as the analyst asks.
//
// Why it is a read model of its own: analysts may read it, and they may
// not read cases. Its tables name no child and no worker — no name, ID
// number, address, phone, child id, worker id or free text; the case id is
// only a key. Like every view of a case it derives from the one fold of a
// case, domain.CaseFacts, so its moments are the ones the case view and the
// deadlines show (the earliest business times). It keeps, per case, the
// facts with everyone's name taken out (CaseFacts.Deidentified) as a
// snapshot: a batch loads the snapshots of the cases it touches, applies
// its events, and writes the derived columns beside the new snapshot, in a
// few multi-row statements.
package analytics
