using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// An OTLP/HTTP receiver on loopback Kestrel: accepts POST /v1/traces and /v1/metrics
/// (protobuf) and keeps the raw bodies. Tests search them for attribute names, values and trace
/// ids: protobuf stores strings and bytes verbatim, so no OTLP schema is needed.
/// </summary>
public sealed class TelemetryReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private readonly ConcurrentQueue<byte[]> _metrics = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every trace export body so far, one byte per char (Latin-1), for substring searches.</summary>
    public string Traces => Join(_traces);

    public string Metrics => Join(_metrics);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", context => Receive(context, _traces));
        _app.MapPost("/v1/metrics", context => Receive(context, _metrics));
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after every export that arrives.</summary>
    public async Task<bool> WaitUntilAsync(Func<TelemetryReceiver, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition(this))
        {
            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return condition(this);
            }
        }
        return true;
    }

    /// <summary>Raw bytes as a Latin-1 string, so binary ids can be searched like text.</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _arrived.Dispose();
    }

    private async Task Receive(HttpContext context, ConcurrentQueue<byte[]> into)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        into.Enqueue(body.ToArray());
        _arrived.Release();
        // An empty Export*ServiceResponse: full success.
        context.Response.ContentType = "application/x-protobuf";
    }

    private static string Join(ConcurrentQueue<byte[]> bodies) => string.Join('\n', bodies.Select(b => Latin1(b)));
}
