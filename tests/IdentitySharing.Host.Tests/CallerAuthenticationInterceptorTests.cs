using System.Security.Cryptography;
using System.Text;
using IdentitySharing.Contracts.V1;
using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Auth;
using IdentitySharing.Host.Rpc;
using IdentitySharing.Testing.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.Host.Tests;

/// <summary>
/// The authentication interceptor alone, over real gRPC on loopback, with settings built directly
/// (startup validation refuses <c>Auth:AllowAnonymous</c> with callers; this proves the
/// interceptor does not depend on that): once callers are configured, no call without
/// credentials gets past it.
/// </summary>
public sealed class CallerAuthenticationInterceptorTests
{
    private const string Service = "/identitysharing.v1.IdentitySharingService/";
    private const int PermissionDenied = 7, Unauthenticated = 16;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_callers_configured_a_call_without_credentials_is_unauthenticated_even_if_anonymous_callers_are_allowed()
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var settings = new AuthSettings
        {
            Callers =
            [
                new CallerSettings
                {
                    Name = "billing",
                    KeySha256 = SHA256.HashData(Encoding.ASCII.GetBytes(key)),
                    Methods = new HashSet<string>(StringComparer.Ordinal) { "ShareWithBanxa" },
                },
            ],
            AllowAnonymous = true,
        };
        await using var app = await StartAsync(settings);
        using var client = new GrpcWireClient(Address(app));

        var share = await client.UnaryAsync(Service + "ShareWithBanxa", new ShareWithBanxaRequest(), ShareWithBanxaResponse.Parser, cancellationToken: Ct);
        var generate = await client.UnaryAsync(Service + "GenerateShareToken", new GenerateShareTokenRequest(), GenerateShareTokenResponse.Parser, cancellationToken: Ct);
        var list = await client.UnaryAsync(Service + "ListShareEvents", new ListShareEventsRequest(), ListShareEventsResponse.Parser, cancellationToken: Ct);
        var keyedOutsideItsList = await client.UnaryAsync(Service + "GenerateShareToken", new GenerateShareTokenRequest(), GenerateShareTokenResponse.Parser,
            [new("authorization", "Bearer " + key)], cancellationToken: Ct);

        share.StatusCode.Should().Be(Unauthenticated, share.StatusMessage);
        generate.StatusCode.Should().Be(Unauthenticated, generate.StatusMessage);
        list.StatusCode.Should().Be(Unauthenticated, list.StatusMessage);
        keyedOutsideItsList.StatusCode.Should().Be(PermissionDenied, keyedOutsideItsList.StatusMessage);
    }

    private static async Task<WebApplication> StartAsync(AuthSettings settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(settings);
        builder.Services.AddScoped<CallerContext>();
        builder.Services.AddGrpcServer();
        builder.Services.AddGrpcInterceptor<CallerAuthenticationInterceptor>();
        var app = builder.Build();
        // No application services: a call the interceptor let through would fail in its handler, not with the codes asserted.
        app.MapIdentitySharingService();
        await app.StartAsync(Ct);
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
