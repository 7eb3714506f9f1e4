using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>
/// Runs every gRPC call: protocol checks, call setup (encoding, deadline, limits), the
/// interceptor pipeline around the method, and the final status. One singleton per app.
/// </summary>
internal sealed class GrpcCallDispatcher
{
    private readonly GrpcServerOptions _options;
    private readonly GrpcServiceRegistry _registry;
    private readonly ILogger _logger;
    private readonly Func<ServerCallContext, ValueTask> _pipeline;
    private volatile bool _stopping;

    public GrpcCallDispatcher(
        IOptions<GrpcServerOptions> options,
        GrpcServiceRegistry registry,
        IEnumerable<IGrpcInterceptor> interceptors,
        IHostApplicationLifetime lifetime,
        ILogger<GrpcCallDispatcher> logger)
    {
        _options = options.Value;
        _registry = registry;
        _logger = logger;
        _pipeline = BuildPipeline([.. interceptors]);
        lifetime.ApplicationStopping.Register(() => _stopping = true);
    }

    /// <summary>
    /// The endpoint of one method. Routing matches paths case-insensitively, but gRPC method paths
    /// are case-sensitive: a path that differs from the method's only in case is answered as an
    /// unknown method (one ordinal comparison per call).
    /// </summary>
    public RequestDelegate CreateRequestDelegate(GrpcMethod method) => httpContext =>
        string.Equals(httpContext.Request.Path.Value, method.Path, StringComparison.Ordinal)
            ? HandleAsync(httpContext, method)
            : AnswerCaseMismatch(httpContext);

    /// <summary>For paths no mapped method matches: UNIMPLEMENTED, Trailers-Only.</summary>
    public Task AnswerUnimplemented(HttpContext httpContext)
    {
        if (AcceptProtocol(httpContext))
        {
            var path = httpContext.Request.Path.Value ?? string.Empty;
            var detail = _registry.IsServiceMappedForPath(path) ? "Method is unimplemented." : "Service is unimplemented.";
            GrpcLog.CallRejected(_logger, path, StatusCode.Unimplemented);
            StatusWriter.WriteImmediate(httpContext.Response, StatusCode.Unimplemented, detail);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Routing matched a method endpoint only because it ignores case. Drop the endpoint (so
    /// diagnostics report no route, as for any unmatched path) and answer as an unknown method.
    /// </summary>
    private Task AnswerCaseMismatch(HttpContext httpContext)
    {
        httpContext.SetEndpoint(null);
        return AnswerUnimplemented(httpContext);
    }

    private Task HandleAsync(HttpContext httpContext, GrpcMethod method)
    {
        if (!AcceptProtocol(httpContext))
        {
            return Task.CompletedTask;
        }

        if (_stopping)
        {
            StatusWriter.WriteImmediate(httpContext.Response, StatusCode.Unavailable, "Server is shutting down.");
            return Task.CompletedTask;
        }

        return RunCallAsync(httpContext, method);
    }

    /// <summary>426 for anything but HTTP/2, 415 for a non-gRPC content type; these are HTTP errors, not gRPC statuses.</summary>
    private static bool AcceptProtocol(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            httpContext.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            httpContext.Response.Headers.Upgrade = "h2c";
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        return true;
    }

    private async Task RunCallAsync(HttpContext httpContext, GrpcMethod method)
    {
        var response = httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcCompression.AcceptEncodingValue;

        var context = new ServerCallContext(httpContext, method, _options);
        CallOutcome outcome;
        try
        {
            SetUpCall(context, method);
            await _pipeline(context).ConfigureAwait(false);
            outcome = context.DeadlineExceeded ? CallOutcome.DeadlineExceeded : CallOutcome.Ok;
        }
        catch (Exception exception)
        {
            outcome = CallOutcome.FromException(context, exception, _options.EnableDetailedErrors);
            if (outcome.Status.StatusCode == StatusCode.Unknown && exception is not RpcException)
            {
                GrpcLog.HandlerException(_logger, method.Path, exception);
            }
            else
            {
                GrpcLog.CallFailed(_logger, method.Path, outcome.Status.StatusCode);
            }
        }
        finally
        {
            context.IsCompleted = true;
            context.DisposeDeadline();
        }

        context.Status = outcome.Status;
        StatusWriter.Write(response, context.ResponseStarted, outcome, context.ResponseTrailersOrNull);
    }

    private void SetUpCall(ServerCallContext context, GrpcMethod method)
    {
        var request = context.HttpContext.Request;
        var encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (encoding.Count > 0 && encoding.ToString() is var name && name != GrpcCompression.IdentityName)
        {
            context.RequestCompression = GrpcCompression.Find(name)
                ?? throw new RpcException(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{name}'. Supported encodings: {GrpcCompression.AcceptEncodingValue}");
        }

        var timeout = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeout.Count > 0)
        {
            if (GrpcTimeout.TryParse(timeout.ToString(), out var span))
            {
                context.StartDeadline(span);
            }
            else
            {
                GrpcLog.MalformedTimeout(_logger, method.Path);
            }
        }

        // The message size limit governs request size; streams may also idle for long.
        var features = context.HttpContext.Features;
        if (features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        if (method.IsStreaming && features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rateFeature)
        {
            rateFeature.MinDataRate = null;
        }
    }

    private Func<ServerCallContext, ValueTask> BuildPipeline(IGrpcInterceptor[] interceptors)
    {
        Func<ServerCallContext, ValueTask> next = InvokeMethodAsync;
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var inner = next;
            next = context => InvokeInterceptor(interceptor, context, inner);
        }

        return next;
    }

    /// <summary>Runs one interceptor; if it fails, records the status its exception maps to so outer interceptors see it.</summary>
    private ValueTask InvokeInterceptor(IGrpcInterceptor interceptor, ServerCallContext context, Func<ServerCallContext, ValueTask> next)
    {
        ValueTask invocation;
        try
        {
            invocation = interceptor.InterceptAsync(context, next);
        }
        catch (Exception exception)
        {
            RecordFailure(context, exception);
            throw;
        }

        return invocation.IsCompletedSuccessfully ? invocation : AwaitInterceptorAsync(invocation, context);
    }

    private async ValueTask AwaitInterceptorAsync(ValueTask invocation, ServerCallContext context)
    {
        try
        {
            await invocation.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            RecordFailure(context, exception);
            throw;
        }
    }

    private void RecordFailure(ServerCallContext context, Exception exception) =>
        context.Status = CallOutcome.FromException(context, exception, _options.EnableDetailedErrors).Status;

    /// <summary>Innermost step: runs the method and records its status so interceptors can read it.</summary>
    private async ValueTask InvokeMethodAsync(ServerCallContext context)
    {
        try
        {
            await context.GrpcMethod.InvokeAsync(context).ConfigureAwait(false);
            context.Status = (context.DeadlineExceeded ? CallOutcome.DeadlineExceeded : CallOutcome.Ok).Status;
        }
        catch (Exception exception)
        {
            RecordFailure(context, exception);
            throw;
        }
    }
}
