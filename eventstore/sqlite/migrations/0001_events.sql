-- The event log: append-only, one global hash chain (see package eventstore).
CREATE TABLE events (
    global_position INTEGER PRIMARY KEY,        -- 1, 2, 3 … without gaps
    event_id        TEXT    NOT NULL UNIQUE,    -- UUID, canonical text form
    stream_id       TEXT    NOT NULL,
    stream_type     TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,           -- 1, 2, 3 … within the stream
    event_type      TEXT    NOT NULL,           -- stable name, e.g. case.report_received
    schema_version  INTEGER NOT NULL,
    data            TEXT    NOT NULL,           -- JSON, exactly as hashed
    metadata        TEXT    NOT NULL,           -- JSON, exactly as hashed
    occurred_at     INTEGER NOT NULL,           -- business time, Unix microseconds UTC
    recorded_at     INTEGER NOT NULL,           -- set by the store, Unix microseconds UTC
    prev_hash       BLOB    NOT NULL,
    hash            BLOB    NOT NULL,
    UNIQUE (stream_id, stream_version)
) STRICT;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;

CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: record a correction instead');
END;

-- The signed head seal, rewritten in the transaction of every append.
CREATE TABLE chain_seal (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    position  INTEGER NOT NULL,
    hash      BLOB    NOT NULL,
    sealed_at INTEGER NOT NULL,                 -- Unix microseconds UTC
    mac       BLOB
) STRICT;
