namespace IdentitySharing.Host;

/// <summary>Attribute names on spans, metrics and log lines (OpenTelemetry RPC semantic conventions where one exists).</summary>
internal static class TelemetryTags
{
    public const string RpcSystem = "rpc.system";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcGrpcStatusCode = "rpc.grpc.status_code";
    public const string Caller = "identitysharing.caller";
}
