using System.Diagnostics;
using System.Diagnostics.Metrics;
using IdentitySharing.Application.Common;
using IdentitySharing.GrpcServer;

namespace IdentitySharing.Host.Telemetry;

/// <summary>
/// The outermost interceptor: a server span per RPC following the OpenTelemetry RPC semantic
/// conventions, parented on the caller's W3C <c>traceparent</c> metadata, and the RPC duration
/// histogram by method and status.
/// </summary>
internal sealed class RpcTelemetryInterceptor : IGrpcInterceptor
{
    private static readonly Histogram<double> Duration = IdentitySharingTelemetry.Meter.CreateHistogram(
        "rpc.server.call.duration",
        unit: "s",
        description: "Duration of gRPC calls served, by method and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30] });

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
            var code = CallStatus.Of(context, failure);
            if (activity is not null)
            {
                activity.SetTag(TelemetryTags.RpcGrpcStatusCode, (int)code);
                if (CallStatus.IsServerError(code))
                {
                    activity.SetStatus(ActivityStatusCode.Error, code.ToString());
                }
            }
            if (Duration.Enabled)
            {
                Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new TagList
                {
                    { TelemetryTags.RpcSystem, "grpc" },
                    { TelemetryTags.RpcService, context.ServiceName },
                    { TelemetryTags.RpcMethod, context.MethodName },
                    { TelemetryTags.RpcGrpcStatusCode, (int)code },
                });
            }
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
}
