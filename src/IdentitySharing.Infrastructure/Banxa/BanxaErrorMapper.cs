using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>Banxa's error answers as <see cref="Error"/>s; 422 field errors become proto-named field violations.</summary>
internal static partial class BanxaErrorMapper
{
    public const string Upstream = "banxa";

    public static Error Map(UpstreamResponse response, BanxaIdentityShare share)
    {
        var body = JsonFields.ParseObject(response.Body);
        // Banxa documents its signing error numbers but not the field that carries them: look in
        // the likely fields, then in the message text, so that our own signing fault is never
        // reported as the caller's (FAILED_PRECONDITION) just because of where the number was.
        var code = body.Integer("code") ?? body.Integer("errorCode") ?? body.Integer("error_code") ?? SigningErrorIn(body.String("message"));
        var failure = new UpstreamFailure(
            Upstream,
            response.StatusCode,
            code?.ToString(CultureInfo.InvariantCulture),
            UpstreamText.Id(body.String("traceId")));

        // Signing errors (nonce, merchant, digest) are this service's fault, whatever the status.
        if (code is >= 40001 and <= 40101)
        {
            return UpstreamErrors.CredentialsRejected(failure);
        }
        return response.StatusCode switch
        {
            422 => FieldErrors(body, failure, share),
            _ => UpstreamErrors.Generic(failure, response.RetryAfter),
        };
    }

    /// <summary>
    /// At most this many field violations pass (the caller's fields first): with descriptions of
    /// at most <see cref="UpstreamText.MaxMessageLength"/> characters and names of at most
    /// <see cref="UpstreamText.MaxIdLength"/>, the status stays far below clients' header limits
    /// (grpc-go's is 16 KiB).
    /// </summary>
    internal const int MaxFieldViolations = 10;

    private static Error FieldErrors(JsonElement? body, UpstreamFailure failure, BanxaIdentityShare share)
    {
        // Field names first (a name that is not a plain identifier, e.g. personal data, markup or
        // a megabyte, is dropped with its messages): they decide whose fault it is.
        var fields = new List<(string Field, JsonElement Messages)>();
        if (body is { } root && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in errors.EnumerateObject())
            {
                if (UpstreamText.Id(field.Name) is { } name)
                {
                    fields.Add((ProtoFieldName(name), field.Value));
                }
            }
        }
        if (fields.Count == 0)
        {
            return UpstreamErrors.RejectedRequest(failure);
        }
        var blamesCaller = fields.Any(f => CallerFields.Contains(f.Field));
        var tokenRejected = fields.Any(f => f.Field == TokenField);

        // Then the messages of the fields shown: the caller's first, then the token's.
        string[] requestValues = [share.SumsubShareToken.Value, share.Email.Value, "+" + share.MobileNumber.Value, share.MobileNumber.Value];
        IReadOnlyList<FieldViolation> violations = [.. fields
            .OrderByDescending(f => CallerFields.Contains(f.Field))
            .ThenByDescending(f => f.Field == TokenField)
            .Take(MaxFieldViolations)
            .Select(f => new FieldViolation(f.Field, Describe(f.Messages, requestValues)))];
        if (blamesCaller)
        {
            return Error.Validation(violations) with { Reason = "UPSTREAM_REJECTED_FIELDS", Upstream = failure };
        }
        // Only fields this service fills in (the share token, the vendor) were rejected: not the caller's input.
        return tokenRejected
            ? new Error(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED",
                "Banxa rejected the Sumsub share token minted for it: it is invalid, expired or already used.")
            { Upstream = failure, FieldViolations = violations }
            : UpstreamErrors.RejectedRequest(failure) with { FieldViolations = violations };
    }

    private const string TokenField = "provider.token";

    /// <summary>A field's messages (a string or an array of them) as one safe description.</summary>
    private static string Describe(JsonElement messages, string[] requestValues)
    {
        var texts = (messages.ValueKind == JsonValueKind.Array ? messages.EnumerateArray().Select(m => m.Text()) : [messages.Text()])
            .OfType<string>();
        var text = UpstreamText.Message(string.Join(" ", texts), requestValues);
        return text.Length > 0 ? text : "rejected by Banxa";
    }

    /// <summary>
    /// A documented signing error number (40001–40003, 40100, 40101) quoted in Banxa's message, if
    /// any. Only the message's start is searched: Banxa's are short, and a huge one must not
    /// turn into a regex timeout (an unexpected exception) instead of an answer.
    /// </summary>
    private static long? SigningErrorIn(string? message)
    {
        if (message is null)
        {
            return null;
        }
        try
        {
            return SigningErrorNumber().Match(message[..Math.Min(message.Length, 4096)]) is { Success: true } match
                ? long.Parse(match.Value, CultureInfo.InvariantCulture)
                : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?<![0-9])(4000[123]|4010[01])(?![0-9])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex SigningErrorNumber();

    /// <summary>The request fields a ShareWithBanxa caller supplies, by their proto names.</summary>
    private static readonly HashSet<string> CallerFields = new(StringComparer.Ordinal) { "identity_reference", "email", "mobile_number" };

    /// <summary>Banxa's JSON names as the proto contract's (identityReference → identity_reference).</summary>
    internal static string ProtoFieldName(string banxaName) => banxaName switch
    {
        "identityReference" => "identity_reference",
        "email" => "email",
        "mobileNumber" => "mobile_number",
        _ => SnakeCase(banxaName),
    };

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsAsciiLetterUpper(c)
            ? (i > 0 && name[i - 1] != '.' ? "_" : "") + char.ToLowerInvariant(c)
            : c.ToString()));
}
