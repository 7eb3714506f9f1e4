using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>
/// The simulated Banxa merchant API: checks <c>Bearer KEY:SIGNATURE:NONCE</c> (rejecting reused
/// nonces with 40003), and answers the identity share with 202, or 422 and field errors.
/// </summary>
internal sealed partial class SandboxBanxa(
    SandboxApplicantStore store,
    string apiKey,
    string apiSecret,
    string sumsubClientId,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan NonceTolerance = TimeSpan.FromMinutes(5);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _usedNonces = new(StringComparer.Ordinal);
    // Nonces by arrival, so those too old to pass the time check can be forgotten.
    private readonly Queue<(long Millis, string Nonce)> _nonceAges = new();
    private readonly Dictionary<string, string> _referenceByEmail = new(StringComparer.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context)
    {
        var body = await SandboxHttp.ReadBodyAsync(context).ConfigureAwait(false);
        var authError = Authenticate(context, body);
        if (authError is { } error)
        {
            await SandboxHttp.WriteJsonAsync(context, 401, new { message = error.Message, status = 401, code = error.Code }).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Value == "/eapi/v0/identities/token/share")
        {
            await Share(context, body).ConfigureAwait(false);
            return;
        }
        await SandboxHttp.WriteJsonAsync(context, 404, new { message = "Not Found", status = 404 }).ConfigureAwait(false);
    }

    private (string Message, int? Code)? Authenticate(HttpContext context, byte[] body)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return ("Unauthenticated.", null);
        }
        var parts = header["Bearer ".Length..].Split(':');
        if (parts.Length != 3)
        {
            return ("Malformed digest.", 40101);
        }
        var (key, signature, nonce) = (parts[0], parts[1], parts[2]);
        if (key != apiKey)
        {
            return ("Merchant not found.", 40100);
        }
        if (nonce.Length == 0 || !nonce.All(char.IsAsciiDigit) || !long.TryParse(nonce, NumberStyles.None, CultureInfo.InvariantCulture, out var nonceValue))
        {
            return ("Nonce is not a timestamp.", 40001);
        }
        if (ToMillis(nonceValue) is var nonceMillis && !IsNearNow(nonceMillis))
        {
            return ("Nonce is too far from the server time.", 40002);
        }
        var method = context.Request.Method.ToUpperInvariant();
        var target = SandboxHttp.RawTarget(context);
        var signedPath = method == "GET" ? target : target.Split('?')[0];
        if (!SandboxSignatures.BanxaSignatureMatches(apiSecret, method, signedPath, nonce, body, signature))
        {
            return ("Malformed digest.", 40101);
        }
        lock (_lock)
        {
            var oldest = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - (long)NonceTolerance.TotalMilliseconds;
            while (_nonceAges.TryPeek(out var aged) && aged.Millis < oldest)
            {
                _usedNonces.Remove(_nonceAges.Dequeue().Nonce);
            }
            if (!_usedNonces.Add(nonce))
            {
                return ("Nonce has already been used.", 40003);
            }
            _nonceAges.Enqueue((nonceMillis, nonce));
            return null;
        }
    }

    // Banxa documents a Unix timestamp; accept seconds, milliseconds or microseconds.
    private static long ToMillis(long nonce) => nonce switch
    {
        > 100_000_000_000_000 => nonce / 1000,
        > 100_000_000_000 => nonce,
        _ => nonce * 1000,
    };

    private bool IsNearNow(long nonceMillis) =>
        Math.Abs(timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - nonceMillis) <= NonceTolerance.TotalMilliseconds;

    private async Task Share(HttpContext context, byte[] body)
    {
        if (SandboxHttp.TryParseObject(body) is not { } json)
        {
            await SandboxHttp.WriteJsonAsync(context, 400, new { message = "Bad Request", status = 400, traceId = SandboxHttp.NewId() }).ConfigureAwait(false);
            return;
        }
        var reference = SandboxHttp.StringProperty(json, "identityReference");
        var email = SandboxHttp.StringProperty(json, "email");
        var mobile = SandboxHttp.StringProperty(json, "mobileNumber");
        var provider = json.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.Object ? p : (JsonElement?)null;
        var vendor = provider is { } pv ? SandboxHttp.StringProperty(pv, "vendor") : null;
        var token = provider is { } pt ? SandboxHttp.StringProperty(pt, "token") : null;

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (reference is null || reference.Length is < 1 or > 255 || !ReferencePattern().IsMatch(reference))
        {
            errors["identityReference"] = ["The identity reference must be 1-255 letters, digits or hyphens."];
        }
        if (email is null || email.Length > 200 || !EmailPattern().IsMatch(email))
        {
            errors["email"] = ["The email must be a valid email address."];
        }
        if (mobile is null || mobile.Length > 20 || !MobilePattern().IsMatch(mobile))
        {
            errors["mobileNumber"] = ["The mobile number must be E.164 digits."];
        }
        if (vendor != "sumsub")
        {
            errors["provider.vendor"] = ["The selected provider.vendor is invalid."];
        }
        if (string.IsNullOrEmpty(token))
        {
            errors["provider.token"] = ["The provider.token field is required."];
        }
        lock (_lock)
        {
            if (!errors.ContainsKey("email") && email is not null && _referenceByEmail.TryGetValue(email, out var owner) && owner != reference)
            {
                errors["email"] = ["The email has already been taken."];
            }
            if (errors.Count == 0)
            {
                var (outcome, _) = store.Redeem(token!, sumsubClientId, reference, null, resetIdDocSetTypes: []);
                if (outcome != RedemptionOutcome.Imported)
                {
                    errors["provider.token"] = ["The provider.token is invalid, expired, already used or not issued for Banxa."];
                }
                else
                {
                    _referenceByEmail[email!] = reference!;
                }
            }
        }
        if (errors.Count > 0)
        {
            await SandboxHttp.WriteJsonAsync(context, 422, new { message = "The given data was invalid.", errors, status = 422 }).ConfigureAwait(false);
            return;
        }
        await SandboxHttp.WriteJsonAsync(context, 202, new { identityReference = reference }).ConfigureAwait(false);
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[1-9][0-9]{7,14}$")]
    private static partial Regex MobilePattern();
}
