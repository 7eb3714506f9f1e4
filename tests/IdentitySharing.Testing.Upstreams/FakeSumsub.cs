using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>
/// A scriptable fake of Sumsub's API for one account. Unscripted, it mints share tokens,
/// imports applicants successfully and finds the latest one it imported for an external user
/// id; a bad X-App-* signature gets Sumsub's 401.
/// <para>
/// Like Sumsub, it acts when the request arrives: an import is recorded, and its applicant
/// can be found, even when the answer never reaches the caller (the caller died, or the
/// answer was delayed past its deadline).
/// </para>
/// </summary>
public sealed class FakeSumsub : FakeUpstream
{
    public const string ShareTokenPath = "/resources/accessTokens/shareToken";
    public const string ImportPath = "/resources/applicants/-/import";
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(60);
    private const string ByExternalUserIdPrefix = "/resources/applicants/-;externalUserId=";
    private int _tokensIssued;
    private readonly ConcurrentDictionary<string, (FakeApplicant Applicant, string Json)> _importedByExternalUserId = new(StringComparer.Ordinal);

    public string AppToken { get; } = "sbx:fake-" + Guid.NewGuid().ToString("N");
    public string SecretKey { get; } = VendorSignatures.RandomSecret();
    /// <summary>The account's own client id, reported on imported applicants.</summary>
    public string ClientId { get; init; } = "fake-recipient";

    /// <summary>The read that finds an applicant by external user id (script it to answer).</summary>
    public static string ApplicantByExternalUserIdPath(string externalUserId) => $"/resources/applicants/-;externalUserId={externalUserId}/one";

    /// <summary>An applicant body as Sumsub returns it, created at <paramref name="createdAt"/> (UTC).</summary>
    public static ScriptedResponse Applicant(string id, string externalUserId, DateTimeOffset createdAt, string levelName = "basic-kyc-level") =>
        ScriptedResponse.Json(200, JsonSerializer.Serialize(new
        {
            id,
            createdAt = createdAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            externalUserId,
            levelName,
            review = new { reviewStatus = "completed" },
        }));

    public static async Task<FakeSumsub> StartNewAsync(string clientId = "fake-recipient")
    {
        var fake = new FakeSumsub { ClientId = clientId };
        await fake.StartAsync().ConfigureAwait(false);
        return fake;
    }

    /// <summary>The latest applicant imported for this external user id; null when none was.</summary>
    public FakeApplicant? Imported(string externalUserId) =>
        _importedByExternalUserId.TryGetValue(externalUserId, out var imported) ? imported.Applicant : null;

    private static DateTimeOffset WholeSeconds(DateTimeOffset instant) => instant.AddTicks(-(instant.UtcTicks % TimeSpan.TicksPerSecond));

    protected override void OnReset() => _importedByExternalUserId.Clear();

    protected override bool VerifySignature(HttpRequest request, string target, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timestamp = request.Headers["X-App-Access-Ts"].ToString();
        return request.Headers["X-App-Token"].ToString() == AppToken
            && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253_402_300_799))).Duration() <= ClockTolerance
            && request.Headers["X-App-Access-Sig"].ToString() == VendorSignatures.Sumsub(SecretKey, timestamp, request.Method, target, body);
    }

    protected override ScriptedResponse SignatureRejected(HttpRequest request) =>
        ScriptedResponse.Json(401, """{"description":"Request signature mismatch","code":401,"correlationId":"fake-corr-sig"}""");

    protected override ScriptedResponse DefaultResponse(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == "POST" && request.Path == ShareTokenPath)
        {
            using var json = JsonDocument.Parse(request.Body);
            var forClientId = json.RootElement.GetProperty("forClientId").GetString();
            var number = Interlocked.Increment(ref _tokensIssued);
            return ScriptedResponse.Json(200, JsonSerializer.Serialize(new { token = $"_act-fake-{number}-{Guid.NewGuid():N}", forClientId }));
        }
        if (request.Method == "POST" && request.Path == ImportPath)
        {
            var query = HttpUtility.ParseQueryString(request.Target.Contains('?', StringComparison.Ordinal) ? request.Target[request.Target.IndexOf('?', StringComparison.Ordinal)..] : "");
            var externalUserId = query["userId"];
            var imported = new FakeApplicant("fakeapplicant" + Guid.NewGuid().ToString("N")[..11], WholeSeconds(DateTimeOffset.UtcNow));
            var applicant = JsonSerializer.Serialize(new
            {
                id = imported.Id,
                createdAt = imported.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                clientId = ClientId,
                externalUserId = externalUserId ?? "fake-user",
                levelName = query["levelName"] ?? "basic-kyc-level",
                review = new { reviewStatus = "completed", reviewResult = new { reviewAnswer = "GREEN" } },
                info = new { firstName = "Ada", lastName = "Lovelace" },
            });
            if (externalUserId is not null)
            {
                _importedByExternalUserId[externalUserId] = (imported, applicant);
            }
            return ScriptedResponse.Json(200, applicant);
        }
        // The raw target: the user id in it is percent-encoded exactly once.
        if (request.Method == "GET" && request.Target.StartsWith(ByExternalUserIdPrefix, StringComparison.Ordinal) && request.Target.EndsWith("/one", StringComparison.Ordinal)
            && _importedByExternalUserId.TryGetValue(Uri.UnescapeDataString(request.Target[ByExternalUserIdPrefix.Length..^"/one".Length]), out var found))
        {
            return ScriptedResponse.Json(200, found.Json);
        }
        return ScriptedResponse.Json(404, """{"description":"Not found","code":404}""");
    }
}

/// <summary>An applicant <see cref="FakeSumsub"/> created on import: its id and creation time (whole seconds, as Sumsub reports it).</summary>
public sealed record FakeApplicant(string Id, DateTimeOffset CreatedAt);
