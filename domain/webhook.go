package domain

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// A webhook is another system (a provincial platform, an SMS gateway) that
// an admin registers to be told, by signed HTTP POSTs, the notifications of
// every obligation within a jurisdiction: the kinds it asked for of those
// the notification stream tells workers. Its stream holds its registration
// and, once, its removal. The signing secret is never recorded: the server
// derives it from its own key and the webhook's id.

// StreamWebhook is the kind of a webhook's stream.
const StreamWebhook StreamKind = "webhook"

// WebhookStream names a webhook's stream.
func WebhookStream(id string) StreamID { return StreamID{kind: StreamWebhook, id: id} }

// The notification kinds (GET /v1/notifications, webhooks): an obligation
// became known (a referral's answer is referral.received), falls due soon,
// was missed, or was escalated to whoever oversees its owner.
const (
	NoticeOpened    = "obligation.opened"
	NoticeDueSoon   = "obligation.due_soon"
	NoticeMissed    = "obligation.missed"
	NoticeEscalated = "obligation.escalated"
	NoticeReferral  = "referral.received"
)

// NoticeKinds lists every notification kind.
func NoticeKinds() []string {
	return []string{NoticeOpened, NoticeDueSoon, NoticeMissed, NoticeEscalated, NoticeReferral}
}

// WebhookRegistered registers a webhook: where to POST (URL), the
// obligations of which jurisdiction, and which notification kinds.
type WebhookRegistered struct {
	WebhookID    string       `json:"webhook_id"`
	URL          string       `json:"url"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Kinds        []string     `json:"kinds"`
}

// WebhookRemoved ends a webhook's deliveries.
type WebhookRemoved struct{}

func (WebhookRegistered) EventType() string { return "webhook.registered" }
func (WebhookRemoved) EventType() string    { return "webhook.removed" }

// Webhook acts: only an admin registers, removes and watches webhooks.
var (
	ActRegisterWebhook = act("register a webhook", RoleAdmin)
	ActRemoveWebhook   = act("remove a webhook", RoleAdmin)
	ActReadWebhooks    = act("read a webhook's deliveries", RoleAdmin)
)

// RuleWebhookRemoved: the webhook was removed already.
const RuleWebhookRemoved = "webhook_removed"

// maxWebhookURL bounds a webhook's URL.
const maxWebhookURL = 2000

// Webhook is a registered webhook.
type Webhook struct {
	id           string
	url          string
	jurisdiction Jurisdiction
	kinds        []string
	registeredAt time.Time
	removedAt    time.Time
	version      int64
	changes      []Change
}

// RegisterWebhook decides an admin's registration of a webhook: an
// absolute http(s) URL, a jurisdiction within the admin's (checked against
// the register of divisions by the caller), and one or more notification
// kinds, each once.
func RegisterWebhook(by Principal, now time.Time, in WebhookRegistered) (*Webhook, error) {
	if err := ActRegisterWebhook.Check(by); err != nil {
		return nil, err
	}
	if err := requiredText("webhook_id", in.WebhookID, MaxIDRunes); err != nil {
		return nil, err
	}
	if err := checkWebhookURL(in.URL); err != nil {
		return nil, err
	}
	if in.Jurisdiction.IsZero() {
		return nil, invalid("jurisdiction", "is required")
	}
	if !by.Reaches(in.Jurisdiction) {
		return nil, forbidden("jurisdiction %s lies outside yours (%s)", in.Jurisdiction, by.Jurisdiction)
	}
	if err := checkNoticeKinds(in.Kinds); err != nil {
		return nil, err
	}
	in.Kinds = slices.Clone(in.Kinds)
	w := &Webhook{}
	w.record(Change{Event: in, Actor: by.Actor, OccurredAt: now})
	return w, nil
}

func checkWebhookURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return invalid("url", "is required")
	}
	if len(raw) > maxWebhookURL {
		return invalid("url", "is longer than %d bytes", maxWebhookURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return invalid("url", "must be an absolute http or https URL")
	}
	if u.User != nil {
		return invalid("url", "must not carry a user name or password")
	}
	if u.Fragment != "" {
		return invalid("url", "must not carry a fragment")
	}
	return nil
}

func checkNoticeKinds(kinds []string) error {
	if len(kinds) == 0 {
		return invalid("kinds", "name at least one of %s", strings.Join(NoticeKinds(), ", "))
	}
	for i, k := range kinds {
		if !slices.Contains(NoticeKinds(), k) {
			return invalid("kinds", "%q (item %d) is not one of %s", k, i, strings.Join(NoticeKinds(), ", "))
		}
		if slices.Contains(kinds[:i], k) {
			return invalid("kinds", "%q is named twice", k)
		}
	}
	return nil
}

// LoadWebhook rebuilds a webhook from its stream.
func LoadWebhook(history []Recorded) *Webhook {
	w := &Webhook{}
	for _, r := range history {
		w.Apply(r)
	}
	return w
}

// Apply applies a stored event of the webhook's stream; it never fails.
func (w *Webhook) Apply(r Recorded) {
	w.apply(r.Event, r.OccurredAt)
	w.version = r.Version
}

func (w *Webhook) apply(e Event, at time.Time) {
	switch e := e.(type) {
	case WebhookRegistered:
		if w.id == "" {
			w.id, w.url, w.jurisdiction, w.kinds, w.registeredAt = e.WebhookID, e.URL, e.Jurisdiction, slices.Clone(e.Kinds), at
		}
	case WebhookRemoved:
		if w.removedAt.IsZero() {
			w.removedAt = at
		}
	}
}

func (w *Webhook) record(ch Change) {
	w.changes = append(w.changes, ch)
	w.apply(ch.Event, ch.OccurredAt)
	w.version++
}

// Remove ends the webhook's deliveries; a removed webhook cannot be
// removed again.
func (w *Webhook) Remove(by Principal, now time.Time) error {
	if err := ActRemoveWebhook.Check(by); err != nil {
		return err
	}
	if !w.removedAt.IsZero() {
		return ruleBroken(RuleWebhookRemoved, "webhook %s was removed on %s", w.id, w.removedAt.Format(time.RFC3339))
	}
	w.record(Change{Event: WebhookRemoved{}, Actor: by.Actor, OccurredAt: now})
	return nil
}

// Changes are the events decided and not yet stored.
func (w *Webhook) Changes() []Change { return slices.Clone(w.changes) }

// Registered reports whether the stream holds a registration.
func (w *Webhook) Registered() bool { return w.id != "" }

// ID is the webhook's id.
func (w *Webhook) ID() string { return w.id }

// URL is where deliveries are POSTed.
func (w *Webhook) URL() string { return w.url }

// Jurisdiction is the place whose obligations the webhook is told.
func (w *Webhook) Jurisdiction() Jurisdiction { return w.jurisdiction }

// Kinds are the notification kinds the webhook is told.
func (w *Webhook) Kinds() []string { return slices.Clone(w.kinds) }

// Active reports whether the webhook is registered and not removed.
func (w *Webhook) Active() bool { return w.id != "" && w.removedAt.IsZero() }

// Version is the stream's version.
func (w *Webhook) Version() int64 { return w.version }
