using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentitySharing.Application.Audit;

namespace IdentitySharing.Application.ListShareEvents;

/// <summary>
/// The opaque <c>page_token</c>: base64url of the last listed event's position (occurred_at in
/// microseconds, id) and a hash of the filters, so a token only continues the query it came
/// from (AIP-158). It is a position, not a secret: forging one only moves within the caller's
/// own query.
/// </summary>
public static class PageToken
{
    private const string Version = "v1";

    public static string Encode(ShareEvent last, ShareEventFilter filter)
    {
        ArgumentNullException.ThrowIfNull(last);
        var text = string.Join('.', Version, ToMicroseconds(last.OccurredAt).ToString(CultureInfo.InvariantCulture),
            last.Id.ToString(CultureInfo.InvariantCulture), FilterHash(filter));
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>The cursor the token holds, or null when it is not a token of this query.</summary>
    public static ShareEventCursor? TryDecode(string token, ShareEventFilter filter)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > 200 || !Base64Url.IsValid(token))
        {
            return null;
        }
        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token)).Split('.');
        if (parts.Length != 4 || parts[0] != Version || parts[3] != FilterHash(filter)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || micros > ToMicroseconds(DateTimeOffset.MaxValue))
        {
            return null;
        }
        return new ShareEventCursor(FromMicroseconds(micros), id);
    }

    /// <summary>Microseconds since the Unix epoch: the ledger's time resolution on every provider.</summary>
    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private static string FilterHash(ShareEventFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // Length-prefixed fields, so no two filters encode alike.
        var canonical = new StringBuilder();
        foreach (var field in new[]
        {
            filter.ApplicantId, filter.Recipient, filter.Caller,
            filter.StartTime is { } start ? ToMicroseconds(start).ToString(CultureInfo.InvariantCulture) : null,
            filter.EndTime is { } end ? ToMicroseconds(end).ToString(CultureInfo.InvariantCulture) : null,
        })
        {
            canonical.Append(field is null ? "-1" : field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())), 0, 8);
    }
}
