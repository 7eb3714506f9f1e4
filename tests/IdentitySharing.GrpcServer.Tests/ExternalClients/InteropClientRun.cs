using System.Text.Json;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.GrpcServer.Tests.ExternalClients;

/// <summary>
/// Runs one external client script once against its own <see cref="InteropServer"/> and keeps
/// the per-case observations it printed as JSON ({"client": ..., "cases": {name: {...}}}).
/// </summary>
public abstract class InteropClientRun : IAsyncLifetime
{
    private readonly InteropServer _server = new();
    private JsonDocument? _output;

    public string ClientName { get; private set; } = "";

    public JsonElement Case(string name)
    {
        var cases = _output!.RootElement.GetProperty("cases");
        cases.TryGetProperty(name, out var observed).Should().BeTrue($"{ClientName} should report case {name}");
        observed.TryGetProperty("error", out var error).Should().BeFalse($"{ClientName} case {name} failed: {(error.ValueKind == JsonValueKind.Undefined ? "" : error.ToString())}");
        return observed;
    }

    public async ValueTask InitializeAsync()
    {
        await _server.InitializeAsync();
        var result = await RunClientAsync(_server.Target);
        result.ExitCode.Should().Be(0, result.ToString());
        var lastLine = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"The client printed nothing.\n{result}");
        _output = JsonDocument.Parse(lastLine);
        ClientName = _output.RootElement.GetProperty("client").GetString() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        _output?.Dispose();
        await _server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected abstract Task<ProcessResult> RunClientAsync(string target);
}

/// <summary>tests/clients/node/interop.js: @grpc/grpc-js with the protos loaded by @grpc/proto-loader.</summary>
public sealed class NodeClientRun : InteropClientRun
{
    protected override async Task<ProcessResult> RunClientAsync(string target) =>
        await ExternalTools.RunAsync(ExternalTools.RequireNode(), ["interop.js", "--target", target], ExternalTools.NodeClientDirectory);
}

/// <summary>tests/clients/python/interop.py: Debian's grpcio with stubs from Debian's protoc and grpc_python_plugin.</summary>
public sealed class PythonClientRun : InteropClientRun
{
    protected override async Task<ProcessResult> RunClientAsync(string target) =>
        await ExternalTools.RunAsync(await ExternalTools.RequirePythonAsync(), ["interop.py", "--target", target], ExternalTools.PythonClientDirectory);
}
