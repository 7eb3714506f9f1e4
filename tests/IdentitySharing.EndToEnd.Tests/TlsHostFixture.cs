using System.Security.Cryptography.X509Certificates;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// The host on https (TLS, HTTP/2 by ALPN) with optional client certificates (mTLS): a client
/// certificate issued by the configured CA identifies caller "mtls"; caller "keyed" uses an API key.
/// </summary>
public sealed class TlsHostFixture : HostFixture
{
    private DirectoryInfo? _directory;
    private string _serverCertificatePath = "";
    private string _serverKeyPath = "";
    private string _authorityPath = "";
    private string _foreignAuthorityPath = "";

    public X509Certificate2 Authority { get; } = TestCertificates.CreateAuthority("identity-sharing-test-ca");
    public X509Certificate2 ForeignAuthority { get; } = TestCertificates.CreateAuthority("someone-elses-ca");
    public X509Certificate2 CallerCertificate { get; private set; } = null!;
    public X509Certificate2 UnknownCallerCertificate { get; private set; } = null!;
    public X509Certificate2 ForeignCertificate { get; private set; } = null!;
    public string Key { get; } = AuthHostFixture.NewKey();

    protected override string Urls => "https://127.0.0.1:0";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["Tls:CertificatePath"] = _serverCertificatePath,
        ["Tls:KeyPath"] = _serverKeyPath,
        ["Tls:ClientCertificateMode"] = "Allow",
        ["Tls:ClientCaPath"] = _authorityPath,
        ["Auth:AllowAnonymous"] = "false",
        ["Auth:Callers:mtls:CertificateThumbprint"] = TestCertificates.Sha256Thumbprint(CallerCertificate),
        ["Auth:Callers:mtls:Methods:0"] = "*",
        ["Auth:Callers:keyed:KeySha256"] = AuthHostFixture.Sha256Hex(Key),
        ["Auth:Callers:keyed:Methods:0"] = "*",
    };

    /// <summary>The CA that issued the server and client certificates, as a PEM file.</summary>
    public string AuthorityPath => _authorityPath;

    /// <summary>A CA that issued nothing the host presents, as a PEM file: a client trusting only it must refuse the host.</summary>
    public string ForeignAuthorityPath => _foreignAuthorityPath;

    /// <summary>Writes a client certificate and its key as PEM files for external clients.</summary>
    public (string CertificatePath, string KeyPath) WritePem(X509Certificate2 certificate, string name) =>
        TestCertificates.WritePem(certificate, _directory!.FullName, name);

    public GrpcWireClient ClientWith(X509Certificate2? clientCertificate) => new(Address, TestCertificates.Handler(Authority, clientCertificate));

    protected override GrpcWireClient CreateClient(Uri address) => new(address, TestCertificates.Handler(Authority));

    protected override Task BeforeHostStartsAsync()
    {
        _directory = Directory.CreateTempSubdirectory("identity-sharing-tls-");
        (_serverCertificatePath, _serverKeyPath) = TestCertificates.WritePem(TestCertificates.IssueServer(Authority), _directory.FullName, "server");
        _authorityPath = Path.Combine(_directory.FullName, "client-ca.crt");
        File.WriteAllText(_authorityPath, Authority.ExportCertificatePem());
        _foreignAuthorityPath = Path.Combine(_directory.FullName, "foreign-ca.crt");
        File.WriteAllText(_foreignAuthorityPath, ForeignAuthority.ExportCertificatePem());
        CallerCertificate = TestCertificates.IssueClient(Authority, "billing-service");
        UnknownCallerCertificate = TestCertificates.IssueClient(Authority, "not-a-configured-caller");
        ForeignCertificate = TestCertificates.IssueClient(ForeignAuthority, "billing-service");
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory?.Delete(recursive: true);
        foreach (var certificate in new[] { Authority, ForeignAuthority, CallerCertificate, UnknownCallerCertificate, ForeignCertificate })
        {
            certificate?.Dispose();
        }
    }
}
