using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>Custom metadata: which request headers are metadata, and the base64 form of <c>-bin</c> values.</summary>
internal static class GrpcMetadata
{
    /// <summary>False for pseudo-headers, reserved <c>grpc-*</c> names and HTTP transport headers; <c>user-agent</c> is kept.</summary>
    public static bool IsCustomMetadata(string name)
    {
        if (name.Length == 0 || name[0] == ':' || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("te", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("host", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("connection", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase)
            && !name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsBinary(string name) => name.EndsWith(GrpcProtocol.BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The custom metadata of a request; <c>-bin</c> values split on commas and re-encoded as unpadded base64 (invalid ones dropped).</summary>
    public static List<KeyValuePair<string, string>> ReadRequestMetadata(IHeaderDictionary headers)
    {
        var metadata = new List<KeyValuePair<string, string>>();
        foreach (var (rawName, values) in headers)
        {
            if (!IsCustomMetadata(rawName))
            {
                continue;
            }

            var name = rawName.ToLowerInvariant();
            var binary = IsBinary(name);
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                if (!binary)
                {
                    metadata.Add(new(name, value));
                    continue;
                }

                foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (TryNormalizeBase64(part, out var normalized))
                    {
                        metadata.Add(new(name, normalized));
                    }
                }
            }
        }

        return metadata;
    }

    /// <summary>One request header's value: null for reserved names; for <c>-bin</c> names the first valid value as unpadded base64.</summary>
    public static string? GetRequestHeader(IHeaderDictionary headers, string name)
    {
        if (!IsCustomMetadata(name) || !headers.TryGetValue(name, out var values) || StringValues.IsNullOrEmpty(values))
        {
            return null;
        }

        if (!IsBinary(name))
        {
            return values.ToString();
        }

        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (TryNormalizeBase64(part, out var normalized))
                {
                    return normalized;
                }
            }
        }

        return null;
    }

    /// <summary>Accepts padded or unpadded base64; returns it unpadded.</summary>
    public static bool TryNormalizeBase64(string value, out string unpadded)
    {
        unpadded = value.TrimEnd('=');
        return TryDecodeBase64(unpadded, out _);
    }

    /// <summary>Decodes padded or unpadded base64.</summary>
    public static bool TryDecodeBase64(string value, out byte[] bytes)
    {
        var trimmed = value.TrimEnd('=');
        var padding = (4 - trimmed.Length % 4) % 4;
        bytes = [];
        if (padding == 3)
        {
            return false;
        }

        var padded = padding == 0 ? trimmed : trimmed + new string('=', padding);
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }

    /// <summary>Base64 without padding, the form gRPC sends <c>-bin</c> values in.</summary>
    public static string ToUnpaddedBase64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>A header/trailer value as sent: <c>-bin</c> values lose their padding.</summary>
    public static string ToWireValue(string name, string value) => IsBinary(name) ? value.TrimEnd('=') : value;
}
