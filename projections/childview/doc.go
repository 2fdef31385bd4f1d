// Package childview is the child-file view (一人一档案): one row per child
// with what GET /v1/children/{id} and the children list show (rm_children),
// and the two queries over it, Find and List.
//
// Why it keeps a snapshot: a child's file is folded once, by
// domain.ChildFacts, and every view of it — this one, the deadlines, the
// trace-back report — is derived from that one fold, so that they cannot
// disagree (a visit entered late with an earlier business time does not
// move the last visit back, here as in the visit clock; a second
// registration in a stream changes nothing anywhere). The view folds no
// event itself: each row keeps the child's facts as a snapshot
// (rm_children.facts); a batch loads the snapshots of the children it
// touches, applies its events to them, and writes the columns derived from
// the facts beside the new snapshot — a few multi-row statements per batch,
// whatever its size.
//
// Why it holds no personal data: a read model is copied, dumped and rebuilt
// far more freely than the log, and erasure (destroying the child's key)
// must leave nothing readable anywhere (个人信息保护法 art. 28, 47). The facts
// hold no name, ID number, guardian, living situation or schooling, and of
// the birth date only its year; the API fills a file's personal fields from
// the child's own events, through the key service.
package childview
