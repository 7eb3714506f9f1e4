using IdentitySharing.Application.Common;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdentitySharing.Host.Telemetry;

/// <summary>
/// Builds the OpenTelemetry SDK's tracer and meter providers when an OTLP endpoint is configured
/// by the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or the per-signal
/// <c>..._TRACES_ENDPOINT</c> / <c>..._METRICS_ENDPOINT</c>, with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>..._HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_BSP_*</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c>).
/// They are read from the host configuration (environment variables included), handed to the
/// exporter as its configuration, so the exporter applies the specification's rules itself.
/// Nothing is collected or exported when no endpoint is set or <c>OTEL_SDK_DISABLED=true</c>.
/// </summary>
internal static class OpenTelemetryExport
{
    public const string ServiceName = "identity-sharing";

    /// <summary>HttpClient's native source and meter: client spans and durations of upstream calls.</summary>
    private const string HttpClientInstrumentation = "System.Net.Http";

    private static readonly string[] EndpointKeys =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    public static bool IsEnabled(IConfiguration configuration) =>
        !string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase)
        && EndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));

    public static TracerProvider CreateTracerProvider(IConfiguration configuration) =>
        Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(resource => ConfigureResource(resource, configuration))
            .AddSource(IdentitySharingTelemetry.Name, HttpClientInstrumentation)
            // Before the exporter's processor: query strings are gone before anything leaves.
            .AddProcessor(new UrlRedactionProcessor())
            .AddOtlpExporter()
            .Build();

    public static MeterProvider CreateMeterProvider(IConfiguration configuration) =>
        Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration))
            .ConfigureResource(resource => ConfigureResource(resource, configuration))
            .AddMeter(IdentitySharingTelemetry.Name, HttpClientInstrumentation)
            .AddOtlpExporter()
            .Build();

    // OTEL_SERVICE_NAME wins over the default name, as the specification says.
    private static void ConfigureResource(ResourceBuilder resource, IConfiguration configuration) =>
        resource.AddService(
            configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : ServiceName,
            serviceVersion: typeof(OpenTelemetryExport).Assembly.GetName().Version?.ToString());
}

/// <summary>Ties the providers to the host: flushed and shut down when the host stops, so the last spans are exported.</summary>
internal sealed class OpenTelemetryLifetime(TracerProvider tracerProvider, MeterProvider meterProvider) : IHostedService, IDisposable
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Dispose shuts down (flushing pending batches); a second call is a no-op.
        tracerProvider.Dispose();
        meterProvider.Dispose();
    }
}
