-- The event log: append-only, one global hash chain (see package eventstore).
-- Positions are assigned by the writer under an advisory lock, not by a
-- sequence, so that they are gap-free and commit in order (see package
-- postgres).
CREATE TABLE events (
    global_position bigint      PRIMARY KEY,        -- 1, 2, 3 … without gaps
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    stream_version  bigint      NOT NULL,           -- 1, 2, 3 … within the stream
    event_type      text        NOT NULL,           -- stable name, e.g. case.report_received
    schema_version  integer     NOT NULL,
    data            text        NOT NULL,           -- JSON, exactly as hashed (not json/jsonb: they change the bytes)
    metadata        text        NOT NULL,           -- JSON, exactly as hashed (likewise)
    occurred_at     timestamptz NOT NULL,           -- business time, microseconds
    recorded_at     timestamptz NOT NULL,           -- set by the store, microseconds
    prev_hash       bytea       NOT NULL,           -- SHA-256 of the previous event, 32 bytes
    hash            bytea       NOT NULL,           -- SHA-256 chain hash of this event, 32 bytes
    UNIQUE (stream_id, stream_version)
);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: record a correction instead (% refused)', TG_OP;
END;
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- Row triggers do not fire for TRUNCATE.
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- The signed head seal, rewritten in the transaction of every append.
CREATE TABLE chain_seal (
    id        integer     PRIMARY KEY CHECK (id = 1),
    position  bigint      NOT NULL,
    hash      bytea       NOT NULL,
    sealed_at timestamptz NOT NULL,                 -- microseconds
    mac       bytea                                 -- HMAC-SHA256; NULL without a seal key
);
