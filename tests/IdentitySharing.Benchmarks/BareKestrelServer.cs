using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IdentitySharing.Benchmarks;

/// <summary>
/// The ceiling for this stack: Kestrel over h2c answering every request with one fixed,
/// pre-framed gRPC message (a HealthCheckResponse{SERVING}) and grpc-status 0, doing no
/// parsing, routing or allocation of its own. The host's figures are read against this.
/// </summary>
internal static class BareKestrelServer
{
    // Frame: flag 0, length 2, then HealthCheckResponse { status: SERVING } = field 1 varint 1.
    private static readonly byte[] Response = [0, 0, 0, 0, 2, 0x08, 0x01];

    public static async Task RunAsync(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(async context =>
        {
            // Drain the request so flow control behaves as with a real handler.
            while (true)
            {
                var read = await context.Request.BodyReader.ReadAsync();
                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.BodyWriter.WriteAsync(Response);
        });
        await app.RunAsync();
    }
}
