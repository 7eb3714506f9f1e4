using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IdentitySharing.Benchmarks;

/// <summary>
/// A stand-in for Sumsub's share-token endpoint, for load only: HTTP/1.1 on loopback, answers
/// <c>POST /resources/accessTokens/shareToken</c> with one fixed token after an optional delay.
/// It checks no signature, so the service and h2load can both call it with the same request.
/// </summary>
internal static class SumsubFakeServer
{
    private const string ShareTokenPath = "/resources/accessTokens/shareToken";

    private static readonly byte[] TokenResponse =
        """{"token":"_act-sbx-jwt-eyJhbGciOiJub25lIn0.eyJiZW5jaCI6dHJ1ZX0.bench","forClientId":"bench.partner_1"}"""u8.ToArray();

    public static async Task RunAsync(string url, TimeSpan delay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != ShareTokenPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            // Read the whole body, as Sumsub would before answering.
            while (true)
            {
                var read = await context.Request.BodyReader.ReadAsync();
                context.Request.BodyReader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = TokenResponse.Length;
            await context.Response.BodyWriter.WriteAsync(TokenResponse);
        });
        await app.RunAsync();
    }
}
