using System.Diagnostics;
using System.Diagnostics.Metrics;
using IdentitySharing.Application.Common;
using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Auth;

namespace IdentitySharing.Host.Telemetry;

/// <summary>
/// The outermost interceptor, and the one place that watches a call end: a server span per RPC
/// following the OpenTelemetry RPC semantic conventions (parented on the caller's W3C
/// <c>traceparent</c> metadata), the RPC duration histogram by method and status, and one log
/// line per RPC (method, caller, status, duration and trace id). It wraps authentication, so
/// rejected calls are traced and logged too. Never a request field or the <c>grpc-message</c>:
/// only names and codes.
/// </summary>
/// <remarks>
/// Each piece costs nothing when nobody consumes it: no span without an
/// <see cref="ActivityListener"/>, no histogram record without a meter listener, and the log
/// line's values (caller lookup, trace id text) are computed only when its level is enabled.
/// </remarks>
internal sealed partial class RpcObservationInterceptor(ILoggerFactory loggers) : IGrpcInterceptor
{
    /// <summary>One category for the per-RPC lines, so they can be filtered in configuration.</summary>
    public const string Category = "IdentitySharing.Rpc";

    private static readonly Histogram<double> Duration = IdentitySharingTelemetry.Meter.CreateHistogram(
        "rpc.server.call.duration",
        unit: "s",
        description: "Duration of gRPC calls served, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30] });

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        using var activity = StartServerSpan(context);
        Exception? failure = null;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
            throw;
        }
        finally
        {
            Observe(context, activity, Stopwatch.GetElapsedTime(started), CallStatus.Of(context, failure));
        }
    }

    private void Observe(ServerCallContext context, Activity? activity, TimeSpan elapsed, StatusCode code)
    {
        var serverError = CallStatus.IsServerError(code);
        if (activity is not null)
        {
            activity.SetTag(TelemetryTags.RpcGrpcStatusCode, (int)code);
            if (serverError)
            {
                activity.SetStatus(ActivityStatusCode.Error, code.ToString());
            }
        }
        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, new TagList
            {
                { TelemetryTags.RpcSystem, "grpc" },
                { TelemetryTags.RpcService, context.ServiceName },
                { TelemetryTags.RpcMethod, context.MethodName },
                { TelemetryTags.RpcGrpcStatusCode, (int)code },
            });
        }
        var level = serverError ? LogLevel.Warning : LogLevel.Information;
        if (_logger.IsEnabled(level))
        {
            // The RPC span's trace when there is one; otherwise whatever activity the call runs under.
            var traceActivity = activity ?? Activity.Current;
            RpcCompleted(
                _logger,
                level,
                context.MethodName,
                context.ServiceName,
                CallerIdentity.Find(context) ?? "unauthenticated",
                code,
                (int)code,
                elapsed.TotalMilliseconds,
                traceActivity is null ? string.Empty : traceActivity.TraceId.ToHexString());
        }
    }

    private static Activity? StartServerSpan(ServerCallContext context)
    {
        var source = IdentitySharingTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var headers = context.HttpContext.Request.Headers;
        ActivityContext.TryParse(headers.TraceParent, headers.TraceState, isRemote: true, out var parent);
        // ASP.NET Core's own request activity is not exported: hanging the RPC span under it would
        // leave a dangling parent, so the span is parented on the caller's context (or is a root).
        Activity.Current = null;
        return source.StartActivity(
            $"{context.ServiceName}/{context.MethodName}",
            ActivityKind.Server,
            parent,
            [
                new(TelemetryTags.RpcSystem, "grpc"),
                new(TelemetryTags.RpcService, context.ServiceName),
                new(TelemetryTags.RpcMethod, context.MethodName),
            ]);
    }

    [LoggerMessage(EventId = 1, SkipEnabledCheck = true, Message = "RPC {RpcMethod} ({RpcService}) by {Caller} ended {GrpcStatus} ({GrpcStatusCode}) in {ElapsedMs:F1} ms, trace {TraceId}")]
    private static partial void RpcCompleted(ILogger logger, LogLevel level, string rpcMethod, string rpcService, string caller, StatusCode grpcStatus, int grpcStatusCode, double elapsedMs, string traceId);
}
