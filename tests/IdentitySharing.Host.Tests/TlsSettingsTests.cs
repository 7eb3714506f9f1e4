using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentitySharing.Host.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace IdentitySharing.Host.Tests;

public sealed class TlsSettingsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("identity-sharing-tls-settings-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static (TlsSettings Settings, List<string> Problems) Load(Dictionary<string, string?> values)
    {
        var problems = new List<string>();
        return (TlsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), problems), problems);
    }

    [Fact]
    public void No_tls_section_means_plaintext_and_no_problem()
    {
        var (settings, problems) = Load([]);

        problems.Should().BeEmpty();
        settings.ServerCertificate.Should().BeNull();
    }

    [Fact]
    public void A_pem_certificate_and_key_are_loaded_with_the_client_certificate_mode()
    {
        var (certificatePath, keyPath) = WriteSelfSigned("server");
        var (settings, problems) = Load(new()
        {
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
            ["Tls:ClientCertificateMode"] = "require",
            ["Tls:ClientCaPath"] = certificatePath,
            ["urls"] = "https://0.0.0.0:5001",
        });

        problems.Should().BeEmpty();
        settings.ServerCertificate!.HasPrivateKey.Should().BeTrue();
        settings.ClientCertificateMode.Should().Be(ClientCertificateMode.RequireCertificate);
        settings.ClientCertificateAuthorities.Should().ContainSingle();
    }

    [Fact]
    public void Unreadable_certificates_and_inconsistent_settings_are_reported_by_key()
    {
        var missing = Path.Combine(_directory.FullName, "missing.pem");
        var garbage = Path.Combine(_directory.FullName, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate");
        var (_, problems) = Load(new()
        {
            ["Tls:CertificatePath"] = garbage,
            ["Tls:KeyPath"] = missing,
            ["Tls:ClientCertificateMode"] = "Sometimes",
            ["Tls:ClientCaPath"] = missing,
        });

        problems.Should().Contain(p => p.StartsWith("Tls:CertificatePath:"));
        problems.Should().Contain(p => p.StartsWith("Tls:ClientCertificateMode:"));
        problems.Should().Contain(p => p.StartsWith("Tls:ClientCaPath:"));
    }

    [Fact]
    public void Requiring_client_certificates_needs_a_ca_and_an_https_url_needs_a_certificate()
    {
        var (_, problems) = Load(new() { ["Tls:ClientCertificateMode"] = "Require", ["urls"] = "https://127.0.0.1:0" });

        problems.Should().Contain(p => p.StartsWith("Tls:ClientCaPath:"));
        problems.Should().Contain(p => p.StartsWith("Tls:CertificatePath:") && p.Contains("https"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://0.0.0.0:5000")]
    [InlineData("http://127.0.0.1:5000;http://[::1]:5000")]
    public void Tls_settings_without_an_https_url_are_a_problem_naming_them(string? urls)
    {
        var (certificatePath, keyPath) = WriteSelfSigned("server");
        var (_, problems) = Load(new()
        {
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
            ["Tls:ClientCertificateMode"] = "Require",
            ["Tls:ClientCaPath"] = certificatePath,
            ["urls"] = urls,
        });

        problems.Should().ContainSingle().Which.Should()
            .StartWith("Tls:ClientCertificateMode, Tls:CertificatePath, Tls:KeyPath, Tls:ClientCaPath:").And.Contain("https");
    }

    [Fact]
    public void Client_certificate_settings_alone_without_an_https_url_are_a_problem()
    {
        var (certificatePath, _) = WriteSelfSigned("ca");
        var (_, problems) = Load(new() { ["Tls:ClientCaPath"] = certificatePath, ["urls"] = "http://0.0.0.0:5000" });

        problems.Should().ContainSingle().Which.Should().StartWith("Tls:ClientCaPath:").And.Contain("https");
    }

    [Theory]
    [InlineData("https://0.0.0.0:5001", null, true)]
    [InlineData("http://127.0.0.1:5000; https://0.0.0.0:5001", null, true)]
    // Kestrel:Endpoints, when configured, replace the urls.
    [InlineData(null, "https://0.0.0.0:5001", true)]
    [InlineData("http://0.0.0.0:5000", "HTTPS://0.0.0.0:5001", true)]
    [InlineData("https://0.0.0.0:5001", "http://0.0.0.0:5000", false)]
    public void Tls_settings_need_an_https_endpoint_in_the_urls_or_in_kestrel_endpoints(string? urls, string? endpointUrl, bool accepted)
    {
        var (certificatePath, keyPath) = WriteSelfSigned("server");
        var (_, problems) = Load(new()
        {
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
            ["urls"] = urls,
            ["Kestrel:Endpoints:grpc:Url"] = endpointUrl,
        });

        if (accepted)
        {
            problems.Should().BeEmpty();
        }
        else
        {
            problems.Should().ContainSingle().Which.Should().StartWith("Tls:CertificatePath, Tls:KeyPath:").And.Contain("Kestrel:Endpoints");
        }
    }

    [Fact]
    public void Plaintext_without_tls_settings_and_an_explicit_none_mode_are_no_problem()
    {
        Load(new() { ["urls"] = "http://0.0.0.0:5000" }).Problems.Should().BeEmpty();
        Load(new() { ["urls"] = "http://0.0.0.0:5000", ["Tls:ClientCertificateMode"] = "None" }).Problems.Should().BeEmpty();
    }

    [Fact]
    public void A_client_ca_path_that_is_not_a_valid_path_is_reported_by_exception_type_not_thrown()
    {
        var (certificatePath, keyPath) = WriteSelfSigned("server");
        // A NUL is the one character a Linux path cannot hold: file APIs throw ArgumentException for it.
        var badPath = Path.Combine(_directory.FullName, "ca\0.pem");
        var (_, problems) = Load(new()
        {
            ["Tls:CertificatePath"] = certificatePath,
            ["Tls:KeyPath"] = keyPath,
            ["Tls:ClientCertificateMode"] = "Require",
            ["Tls:ClientCaPath"] = badPath,
            ["urls"] = "https://0.0.0.0:5001",
        });

        problems.Should().ContainSingle().Which.Should().Be("Tls:ClientCaPath: cannot be read (ArgumentException)");
    }

    private (string CertificatePath, string KeyPath) WriteSelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(_directory.FullName, name + ".crt");
        var keyPath = Path.Combine(_directory.FullName, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
