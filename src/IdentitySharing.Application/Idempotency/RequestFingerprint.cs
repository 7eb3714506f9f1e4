using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// Fingerprints commands, so that a request_id reused for a different request is recognised.
/// The fingerprint is an HMAC-SHA256 of the command's canonical encoding (its type name and its
/// fields as JSON, in declaration order: every field, so a field added to a command joins the
/// fingerprint by itself; not <c>ToString</c>, which redacts tokens and personal data).
/// <para>
/// Keyed, not a plain hash: a command holds share tokens, emails and mobile numbers, and an
/// unkeyed hash of them in the database would let whoever reads it confirm a guess (hash the
/// guessed ShareWithBanxa request, compare). The key is a subkey of the idempotency outcome key
/// that every replica already shares (see <c>IdempotencyKeys</c> in the infrastructure), so
/// replicas agree on fingerprints.
/// </para>
/// <para>
/// A stored fingerprint reads <c>hmac1:&lt;key id&gt;:&lt;hex&gt;</c>. The key id (a short
/// HMAC of a fixed label, revealing nothing of the key) tells a record fingerprinted under
/// another key (the outcome key, or the Sumsub secrets it falls back to, was rotated) from one
/// written for a different request; the store refuses the former as unreadable, as it does an
/// outcome sealed under another key, rather than calling the retry a reused request_id.
/// </para>
/// A release that adds a field to a command changes its fingerprints, so a retry that spans
/// such a deployment is answered REQUEST_ID_REUSED rather than run twice.
/// </summary>
public sealed class RequestFingerprinter
{
    public const int KeySize = 32;
    internal const string Prefix = "hmac1:";
    private const int KeyIdLength = 8;

    private readonly byte[] _key;
    private readonly string _keyId;

    public RequestFingerprinter(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The fingerprint key must be {KeySize} bytes", nameof(key));
        }
        _key = [.. key];
        _keyId = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "IdentitySharing request fingerprint key id"u8))[..KeyIdLength];
    }

    public RequestFingerprint Of<TRequest>(TRequest request)
    {
        var encoding = Canonical(request);
        var keyed = string.Concat(Prefix, _keyId, ":", Convert.ToHexStringLower(HMACSHA256.HashData(_key, encoding)));
        return new RequestFingerprint(keyed, encoding);
    }

    private static byte[] Canonical<TRequest>(TRequest request)
    {
        var typeName = Encoding.UTF8.GetBytes(typeof(TRequest).FullName + "\n");
        var fields = JsonSerializer.SerializeToUtf8Bytes(request);
        return [.. typeName, .. fields];
    }
}

/// <summary>A command's fingerprint as <see cref="RequestFingerprinter"/> makes it; equal when <see cref="Value"/> is.</summary>
public sealed class RequestFingerprint : IEquatable<RequestFingerprint>
{
    private readonly byte[] _encoding;
    private string? _legacy;

    internal RequestFingerprint(string value, byte[] encoding)
    {
        Value = value;
        _encoding = encoding;
    }

    /// <summary>What is stored: <c>hmac1:&lt;key id&gt;:&lt;hex HMAC-SHA256&gt;</c>.</summary>
    public string Value { get; }

    /// <summary>
    /// The unkeyed SHA-256 (hex) of the same encoding, which releases before the keyed fingerprint
    /// stored. Never stored, only compared: a record written by such a release (within the
    /// retention period, so across an upgrade) holds it, and a retry of that request after the
    /// upgrade must still be recognised as the same request, not refused as a reused request_id.
    /// Computed only when such a record is met, not on every request. Once every record of the old
    /// form has expired (<c>Idempotency:Retention</c> after the upgrade) this comparison no longer
    /// matches anything and can be removed.
    /// </summary>
    public string Legacy => _legacy ??= Convert.ToHexStringLower(SHA256.HashData(_encoding));

    /// <summary>Whether a stored fingerprint is this request's: the keyed form, or the legacy unkeyed one.</summary>
    public bool Matches(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.StartsWith(RequestFingerprinter.Prefix, StringComparison.Ordinal)
            ? string.Equals(stored, Value, StringComparison.Ordinal)
            : string.Equals(stored, Legacy, StringComparison.Ordinal);
    }

    /// <summary>Whether a stored fingerprint was made under another key (so whether it is this request's cannot be told).</summary>
    public bool IsUnderAnotherKey(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.StartsWith(RequestFingerprinter.Prefix, StringComparison.Ordinal)
            && !stored.AsSpan(RequestFingerprinter.Prefix.Length).StartsWith(KeyId, StringComparison.Ordinal);
    }

    /// <summary>The key id with its trailing colon, as it follows the prefix.</summary>
    private string KeyId => Value[RequestFingerprinter.Prefix.Length..(Value.IndexOf(':', RequestFingerprinter.Prefix.Length) + 1)];

    public bool Equals(RequestFingerprint? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as RequestFingerprint);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Neither value: a fingerprint is not for logs.</summary>
    public override string ToString() => nameof(RequestFingerprint);
}
