using System.Text.Json;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests.ExternalClients;

/// <summary>
/// What an identity client printed: {"client", "method", "code", "code_name", "message",
/// "response", "details"}, details being the decoded google.rpc.Status (or null).
/// </summary>
public sealed class ClientObservation
{
    private readonly JsonElement _root;

    private ClientObservation(JsonElement root, string printed)
    {
        _root = root;
        Printed = printed;
    }

    /// <summary>The printed line, for assertion messages.</summary>
    public string Printed { get; }

    public string Client => _root.GetProperty("client").GetString()!;
    public int Code => _root.GetProperty("code").GetInt32();
    public string CodeName => _root.GetProperty("code_name").GetString()!;
    public string Message => _root.GetProperty("message").GetString()!;

    /// <summary>The response message as proto3 JSON with proto field names; null when the call failed.</summary>
    public JsonElement? Response => NullIfJsonNull(_root.GetProperty("response"));

    /// <summary>The decoded grpc-status-details-bin; null when the trailer was absent.</summary>
    public JsonElement? Details => NullIfJsonNull(_root.GetProperty("details"));

    public JsonElement? Detail(string name) =>
        Details is { } details && details.TryGetProperty(name, out var detail) ? detail : null;

    public IReadOnlyList<string> ViolatedFields =>
        Detail("bad_request") is { } badRequest
            ? badRequest.GetProperty("field_violations").EnumerateArray().Select(v => v.GetProperty("field").GetString()!).ToList()
            : [];

    public static ClientObservation Parse(ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lastLine = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"The client printed nothing.\n{result}");
        using var document = JsonDocument.Parse(lastLine);
        return new ClientObservation(document.RootElement.Clone(), lastLine);
    }

    public override string ToString() => Printed;

    private static JsonElement? NullIfJsonNull(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element;
}
