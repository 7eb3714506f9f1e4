namespace IdentitySharing.EndToEnd.Tests.ExternalClients;

/// <summary>
/// Real gRPC implementations over TLS against the host on https: each identity client verifies
/// the server against the test-generated CA and, for mTLS, presents a client certificate that
/// CA issued to the configured caller "mtls".
/// </summary>
public abstract class TlsIdentityClientTests(TlsHostFixture host, IdentityClient client) : IClassFixture<TlsHostFixture>
{
    private const int Ok = 0, Unauthenticated = 16, Unavailable = 14;
    private const string Request = """{"applicant_id":"abc123","for_client_id":"partner"}""";

    [Fact]
    public async Task With_a_client_certificate_the_call_is_served_as_that_caller()
    {
        var (certificatePath, keyPath) = host.WritePem(host.CallerCertificate, $"{GetType().Name}-caller");

        var observed = await CallAsync(new ClientTls(host.AuthorityPath, certificatePath, keyPath));

        observed.Code.Should().Be(Ok, observed.Printed);
        var response = observed.Response!.Value;
        response.GetProperty("for_client_id").GetString().Should().Be("partner");
        response.GetProperty("token").GetString().Should().NotBeNullOrEmpty();
        host.Logs.Lines.Should().Contain(line => line.Contains("RPC GenerateShareToken") && line.Contains("by mtls"));
    }

    [Fact]
    public async Task Without_a_client_certificate_or_key_the_call_is_unauthenticated()
    {
        var observed = await CallAsync(new ClientTls(host.AuthorityPath));

        observed.Code.Should().Be(Unauthenticated, observed.Printed);
        observed.CodeName.Should().Be("UNAUTHENTICATED");
        // The client finds a google.rpc.Status in grpc-status-details-bin matching the status, with no details.
        observed.Details.Should().NotBeNull(observed.Printed);
        var details = observed.Details!.Value;
        details.GetProperty("status_code").GetInt32().Should().Be(Unauthenticated, observed.Printed);
        details.GetProperty("status_message").GetString().Should().Be(observed.Message).And.NotBeEmpty();
        details.GetProperty("other_types").GetArrayLength().Should().Be(0, observed.Printed);
        details.TryGetProperty("error_info", out _).Should().BeFalse(observed.Printed);
        details.TryGetProperty("bad_request", out _).Should().BeFalse(observed.Printed);
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused_by_the_client()
    {
        var (certificatePath, keyPath) = host.WritePem(host.CallerCertificate, $"{GetType().Name}-distrusting-caller");

        var observed = await CallAsync(new ClientTls(host.ForeignAuthorityPath, certificatePath, keyPath));

        observed.Code.Should().Be(Unavailable, observed.Printed);
        observed.Response.Should().BeNull();
    }

    private Task<ClientObservation> CallAsync(ClientTls tls) =>
        client.CallAsync(host.Address, "GenerateShareToken", Request, tls: tls);
}

public sealed class NodeGrpcJsTlsClientTests(TlsHostFixture host) : TlsIdentityClientTests(host, new NodeIdentityClient());

public sealed class PythonGrpcioTlsClientTests(TlsHostFixture host) : TlsIdentityClientTests(host, new PythonIdentityClient());
