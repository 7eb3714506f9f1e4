using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using IdentitySharing.Contracts.V1;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// A real gRPC implementation over TLS: Python grpcio (Debian's python3-grpcio, installed by
/// build/install-test-deps.sh) verifies the server against the test CA and presents a client
/// certificate (mTLS). Raw bytes in and out, so no generated stubs are needed.
/// </summary>
public sealed class TlsPythonClientTests(TlsHostFixture host) : IClassFixture<TlsHostFixture>
{
    private const string Python = "/usr/bin/python3";

    private const string Client = """
        import json, sys
        import grpc
        target, ca, cert, key, method, request_hex = sys.argv[1:7]
        def read(path):
            return None if path == "-" else open(path, "rb").read()
        credentials = grpc.ssl_channel_credentials(root_certificates=read(ca), private_key=read(key), certificate_chain=read(cert))
        with grpc.secure_channel(target, credentials, options=[("grpc.ssl_target_name_override", "localhost")]) as channel:
            call = channel.unary_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            try:
                response = call(bytes.fromhex(request_hex), timeout=30)
                print(json.dumps({"code": 0, "response": response.hex()}))
            except grpc.RpcError as error:
                print(json.dumps({"code": error.code().value[0], "details": error.details()}))
        """;

    private static readonly GenerateShareTokenRequest Request = new() { ApplicantId = "abc123", ForClientId = "partner" };

    [Fact]
    public async Task Python_grpcio_with_a_client_certificate_is_served_as_that_caller()
    {
        var (certificatePath, keyPath) = host.WritePem(host.CallerCertificate, "python-caller");

        using var result = await RunAsync(certificatePath, keyPath);

        result.RootElement.GetProperty("code").GetInt32().Should().Be(0, result.RootElement.ToString());
        var response = GenerateShareTokenResponse.Parser.ParseFrom(Convert.FromHexString(result.RootElement.GetProperty("response").GetString()!));
        response.ForClientId.Should().Be("partner");
        response.Token.Should().NotBeEmpty();
        host.Logs.Lines.Should().Contain(line => line.Contains("RPC GenerateShareToken") && line.Contains("by mtls"));
    }

    [Fact]
    public async Task Python_grpcio_without_a_client_certificate_or_key_is_unauthenticated()
    {
        using var result = await RunAsync("-", "-");

        result.RootElement.GetProperty("code").GetInt32().Should().Be(16, result.RootElement.ToString());
    }

    private async Task<JsonDocument> RunAsync(string certificatePath, string keyPath)
    {
        Assert.SkipUnless(File.Exists(Python), "Python 3 with grpcio is installed by build/install-test-deps.sh");
        var script = Path.Combine(Path.GetTempPath(), $"identity-sharing-tls-client-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, Client, TestContext.Current.CancellationToken);
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, $"127.0.0.1:{host.Address.Port}", host.AuthorityPath, certificatePath, keyPath, "/identitysharing.v1.IdentitySharingService/GenerateShareToken", Convert.ToHexString(Request.ToByteArray()) })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            var output = await stdout;
            process.ExitCode.Should().Be(0, await stderr);
            return JsonDocument.Parse(output);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
