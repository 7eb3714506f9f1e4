using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>
/// A scriptable fake of Banxa's merchant API. Unscripted, a share is accepted with 202; a bad
/// signature gets 401 with code 40101 and a reused nonce 401 with code 40003, like Banxa.
/// </summary>
public sealed class FakeBanxa : FakeUpstream
{
    public const string SharePath = "/eapi/v0/identities/token/share";
    private readonly ConcurrentDictionary<string, byte> _nonces = new(StringComparer.Ordinal);

    public string ApiKey { get; } = "fake-key-" + Guid.NewGuid().ToString("N")[..8];
    public string ApiSecret { get; } = VendorSignatures.RandomSecret();

    public static async Task<FakeBanxa> StartNewAsync()
    {
        var fake = new FakeBanxa();
        await fake.StartAsync().ConfigureAwait(false);
        return fake;
    }

    /// <summary>Splits <c>Bearer KEY:SIGNATURE:NONCE</c>; null when malformed.</summary>
    public static (string Key, string Signature, string Nonce)? ParseAuthorization(string? header)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }
        var parts = header["Bearer ".Length..].Split(':');
        return parts.Length == 3 ? (parts[0], parts[1], parts[2]) : null;
    }

    protected override bool VerifySignature(HttpRequest request, string target, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        if (ParseAuthorization(request.Headers.Authorization.ToString()) is not { } auth
            || auth.Key != ApiKey || auth.Nonce.Length == 0 || !auth.Nonce.All(char.IsAsciiDigit))
        {
            return false;
        }
        var path = request.Method == "GET" ? target : target.Split('?')[0];
        return auth.Signature == VendorSignatures.Banxa(ApiSecret, request.Method, path, auth.Nonce, body)
            && _nonces.TryAdd(auth.Nonce, 0);
    }

    protected override ScriptedResponse SignatureRejected(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var auth = ParseAuthorization(request.Headers.Authorization.ToString());
        return auth is { } a && a.Key == ApiKey && _nonces.ContainsKey(a.Nonce)
            ? ScriptedResponse.Json(401, """{"message":"Nonce has already been used.","status":401,"code":40003}""")
            : ScriptedResponse.Json(401, """{"message":"Malformed digest.","status":401,"code":40101}""");
    }

    protected override ScriptedResponse DefaultResponse(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == "POST" && request.Path == SharePath)
        {
            using var json = JsonDocument.Parse(request.Body);
            var reference = json.RootElement.GetProperty("identityReference").GetString();
            return ScriptedResponse.Json(202, JsonSerializer.Serialize(new { identityReference = reference }));
        }
        return ScriptedResponse.Json(404, """{"message":"Not Found","status":404}""");
    }
}
