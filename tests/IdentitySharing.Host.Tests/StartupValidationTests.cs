using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.Host.Tests;

/// <summary>The built host run as its own process with bad configuration: every problem on stderr, exit code 2, never listening.</summary>
public sealed class StartupValidationTests
{
    private static readonly Dictionary<string, string> ValidUpstreams = new()
    {
        ["Sumsub__Accounts__main__AppToken"] = "sbx:startup-probe-app-token",
        ["Sumsub__Accounts__main__SecretKey"] = "startup-probe-secret-key",
        ["Sumsub__Accounts__main__BaseUrl"] = "http://127.0.0.1:9/",
        ["Banxa__ApiKey"] = "startup-probe-banxa-key",
        ["Banxa__ApiSecret"] = "startup-probe-banxa-secret",
        ["Banxa__BaseUrl"] = "http://127.0.0.1:9/",
    };

    [Fact]
    public async Task Every_configuration_problem_is_reported_at_once_by_key_and_the_process_exits_before_listening()
    {
        var missingCertificate = Path.Combine(Path.GetTempPath(), "identity-sharing-" + Guid.NewGuid().ToString("N") + ".pem");
        var (exitCode, stdout, stderr) = await RunHostAsync(new()
        {
            ["Sumsub__Accounts__main__AppToken"] = "sbx:startup-probe-app-token",
            ["Sumsub__Accounts__main__BaseUrl"] = "not a url",
            ["Sumsub__DefaultAccount"] = "nope",
            ["Banxa__ApiSecret"] = "startup-probe-banxa-secret",
            ["Auth__Callers__billing__KeySha256"] = "zz",
            ["Auth__Callers__billing__Methods__0"] = "NoSuchRpc",
            ["Tls__CertificatePath"] = missingCertificate,
            ["Tls__KeyPath"] = missingCertificate,
            ["RateLimits__Default__PermitsPerSecond"] = "0",
            ["Idempotency__OutcomeKey"] = "startup-probe-outcome-key",
        });

        exitCode.Should().Be(2, stderr);
        foreach (var key in new[]
        {
            "Sumsub:Accounts:main:SecretKey", "Sumsub:Accounts:main:BaseUrl", "Sumsub:DefaultAccount", "Banxa:ApiKey",
            "Auth:Callers:billing:KeySha256", "Auth:Callers:billing:Methods", "Tls:CertificatePath", "RateLimits:Default:PermitsPerSecond",
            "Idempotency:OutcomeKey",
        })
        {
            stderr.Should().Contain(key);
        }
        stderr.Should().NotContain("startup-probe-app-token").And.NotContain("startup-probe-banxa-secret").And.NotContain("startup-probe-outcome-key");
        stdout.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task Real_accounts_without_callers_refuse_to_start_unless_anonymous_callers_are_allowed_explicitly()
    {
        var (exitCode, stdout, stderr) = await RunHostAsync(ValidUpstreams);

        exitCode.Should().Be(2, stderr);
        stderr.Should().Contain("Auth:Callers").And.Contain("Auth:AllowAnonymous=true");
        stdout.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task Anonymous_callers_allowed_alongside_configured_callers_refuse_to_start()
    {
        var (exitCode, stdout, stderr) = await RunHostAsync(new(ValidUpstreams)
        {
            ["Auth__Callers__billing__KeySha256"] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            ["Auth__Callers__billing__Methods__0"] = "ShareWithBanxa",
            ["Auth__AllowAnonymous"] = "true",
        });

        exitCode.Should().Be(2, stderr);
        stderr.Should().Contain("Auth:AllowAnonymous:").And.Contain("Auth:Callers").And.Contain("method lists");
        stdout.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task Required_client_certificates_with_only_a_plaintext_url_refuse_to_start()
    {
        var directory = Directory.CreateTempSubdirectory("identity-sharing-startup-tls-");
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = new CertificateRequest("CN=startup-probe", key, HashAlgorithmName.SHA256)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certificatePath = Path.Combine(directory.FullName, "server.crt");
            var keyPath = Path.Combine(directory.FullName, "server.key");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);

            // Valid TLS settings, but the only URL (ASPNETCORE_URLS, set below) is http://.
            var (exitCode, stdout, stderr) = await RunHostAsync(new(ValidUpstreams)
            {
                ["Auth__AllowAnonymous"] = "true",
                ["Tls__CertificatePath"] = certificatePath,
                ["Tls__KeyPath"] = keyPath,
                ["Tls__ClientCertificateMode"] = "Require",
                ["Tls__ClientCaPath"] = certificatePath,
            });

            exitCode.Should().Be(2, stderr);
            stderr.Should().Contain("Tls:ClientCertificateMode, Tls:CertificatePath, Tls:KeyPath, Tls:ClientCaPath:").And.Contain("https");
            stdout.Should().NotContain("Now listening");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Task<ProcessResult> RunHostAsync(Dictionary<string, string> environment) =>
        ExternalTools.RunAsync(
            HostProcess.DotnetHost,
            [HostProcess.HostDll],
            AppContext.BaseDirectory,
            new Dictionary<string, string>(environment)
            {
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
            TestContext.Current.CancellationToken);
}
