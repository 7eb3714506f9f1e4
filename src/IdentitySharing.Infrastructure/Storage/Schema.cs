namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// The versioned schema, per provider: the same tables and columns, differing only in how an
/// auto-incrementing id is declared. Never edit a released migration; add the next version.
/// Instants are BIGINT microseconds since the Unix epoch (see <see cref="StorageTime"/>).
/// <para>
/// <c>idempotency_records.outcome</c> holds each stored outcome as the caller received it: for
/// GenerateShareToken that is the share token itself (a credential), kept for the retention
/// period so a retry gets the same token. Restrict access to the database accordingly.
/// </para>
/// </summary>
internal static class Schema
{
    private const string IdempotencyRecords = """
        CREATE TABLE idempotency_records (
            caller        TEXT   NOT NULL,
            rpc           TEXT   NOT NULL,
            request_id    TEXT   NOT NULL,
            fingerprint   TEXT   NOT NULL,
            state         TEXT   NOT NULL,
            claim_token   TEXT,
            claimed_until BIGINT NOT NULL,
            outcome       TEXT,
            created_at    BIGINT NOT NULL,
            expires_at    BIGINT NOT NULL,
            PRIMARY KEY (caller, rpc, request_id)
        );
        CREATE INDEX ix_idempotency_records_expires_at ON idempotency_records (expires_at);
        """;

    private const string ShareEventColumns = """
            occurred_at             BIGINT NOT NULL,
            caller                  TEXT   NOT NULL,
            rpc                     TEXT   NOT NULL,
            account                 TEXT,
            applicant_id            TEXT,
            recipient               TEXT,
            outcome                 TEXT   NOT NULL,
            error_reason            TEXT,
            upstream_correlation_id TEXT,
            request_id              TEXT
        );
        CREATE INDEX ix_share_events_time ON share_events (occurred_at, id);
        CREATE INDEX ix_share_events_applicant ON share_events (applicant_id, occurred_at, id);
        CREATE INDEX ix_share_events_recipient ON share_events (recipient, occurred_at, id);
        CREATE INDEX ix_share_events_caller ON share_events (caller, occurred_at, id);
        """;

    private const string InitialDescription = "idempotency records and the share event ledger";

    public static readonly IReadOnlyList<Migration> Sqlite =
    [
        new(1, InitialDescription, IdempotencyRecords + "\n" + """
            CREATE TABLE share_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
            """ + "\n" + ShareEventColumns),
    ];

    public static readonly IReadOnlyList<Migration> Postgres =
    [
        new(1, InitialDescription, IdempotencyRecords + "\n" + """
            CREATE TABLE share_events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            """ + "\n" + ShareEventColumns),
    ];
}
