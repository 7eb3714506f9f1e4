using IdentitySharing.Contracts.V1;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>TLS and mTLS with a real HTTP/2 client: server certificate checked against the test CA, client certificates as caller identity.</summary>
public sealed class TlsTests(TlsHostFixture host) : IClassFixture<TlsHostFixture>
{
    private const string Path = "/identitysharing.v1.IdentitySharingService/GenerateShareToken";
    private static readonly GenerateShareTokenRequest Request = new() { ApplicantId = "abc123", ForClientId = "partner" };

    [Fact]
    public async Task A_client_certificate_from_the_configured_ca_identifies_its_caller()
    {
        using var client = host.ClientWith(host.CallerCertificate);

        var result = await client.CallAsync(Path, Request, GenerateShareTokenResponse.Parser);

        result.StatusCode.Should().Be(0, result.StatusMessage);
        host.Address.Scheme.Should().Be("https");
        host.Logs.Lines.Should().Contain(line => line.Contains("RPC GenerateShareToken") && line.Contains("by mtls"));
    }

    [Fact]
    public async Task An_api_key_works_over_tls_without_a_client_certificate()
    {
        var result = await host.Client.CallAsync(Path, Request, GenerateShareTokenResponse.Parser, AuthHostFixture.Bearer(host.Key));

        result.StatusCode.Should().Be(0, result.StatusMessage);
    }

    [Fact]
    public async Task Without_a_certificate_or_key_the_call_is_unauthenticated()
    {
        var result = await host.Client.CallAsync(Path, Request, GenerateShareTokenResponse.Parser);

        result.StatusCode.Should().Be(16);
    }

    [Fact]
    public async Task A_valid_certificate_that_names_no_caller_is_unauthenticated()
    {
        using var client = host.ClientWith(host.UnknownCallerCertificate);

        var result = await client.CallAsync(Path, Request, GenerateShareTokenResponse.Parser);

        result.StatusCode.Should().Be(16);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_fails_the_handshake()
    {
        using var client = host.ClientWith(host.ForeignCertificate);

        var call = () => client.CallAsync(Path, Request, GenerateShareTokenResponse.Parser);

        await call.Should().ThrowAsync<HttpRequestException>();
    }
}
