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
