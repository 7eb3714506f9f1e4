using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using IdentitySharing.Application.Audit;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// <see cref="IShareLedger"/> on SQLite or PostgreSQL: an append-only table, listed with keyset
/// pagination on (occurred_at, id), which stays fast and stable however deep the page.
/// </summary>
/// <remarks>
/// <para>
/// Appends are group-committed: <see cref="RecordAsync"/> queues the event and waits for its
/// commit, and a single writer inserts whatever has queued up meanwhile (up to
/// <see cref="MaxBatch"/> events) in one transaction: on PostgreSQL one multi-row
/// <c>INSERT</c> (one round trip), on SQLite one single-row <c>INSERT</c> per event inside an
/// explicit transaction. Under load many RPCs share one commit (one WAL sync on SQLite, one
/// round trip and one sync on PostgreSQL) instead of queueing for the write lock one by one;
/// when calls are few, a batch is one event and nothing waits for company.
/// </para>
/// <para>
/// Every caller still learns its own outcome: its task completes only after the transaction
/// holding its event has committed. A failure before the batch's statement was sent (opening
/// the connection, beginning the transaction: the database cannot have written anything) is
/// retried a few times with a short backoff (<see cref="WriteAttempts"/>) before its callers are
/// failed. When a transaction fails after that and is known to have written nothing (any SQLite
/// failure; an error PostgreSQL reports), its events are written again one by one, so an event
/// the database refuses fails only its own call. Otherwise (a connection lost mid-statement or
/// mid-commit) every caller in it gets the exception, unretried: the outcome is as unknown as a
/// lost answer to a single insert would be, and writing again could record an event twice. A caller whose token
/// is cancelled stops waiting, but its queued event is still written. Disposing stops taking
/// events and waits until everything queued has been written.
/// </para>
/// <para>
/// occurred_at is when the event was recorded: the writer stamps each batch with one time, read
/// just before its insert and never earlier than the previous batch's, so within one process
/// (occurred_at, id) order is commit order and a reader paging through the ledger never has an
/// event appear behind its cursor. The time an event was queued with is not kept. Several
/// replicas writing one PostgreSQL database stamp with their own clocks and commit concurrently,
/// so there an event can still commit with a time slightly before one already read: whoever
/// polls by time should re-read an overlapping window (see the README).
/// </para>
/// </remarks>
public sealed class SqlShareLedger : IShareLedger, IAsyncDisposable, IDisposable
{
    /// <summary>The most events one transaction inserts (on PostgreSQL, 10 parameters each in one statement, far below its limit).</summary>
    public const int MaxBatch = 128;

    /// <summary>How many times a batch is tried when it fails before its statement was sent.</summary>
    public const int WriteAttempts = 4;

    /// <summary>The wait before the first retry of a batch that was not sent; doubled for each further one.</summary>
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private const string Columns = "id, occurred_at, caller, rpc, account, applicant_id, recipient, outcome, error_reason, upstream_correlation_id, request_id";
    private const string InsertColumns =
        "INSERT INTO share_events (occurred_at, caller, rpc, account, applicant_id, recipient, outcome, error_reason, upstream_correlation_id, request_id) VALUES ";

    private static readonly string[] InsertedColumns =
        ["occurred_at", "caller", "rpc", "account", "applicant_id", "recipient", "outcome", "error_reason", "upstream_correlation_id", "request_id"];

    /// <summary>Row i's parameter names (<c>occurred_at3</c>, …), in <see cref="InsertedColumns"/> order.</summary>
    private static readonly string[][] ParameterNames = [.. Enumerable.Range(0, MaxBatch)
        .Select(row => InsertedColumns.Select(column => string.Create(CultureInfo.InvariantCulture, $"{column}{row}")).ToArray())];

    /// <summary>The statement for each batch size, built once.</summary>
    private static readonly string?[] InsertStatements = new string?[MaxBatch + 1];

    private readonly SqlDatabase _database;
    private readonly TimeProvider _time;
    private readonly Channel<PendingEvent> _queue = Channel.CreateUnbounded<PendingEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _writerStart = new();
    private Task? _writer;

    /// <summary>The last batch's occurred_at, in storage microseconds: the next is never earlier. Only the writer uses it.</summary>
    private long _lastStamp = long.MinValue;

    public SqlShareLedger(SqlDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
    }

    public Task RecordAsync(ShareEvent shareEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shareEvent);
        // The NOT NULL columns: checked here, so a bad event fails its own call and no batch.
        ArgumentNullException.ThrowIfNull(shareEvent.Caller);
        ArgumentNullException.ThrowIfNull(shareEvent.Rpc);
        ArgumentNullException.ThrowIfNull(shareEvent.Outcome);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
        // Started before the event is queued, so that a dispose which completes the queue after
        // this event got in always finds the writer to wait for.
        EnsureWriter();
        var pending = new PendingEvent(shareEvent);
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException(new ObjectDisposedException(nameof(SqlShareLedger), "The ledger is shut down and takes no more events."));
        }
        return cancellationToken.CanBeCanceled ? pending.Committed.WaitAsync(cancellationToken) : pending.Committed;
    }

    /// <summary>Stops taking events and waits until every queued event is written (or has failed to its caller).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (Volatile.Read(ref _writer) is { } writer)
        {
            await writer.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        Volatile.Read(ref _writer)?.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Starts the writer on first use (a ledger only listed never starts one), on a thread of its
    /// own: SQLite's I/O and the WAL sync at each commit are synchronous and would otherwise hold
    /// a thread-pool thread for the whole write.
    /// </summary>
    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }
        lock (_writerStart)
        {
            _writer ??= Task.Factory.StartNew(WriteQueuedEvents, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>The single writer: one transaction per wake-up with everything queued so far, until the queue is completed and empty.</summary>
    private void WriteQueuedEvents()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingEvent>(MaxBatch);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            var progress = new WriteProgress();
            try
            {
                Write(batch, progress);
                foreach (var pending in batch)
                {
                    pending.Commit.TrySetResult();
                }
            }
            catch (Exception exception) when (batch.Count > 1 && progress.StatementSent && WroteNothing(exception))
            {
                // One event the database refuses must not fail the calls that merely shared its
                // transaction: nothing was written, so each event is written again on its own.
                foreach (var pending in batch)
                {
                    try
                    {
                        Write([pending], new WriteProgress());
                        pending.Commit.TrySetResult();
                    }
                    catch (Exception single)
                    {
                        pending.Commit.TrySetException(single);
                    }
                }
            }
            catch (Exception exception)
            {
                foreach (var pending in batch)
                {
                    pending.Commit.TrySetException(exception);
                }
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Writes a batch, trying it again (up to <see cref="WriteAttempts"/> times in all, with a
    /// doubling backoff) while it fails before its statement is sent; a failure after that is
    /// thrown at once, with <see cref="WriteProgress.StatementSent"/> set.
    /// </summary>
    private void Write(List<PendingEvent> batch, WriteProgress progress)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                InsertAsync(batch, progress).GetAwaiter().GetResult();
                return;
            }
            catch (Exception exception) when (!progress.StatementSent && attempt < WriteAttempts && exception is not OutOfMemoryException)
            {
                // Nothing reached the database: the retry cannot record an event twice. The writer
                // has a thread of its own, so waiting here holds up only the events queued behind.
                Thread.Sleep(delay);
                delay *= 2;
            }
        }
    }

    /// <summary>
    /// Whether a failed batch is known to have left no row behind. SQLite runs in-process: a
    /// failure rolls the transaction back. PostgreSQL's batch is one autocommitted statement: an
    /// error the server reports means it refused it; a lost connection leaves the outcome unknown,
    /// and writing those events again could record them twice.
    /// </summary>
    private bool WroteNothing(Exception exception) =>
        _database.Provider == StorageProvider.Sqlite || exception is Npgsql.PostgresException;

    /// <summary>
    /// One attempt at a batch; sets <see cref="WriteProgress.StatementSent"/> just before the
    /// first statement goes to the database.
    /// </summary>
    private async Task InsertAsync(List<PendingEvent> batch, WriteProgress progress)
    {
        // No caller's token here: the batch belongs to every caller in it, and each waits on its own.
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (batch.Count == 1 || _database.Provider == StorageProvider.Postgres)
            {
                // One statement (atomic on its own): on PostgreSQL one round trip for the whole batch.
                await using var insert = connection.CreateCommand();
                insert.CommandText = InsertStatement(batch.Count);
                var occurredAt = Stamp();
                for (var i = 0; i < batch.Count; i++)
                {
                    AddRow(insert, ParameterNames[i], occurredAt, batch[i].Event);
                }
                progress.StatementSent = true;
                await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // SQLite binds parameters by name with a linear search, so a statement with thousands of
            // them costs quadratic time: instead one single-row statement, run once per event, in
            // one transaction (in-process, so no round trips; one WAL sync at commit).
            var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = InsertStatement(1);
                var occurredAt = Stamp();
                progress.StatementSent = true;
                foreach (var pending in batch)
                {
                    // Same text, so SQLite reuses the prepared statement; only the values change.
                    insert.Parameters.Clear();
                    AddRow(insert, ParameterNames[0], occurredAt, pending.Event);
                    await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The occurred_at of the batch about to be inserted: now, in storage microseconds, but never
    /// before the previous batch's (a clock stepped back must not put a later commit first).
    /// </summary>
    private long Stamp()
    {
        _lastStamp = Math.Max(_lastStamp, StorageTime.ToMicroseconds(_time.GetUtcNow()));
        return _lastStamp;
    }

    private static void AddRow(DbCommand insert, string[] names, long occurredAt, ShareEvent shareEvent)
    {
        insert.AddParameter(names[0], occurredAt, DbType.Int64);
        insert.AddParameter(names[1], shareEvent.Caller, DbType.String);
        insert.AddParameter(names[2], shareEvent.Rpc, DbType.String);
        insert.AddParameter(names[3], shareEvent.Account, DbType.String);
        insert.AddParameter(names[4], shareEvent.ApplicantId, DbType.String);
        insert.AddParameter(names[5], shareEvent.Recipient, DbType.String);
        insert.AddParameter(names[6], shareEvent.Outcome, DbType.String);
        insert.AddParameter(names[7], shareEvent.ErrorReason, DbType.String);
        insert.AddParameter(names[8], shareEvent.UpstreamCorrelationId, DbType.String);
        insert.AddParameter(names[9], shareEvent.RequestId, DbType.String);
    }

    /// <summary><c>INSERT … VALUES (@occurred_at0, …), (@occurred_at1, …), …</c>: rows in queue order, so ids follow it.</summary>
    private static string InsertStatement(int rows)
    {
        if (InsertStatements[rows] is { } cached)
        {
            return cached;
        }
        var sql = new StringBuilder(InsertColumns);
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "(@" : ", (@").AppendJoin(", @", ParameterNames[i]).Append(')');
        }
        return InsertStatements[rows] = sql.ToString();
    }

    /// <summary>How far one attempt at a batch got.</summary>
    private sealed class WriteProgress
    {
        /// <summary>Whether a statement of the batch went to the database: from then on a failure may have written it.</summary>
        public bool StatementSent { get; set; }
    }

    private sealed class PendingEvent(ShareEvent shareEvent)
    {
        public ShareEvent Event { get; } = shareEvent;

        // Completed on the writer: callers continue on the thread pool, not on the writer's thread.
        public TaskCompletionSource Commit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Committed => Commit.Task;
    }

    public async Task<IReadOnlyList<ShareEvent>> ListAsync(ShareEventFilter filter, ShareEventCursor? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand();
            // Only the filters given become conditions: every value is a parameter, never SQL text.
            var conditions = new List<string>();
            AddEquals(select, conditions, "applicant_id", filter.ApplicantId);
            AddEquals(select, conditions, "recipient", filter.Recipient);
            AddEquals(select, conditions, "caller", filter.Caller);
            if (filter.StartTime is { } start)
            {
                conditions.Add("occurred_at >= @start_time");
                select.AddParameter("start_time", StorageTime.ToMicroseconds(start), DbType.Int64);
            }
            if (filter.EndTime is { } end)
            {
                conditions.Add("occurred_at < @end_time");
                select.AddParameter("end_time", StorageTime.ToMicroseconds(end), DbType.Int64);
            }
            if (after is not null)
            {
                conditions.Add("(occurred_at > @after_time OR (occurred_at = @after_time AND id > @after_id))");
                select.AddParameter("after_time", StorageTime.ToMicroseconds(after.OccurredAt), DbType.Int64);
                select.AddParameter("after_id", after.Id, DbType.Int64);
            }
            var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM share_events");
            if (conditions.Count > 0)
            {
                sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
            }
            sql.Append(" ORDER BY occurred_at, id LIMIT @limit");
            select.AddParameter("limit", limit, DbType.Int32);
            select.CommandText = sql.ToString();

            var events = new List<ShareEvent>();
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(new ShareEvent(
                    reader.GetInt64(0),
                    StorageTime.FromMicroseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetNullableString(4),
                    reader.GetNullableString(5),
                    reader.GetNullableString(6),
                    reader.GetString(7),
                    reader.GetNullableString(8),
                    reader.GetNullableString(9),
                    reader.GetNullableString(10)));
            }
            return events;
        }
    }

    private static void AddEquals(DbCommand command, List<string> conditions, string column, string? value)
    {
        if (value is not null)
        {
            conditions.Add($"{column} = @{column}");
            command.AddParameter(column, value, DbType.String);
        }
    }
}
