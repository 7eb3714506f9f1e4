using System.Globalization;
using System.Text.Json;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>Lenient reads from upstream JSON: unknown fields are ignored, wrong types read as missing.</summary>
internal static class JsonFields
{
    /// <summary>The body's top-level object, or null when the body is not a JSON object.</summary>
    public static JsonElement? ParseObject(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string field; numbers are read as their invariant text.</summary>
    public static string? String(this JsonElement? element, string name)
    {
        if (element is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.Text(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>
    /// A JSON string's text, or null when it cannot be a .NET string: JSON allows escapes of
    /// unpaired surrogates ("\ud800"), which <see cref="JsonElement.GetString"/> refuses with an
    /// exception; an upstream's malformed text reads as missing rather than failing the call.
    /// </summary>
    public static string? Text(this JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An integer field, also when sent as a numeric string.</summary>
    public static long? Integer(this JsonElement? element, string name) =>
        long.TryParse(element.String(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static JsonElement? Object(this JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;
}
