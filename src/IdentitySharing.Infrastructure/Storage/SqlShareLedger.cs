using System.Data;
using System.Data.Common;
using System.Text;
using IdentitySharing.Application.Audit;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// <see cref="IShareLedger"/> on SQLite or PostgreSQL: an append-only table, listed with keyset
/// pagination on (occurred_at, id), which stays fast and stable however deep the page.
/// </summary>
public sealed class SqlShareLedger(SqlDatabase database) : IShareLedger
{
    private const string Columns = "id, occurred_at, caller, rpc, account, applicant_id, recipient, outcome, error_reason, upstream_correlation_id, request_id";

    public async Task RecordAsync(ShareEvent shareEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shareEvent);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO share_events (occurred_at, caller, rpc, account, applicant_id, recipient, outcome, error_reason, upstream_correlation_id, request_id)
                VALUES (@occurred_at, @caller, @rpc, @account, @applicant_id, @recipient, @outcome, @error_reason, @upstream_correlation_id, @request_id)
                """;
            insert.AddParameter("occurred_at", StorageTime.ToMicroseconds(shareEvent.OccurredAt), DbType.Int64);
            insert.AddParameter("caller", shareEvent.Caller, DbType.String);
            insert.AddParameter("rpc", shareEvent.Rpc, DbType.String);
            insert.AddParameter("account", shareEvent.Account, DbType.String);
            insert.AddParameter("applicant_id", shareEvent.ApplicantId, DbType.String);
            insert.AddParameter("recipient", shareEvent.Recipient, DbType.String);
            insert.AddParameter("outcome", shareEvent.Outcome, DbType.String);
            insert.AddParameter("error_reason", shareEvent.ErrorReason, DbType.String);
            insert.AddParameter("upstream_correlation_id", shareEvent.UpstreamCorrelationId, DbType.String);
            insert.AddParameter("request_id", shareEvent.RequestId, DbType.String);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<ShareEvent>> ListAsync(ShareEventFilter filter, ShareEventCursor? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
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
