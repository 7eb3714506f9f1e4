using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>
/// A scriptable fake upstream: a real Kestrel HTTP/1.1 server on 127.0.0.1 with an OS-assigned
/// port. It records every request, checks its signature with the fake's own implementation of
/// the vendor's algorithm, and answers with the script for its route, or a plausible default.
/// </summary>
public abstract class FakeUpstream : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, RouteScript> _scripts = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private Uri? _baseUrl;

    /// <summary>The fake's address; stays the same after <see cref="StopAsync"/>, which then refuses connections.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("Start the fake first.");

    /// <summary>Answer requests with an invalid signature as the vendor does (true) or by the script (false).</summary>
    public bool RejectInvalidSignatures { get; set; } = true;

    /// <summary>How long unscripted (default) answers take; lets load tests keep calls in flight.</summary>
    public TimeSpan DefaultResponseDelay { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>
    /// Answers <paramref name="method"/> <paramref name="path"/> (no query) with the responses in
    /// order, one per request; the last one repeats until the route is scripted again or reset.
    /// </summary>
    public void Script(string method, string path, params ScriptedResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentOutOfRangeException.ThrowIfZero(responses.Length);
        _scripts[RouteKey(method, path)] = new RouteScript(responses);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived; throws after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (_requests.Count < count)
        {
            await Task.Delay(10, limit.Token).ConfigureAwait(false);
        }
        return Requests;
    }

    public void Reset()
    {
        _scripts.Clear();
        _requests.Clear();
        OnReset();
    }

    /// <summary>Forgets whatever state a fake keeps beyond its scripts and recorded requests.</summary>
    protected virtual void OnReset()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        _baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Stops listening: later requests to <see cref="BaseUrl"/> are refused.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The vendor's signature check, implemented by the fake itself.</summary>
    protected abstract bool VerifySignature(HttpRequest request, string target, byte[] body);

    /// <summary>What the vendor answers to a request whose signature it rejects.</summary>
    protected abstract ScriptedResponse SignatureRejected(HttpRequest request);

    /// <summary>A plausible success answer for an unscripted request.</summary>
    protected abstract ScriptedResponse DefaultResponse(RecordedRequest request);

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        var signatureValid = VerifySignature(context.Request, target, body);
        var recorded = new RecordedRequest(
            context.Request.Method,
            target,
            context.Request.Path.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            signatureValid);
        _requests.Enqueue(recorded);

        var response = !signatureValid && RejectInvalidSignatures
            ? SignatureRejected(context.Request)
            : _scripts.TryGetValue(RouteKey(recorded.Method, recorded.Path), out var scripted) ? scripted.Next() : DefaultResponse(recorded) with { Delay = DefaultResponseDelay };
        await WriteAsync(context, response).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, ScriptedResponse response)
    {
        var aborted = context.RequestAborted;
        try
        {
            if (response.Delay > TimeSpan.Zero)
            {
                await Task.Delay(response.Delay, aborted).ConfigureAwait(false);
            }
            switch (response.Fault)
            {
                case FaultMode.CloseConnection:
                    context.Abort();
                    return;
                case FaultMode.ResetMidResponse:
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength = 1000;
                    await context.Response.Body.WriteAsync("{\"token\":\"partial"u8.ToArray(), aborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    context.Abort();
                    return;
                case FaultMode.MalformedJson:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"token\": <html>oops", aborted).ConfigureAwait(false);
                    return;
                case FaultMode.HugeBody or FaultMode.HugeBodyDeclared:
                    await WriteHugeBodyAsync(context, response).ConfigureAwait(false);
                    return;
            }
            context.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers)
            {
                context.Response.Headers[name] = value;
            }
            if (response.Body is not null)
            {
                context.Response.ContentType ??= "application/json";
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(response.Body), aborted).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            // The client went away (or was meant to): nothing left to answer.
        }
    }

    private static async Task WriteHugeBodyAsync(HttpContext context, ScriptedResponse response)
    {
        context.Response.ContentType = "application/json";
        if (response.Fault == FaultMode.HugeBodyDeclared)
        {
            context.Response.ContentLength = response.HugeBodyBytes;
        }
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        chunk[0] = (byte)'[';
        for (long sent = 0; sent < response.HugeBodyBytes && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
        {
            var size = (int)Math.Min(chunk.Length, response.HugeBodyBytes - sent);
            await context.Response.Body.WriteAsync(chunk.AsMemory(0, size), context.RequestAborted).ConfigureAwait(false);
            chunk[0] = (byte)' ';
        }
    }

    private static string RouteKey(string method, string path) => method.ToUpperInvariant() + " " + path;

    private sealed class RouteScript(ScriptedResponse[] responses)
    {
        private int _served;

        public ScriptedResponse Next() => responses[Math.Min(Interlocked.Increment(ref _served), responses.Length) - 1];
    }
}
