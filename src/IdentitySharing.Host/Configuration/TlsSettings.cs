using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace IdentitySharing.Host.Configuration;

/// <summary>
/// The <c>Tls</c> section: the server certificate for https endpoints (PEM certificate + key,
/// or a PFX with its password) and, for mTLS, which client certificates are accepted.
/// Certificates are read at startup so an unreadable file stops the service before it listens.
/// </summary>
public sealed class TlsSettings
{
    public const string Section = "Tls";
    public const string CertificatePathKey = "Tls:CertificatePath";
    public const string KeyPathKey = "Tls:KeyPath";
    public const string CertificatePasswordKey = "Tls:CertificatePassword";
    public const string ClientCertificateModeKey = "Tls:ClientCertificateMode";
    public const string ClientCaPathKey = "Tls:ClientCaPath";
    public const string KestrelEndpointsSection = "Kestrel:Endpoints";

    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    public X509Certificate2? ServerCertificate { get; private init; }

    public ClientCertificateMode ClientCertificateMode { get; private init; }

    /// <summary>The roots a client certificate must chain to.</summary>
    public X509Certificate2Collection ClientCertificateAuthorities { get; private init; } = [];

    public static TlsSettings Load(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var certificate = LoadServerCertificate(configuration, problems);

        var mode = ClientCertificateMode.NoCertificate;
        var rawMode = configuration[ClientCertificateModeKey];
        if (!string.IsNullOrWhiteSpace(rawMode))
        {
            mode = rawMode.Trim().ToUpperInvariant() switch
            {
                "NONE" => ClientCertificateMode.NoCertificate,
                "ALLOW" => ClientCertificateMode.AllowCertificate,
                "REQUIRE" => ClientCertificateMode.RequireCertificate,
                _ => Invalid(problems, $"{ClientCertificateModeKey}: must be None, Allow or Require"),
            };
        }

        var authorities = new X509Certificate2Collection();
        var caPath = configuration[ClientCaPathKey];
        if (!string.IsNullOrWhiteSpace(caPath))
        {
            try
            {
                authorities.ImportFromPemFile(caPath);
                if (authorities.Count == 0)
                {
                    problems.Add($"{ClientCaPathKey}: the file holds no PEM certificate");
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                problems.Add($"{ClientCaPathKey}: cannot be read ({exception.GetType().Name})");
            }
        }
        else if (mode != ClientCertificateMode.NoCertificate)
        {
            problems.Add($"{ClientCaPathKey}: is required when {ClientCertificateModeKey} is Allow or Require (the CA that issues client certificates)");
        }

        if (mode != ClientCertificateMode.NoCertificate && certificate is null && string.IsNullOrWhiteSpace(configuration[CertificatePathKey]))
        {
            problems.Add($"{CertificatePathKey}: is required when {ClientCertificateModeKey} is Allow or Require");
        }

        if (certificate is null && string.IsNullOrWhiteSpace(configuration[CertificatePathKey]) && HasHttpsUrl(configuration))
        {
            problems.Add($"{CertificatePathKey}: is required for the https endpoint in urls");
        }

        // Kestrel applies these to https endpoints only: on plaintext ones they would be silently ignored (no mTLS).
        string[] tlsKeys = [CertificatePathKey, KeyPathKey, CertificatePasswordKey, ClientCaPathKey];
        var given = tlsKeys.Where(key => !string.IsNullOrWhiteSpace(configuration[key])).ToList();
        if (mode != ClientCertificateMode.NoCertificate)
        {
            given.Insert(0, ClientCertificateModeKey);
        }
        if (given.Count > 0 && !ListensOnHttps(configuration))
        {
            problems.Add($"{string.Join(", ", given)}: no endpoint is https (--urls, ASPNETCORE_URLS or {KestrelEndpointsSection}:<name>:Url), so these would be ignored and the service would serve plaintext; listen on an https:// URL or remove them");
        }

        return new TlsSettings { ServerCertificate = certificate, ClientCertificateMode = mode, ClientCertificateAuthorities = authorities };
    }

    /// <summary>Kestrel's client certificate check: the chain must end at a configured CA, for client authentication.</summary>
    public bool IsTrustedClientCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCertificateAuthorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        return chain.Build(certificate);
    }

    private static X509Certificate2? LoadServerCertificate(IConfiguration configuration, List<string> problems)
    {
        var certificatePath = configuration[CertificatePathKey];
        var keyPath = configuration[KeyPathKey];
        var password = configuration[CertificatePasswordKey];
        if (string.IsNullOrWhiteSpace(certificatePath))
        {
            if (!string.IsNullOrWhiteSpace(keyPath))
            {
                problems.Add($"{CertificatePathKey}: is required with {KeyPathKey}");
            }
            return null;
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(keyPath))
            {
                var pem = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
                // An exportable copy: SslStream on some platforms cannot use an ephemeral PEM key.
                using (pem)
                {
                    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
                }
            }
            var pfx = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            if (!pfx.HasPrivateKey)
            {
                problems.Add($"{CertificatePathKey}: holds no private key; give a PFX with its key, or a PEM certificate and {KeyPathKey}");
                pfx.Dispose();
                return null;
            }
            return pfx;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            problems.Add($"{CertificatePathKey}: cannot be read as a certificate with its private key ({exception.GetType().Name}); give a PEM certificate and {KeyPathKey}, or a PFX and {CertificatePasswordKey}");
            return null;
        }
    }

    private static bool HasHttpsUrl(IConfiguration configuration) =>
        (configuration[WebHostDefaults.ServerUrlsKey] ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(IsHttps);

    /// <summary>
    /// Whether Kestrel will listen on https: endpoints in <c>Kestrel:Endpoints</c>, when any is
    /// configured, replace the urls (<c>--urls</c>, <c>ASPNETCORE_URLS</c>; the host's default is http).
    /// </summary>
    private static bool ListensOnHttps(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection(KestrelEndpointsSection).GetChildren()
            .Select(endpoint => endpoint["Url"]).Where(url => !string.IsNullOrWhiteSpace(url)).ToList();
        return endpoints.Count > 0 ? endpoints.Any(IsHttps) : HasHttpsUrl(configuration);
    }

    private static bool IsHttps(string? url) => url?.Trim().StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;

    private static ClientCertificateMode Invalid(List<string> problems, string problem)
    {
        problems.Add(problem);
        return ClientCertificateMode.NoCertificate;
    }
}
