using System.Globalization;
using System.Text.Json;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>
/// A scriptable fake of Sumsub's API for one account. Unscripted, it mints share tokens and
/// imports applicants successfully; a bad X-App-* signature gets Sumsub's 401.
/// </summary>
public sealed class FakeSumsub : FakeUpstream
{
    public const string ShareTokenPath = "/resources/accessTokens/shareToken";
    public const string ImportPath = "/resources/applicants/-/import";
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(60);
    private int _tokensIssued;

    public string AppToken { get; } = "sbx:fake-" + Guid.NewGuid().ToString("N");
    public string SecretKey { get; } = VendorSignatures.RandomSecret();
    /// <summary>The account's own client id, reported on imported applicants.</summary>
    public string ClientId { get; init; } = "fake-recipient";

    public static async Task<FakeSumsub> StartNewAsync(string clientId = "fake-recipient")
    {
        var fake = new FakeSumsub { ClientId = clientId };
        await fake.StartAsync().ConfigureAwait(false);
        return fake;
    }

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
            return ScriptedResponse.Json(200, JsonSerializer.Serialize(new
            {
                id = "fakeapplicant" + Guid.NewGuid().ToString("N")[..11],
                createdAt = "2024-01-02 03:04:05",
                clientId = ClientId,
                externalUserId = query["userId"] ?? "fake-user",
                levelName = query["levelName"] ?? "basic-kyc-level",
                review = new { reviewStatus = "completed", reviewResult = new { reviewAnswer = "GREEN" } },
                info = new { firstName = "Ada", lastName = "Lovelace" },
            }));
        }
        return ScriptedResponse.Json(404, """{"description":"Not found","code":404}""");
    }
}
