using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace IdentitySharing.Host.Auth;

public static class SecurityExtensions
{
    /// <summary>
    /// Caller authentication and rate limits (gRPC interceptors, in that order), the request's
    /// <see cref="ICallerContext"/>, TLS/mTLS for https endpoints, and Kestrel limits that bound
    /// what one client can make the server hold.
    /// </summary>
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder, SecurityConfiguration security)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(security);
        builder.Services.AddSingleton(security.Auth);
        builder.Services.AddGrpcInterceptor<CallerAuthenticationInterceptor>();
        builder.Services.AddGrpcInterceptor<RateLimitInterceptor>();
        builder.Services.AddScoped<CallerContext>();
        builder.Services.AddScoped<ICallerContext>(services => services.GetRequiredService<CallerContext>());

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            LimitResources(kestrel.Limits);
            if (security.Tls.ServerCertificate is { } certificate)
            {
                kestrel.ConfigureHttpsDefaults(https =>
                {
                    https.ServerCertificate = certificate;
                    https.ClientCertificateMode = security.Tls.ClientCertificateMode;
                    if (security.Tls.ClientCertificateMode != ClientCertificateMode.NoCertificate)
                    {
                        https.ClientCertificateValidation = (clientCertificate, _, _) => security.Tls.IsTrustedClientCertificate(clientCertificate);
                    }
                });
            }
        });
        return builder;
    }

    /// <summary>
    /// Explicit bounds (most equal Kestrel's defaults, stated so they are not lost to a default
    /// change): unary request bodies must keep arriving (streaming methods lift this per call),
    /// headers are small, one connection cannot open unbounded concurrent streams.
    /// </summary>
    private static void LimitResources(KestrelServerLimits limits)
    {
        limits.Http2.MaxStreamsPerConnection = 100;
        limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;
        limits.MaxRequestHeadersTotalSize = 32 * 1024;
        limits.MaxRequestHeaderCount = 100;
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
        limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
    }
}
