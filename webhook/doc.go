// Package webhook delivers the notification feed (deadlines.Feed) to the
// other systems admins registered (provincial platforms, SMS gateways):
// every obligation within a webhook's jurisdiction, of the kinds it asked
// for, POSTed as signed JSON.
//
// Why it is built this way. A notification must be neither lost nor told
// twice when the server stops at any moment, so the Dispatcher reads each
// webhook's feed from a durable cursor (webhook_cursors) and, in one
// transaction, puts the messages in an outbox and moves the cursor on. On
// PostgreSQL the outbox is watermill-sql's (a table per webhook, written by
// its publisher inside that transaction); on SQLite, for which watermill-sql
// has no adapter, it is a table of its own (webhook_outbox) that a forwarder
// publishes, one message at a time per webhook, to watermill's GoChannel. A
// watermill Router consumes either with the Retry middleware (exponential
// backoff) and the Poison queue middleware (only for messages that can never
// be delivered: a failing receiver is retried in place, so a later message
// never overtakes an earlier one). A message leaves the outbox only once the
// receiver answered 2xx (or the webhook was removed), so one not acknowledged
// is delivered again after a restart or a SIGKILL; webhook_deliveries keeps
// every message's attempts, status and last error, and a message already
// delivered is not sent again. These tables are the delivery's own state, not
// a read model: a rebuild of the read models leaves them alone.
//
// Only one process dispatches: on PostgreSQL the one that holds a session
// advisory lock; SQLite is served by one process.
package webhook
