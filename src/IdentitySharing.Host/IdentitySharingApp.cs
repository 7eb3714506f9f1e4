using IdentitySharing.Application;
using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;
using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.Host.Auth;
using IdentitySharing.Host.Configuration;
using IdentitySharing.Host.Logging;
using IdentitySharing.Host.Rpc;
using IdentitySharing.Infrastructure;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Sandbox;
using IdentitySharing.Infrastructure.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentitySharing.Host;

/// <summary>
/// Composition root. Builds the web application: configuration (and sandbox mode when no
/// Sumsub account is configured), Kestrel on h2c, the layers' services, and the gRPC services.
/// Tests build the same application with their own configuration, so what they exercise is
/// what runs in production.
/// </summary>
public static class IdentitySharingApp
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>
    /// Builds the application. Starts the sandbox upstreams first when no Sumsub account is
    /// configured. Throws <see cref="InvalidConfigurationException"/> listing every configuration problem.
    /// </summary>
    /// <param name="args">Command-line arguments (configuration, e.g. <c>--urls</c>).</param>
    /// <param name="configure">Lets tests add configuration or services before the build.</param>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        // Plaintext endpoints speak HTTP/2 only (h2c with prior knowledge), as gRPC clients expect.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));

        var sandbox = UpstreamSettings.HasNoSumsubAccounts(builder.Configuration)
            ? await SandboxUpstreams.StartAsync().ConfigureAwait(false)
            : null;
        if (sandbox is not null)
        {
            builder.Configuration.AddInMemoryCollection(sandbox.ConfigurationOverrides);
        }

        var security = SecurityConfiguration.Load(builder.Configuration, sandbox: sandbox is not null);
        IReadOnlyList<string> problems = [.. UpstreamSettings.Validate(builder.Configuration), .. OutcomeProtector.Validate(builder.Configuration), .. security.Problems];
        if (problems.Count > 0)
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
            }
            throw new InvalidConfigurationException(problems);
        }

        ConfigureGracefulShutdown(builder);
        // Observability first: its interceptors wrap authentication, so rejected calls are traced and logged.
        builder.AddObservability();
        builder.AddSecurity(security);
        builder.Services.AddGrpcServer(options => options.EnableDetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddGrpcHealthService();
        builder.Services.AddApplication();
        builder.Services.AddInfrastructure(builder.Configuration);

        var app = builder.Build();
        app.MapIdentitySharingService();
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        RegisterServiceHealth(app);

        if (sandbox is not null)
        {
            AnnounceSandbox(app, sandbox);
            app.Lifetime.ApplicationStopped.Register(() => sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }
        return app;
    }

    /// <summary>
    /// On SIGTERM the host stops: health ("" and the service) turns NOT_SERVING and new calls get UNAVAILABLE at
    /// ApplicationStopping, then in-flight calls get <c>Shutdown:DrainTimeout</c> (default 30 s)
    /// to finish before they are cut off; disposing the host afterwards closes storage.
    /// </summary>
    private static void ConfigureGracefulShutdown(WebApplicationBuilder builder)
    {
        var drain = builder.Configuration.GetValue("Shutdown:DrainTimeout", TimeSpan.FromSeconds(30));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = drain);
    }

    /// <summary>
    /// Health probes may name the service (<c>identitysharing.v1.IdentitySharingService</c>) as
    /// well as "" (the whole server). Both are SERVING from the first call the server answers and
    /// turn NOT_SERVING together when shutdown begins (<see cref="HealthStatusService.EnterShutdown"/>
    /// marks every registered service at ApplicationStopping).
    /// </summary>
    private static void RegisterServiceHealth(WebApplication app) =>
        app.Services.GetRequiredService<HealthStatusService>()
            .SetStatus(IdentitySharingRpcs.Service.FullName, GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);

    private static void AnnounceSandbox(WebApplication app, SandboxUpstreams sandbox)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentitySharing.Sandbox");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            logger.LogWarning("SANDBOX MODE: no Sumsub account is configured, so this service talks to simulated Sumsub and Banxa upstreams on loopback. No real identity data is shared.");
            foreach (var line in sandbox.Describe())
            {
                logger.LogWarning("SANDBOX MODE: {Line}", line);
            }
        });
    }
}

/// <summary>The configuration cannot run the service; <see cref="Exception.Message"/> lists every problem with its key.</summary>
public sealed class InvalidConfigurationException : Exception
{
    public InvalidConfigurationException(IReadOnlyList<string> problems)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p))) =>
        Problems = problems;

    public InvalidConfigurationException() : this([])
    {
    }

    public InvalidConfigurationException(string message) : base(message) => Problems = [message];

    public InvalidConfigurationException(string message, Exception innerException) : base(message, innerException) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
