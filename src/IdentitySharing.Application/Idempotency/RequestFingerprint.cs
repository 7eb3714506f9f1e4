using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// The SHA-256 of a command's canonical encoding: its type name and its fields as JSON, in
/// declaration order (every field, so a field added to a command joins the fingerprint by
/// itself). Not <c>ToString</c>, which redacts tokens and personal data; the hash reveals
/// neither. A release that adds a field to a command changes its fingerprints, so a retry
/// that spans such a deployment is answered REQUEST_ID_REUSED rather than run twice.
/// </summary>
public static class RequestFingerprint
{
    public static string Of<TRequest>(TRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(typeof(TRequest).FullName + "\n"));
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(request));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
