namespace IdentitySharing.EndToEnd.Tests;

/// <summary>The host exporting traces and metrics over OTLP/HTTP to an in-process receiver, configured by the standard OTEL_* keys.</summary>
public sealed class TelemetryHostFixture : HostFixture
{
    public TelemetryReceiver Receiver { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Receiver.BaseUrl.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = "identity-sharing-e2e",
        // Export soon after each call rather than every few seconds.
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
    };

    protected override Task BeforeHostStartsAsync() => Receiver.StartAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
