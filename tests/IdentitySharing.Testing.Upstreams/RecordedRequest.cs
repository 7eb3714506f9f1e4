using System.Text;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>One request a fake upstream received, exactly as it arrived.</summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Target">The request target as sent on the wire (path and still-encoded query).</param>
/// <param name="Path">The decoded path, without the query.</param>
/// <param name="Headers">The request headers (case-insensitive names).</param>
/// <param name="Body">The body bytes as received.</param>
/// <param name="SignatureValid">Whether the fake's own implementation of the vendor's algorithm accepted the signature.</param>
public sealed record RecordedRequest(
    string Method,
    string Target,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    bool SignatureValid)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
