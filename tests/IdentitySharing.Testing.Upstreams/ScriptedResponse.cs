namespace IdentitySharing.Testing.Upstreams;

/// <summary>Ways a fake upstream can misbehave instead of answering normally.</summary>
public enum FaultMode
{
    None,
    /// <summary>Abort the connection before sending anything.</summary>
    CloseConnection,
    /// <summary>Send the headers and part of the declared body, then abort.</summary>
    ResetMidResponse,
    /// <summary>A 200 whose body is not JSON.</summary>
    MalformedJson,
    /// <summary>A 200 streaming <see cref="ScriptedResponse.HugeBodyBytes"/> without a Content-Length.</summary>
    HugeBody,
    /// <summary>A 200 that declares <see cref="ScriptedResponse.HugeBodyBytes"/> in Content-Length.</summary>
    HugeBodyDeclared,
}

/// <summary>A scripted answer for one route of a fake upstream.</summary>
public sealed record ScriptedResponse
{
    public int Status { get; init; } = 200;
    public string? Body { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>Wait this long before answering; the wait ends early when the client aborts.</summary>
    public TimeSpan Delay { get; init; }
    public FaultMode Fault { get; init; }
    public long HugeBodyBytes { get; init; } = 50L * 1024 * 1024;

    public static ScriptedResponse Json(int status, string body) => new() { Status = status, Body = body };

    public static ScriptedResponse WithFault(FaultMode fault) => new() { Fault = fault };
}
