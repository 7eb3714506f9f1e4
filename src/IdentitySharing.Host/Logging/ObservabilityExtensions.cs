using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Telemetry;
using Microsoft.Extensions.Logging.Console;

namespace IdentitySharing.Host.Logging;

public static class ObservabilityExtensions
{
    public const string LogFormatKey = "Logging:Format";

    /// <summary>
    /// Logs (JSON console lines by default outside Development, one line per RPC, no URL logging
    /// by HttpClientFactory), and OpenTelemetry traces and metrics exported over OTLP when the
    /// standard <c>OTEL_*</c> variables name an endpoint. Registers the observation interceptor
    /// (span, duration histogram, the per-RPC log line): call before <c>AddSecurity</c> so it
    /// wraps authentication.
    /// </summary>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var development = builder.Environment.IsDevelopment();

        // Chooses the console formatter without touching the providers, so hosts that replace
        // logging (tests) keep theirs.
        builder.Services.Configure<ConsoleLoggerOptions>(options =>
            options.FormatterName = LogFormat(configuration, development));
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            options.IncludeScopes = true;
        });

        // HttpClientFactory's handlers log full request URLs, and upstream URLs carry share tokens.
        builder.Services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers());

        builder.Services.AddGrpcInterceptor<RpcObservationInterceptor>();

        if (OpenTelemetryExport.IsEnabled(configuration))
        {
            builder.Services.AddHostedService(_ => new OpenTelemetryLifetime(
                OpenTelemetryExport.CreateTracerProvider(configuration),
                OpenTelemetryExport.CreateMeterProvider(configuration)));
        }
        return builder;
    }

    private static string LogFormat(IConfiguration configuration, bool development) =>
        configuration[LogFormatKey]?.Trim().ToUpperInvariant() switch
        {
            "JSON" => ConsoleFormatterNames.Json,
            "SIMPLE" => ConsoleFormatterNames.Simple,
            _ => development ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json,
        };
}
