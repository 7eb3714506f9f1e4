using System.Text.Json;
using IdentitySharing.Host;
using IdentitySharing.Infrastructure.Sandbox;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests.Sandbox;

/// <summary>
/// README.md's "Calling it" walkthrough, run as printed with buf curl (reflection only, no
/// local schema) against the host in sandbox mode. Only $BUF (the locally installed buf),
/// $URL (the test's port) and the pasted share token are substituted.
/// </summary>
public sealed class ReadmeWalkthroughTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    private const string Service = "identitysharing.v1.IdentitySharingService/";

    [Fact]
    public async Task The_readme_walkthrough_works_as_printed_against_the_sandbox()
    {
        var readme = ReadmeWalkthrough.Load();
        readme.Variables.Should().ContainKey("URL").WhoseValue.Should().Be(IdentitySharingApp.DefaultUrl,
            "the walkthrough calls the address the README's run command listens on");

        var methods = await RunAsync(readme.Command(words => words.Contains("--list-methods"), "lists methods"));
        Lines(methods.StandardOutput).Should().Contain(
            Service + "GenerateShareToken", Service + "ImportApplicant", Service + "ShareWithBanxa", "grpc.health.v1.Health/Check");

        var health = await RunJsonAsync(readme.Command(EndsWith("grpc.health.v1.Health/Check"), "checks health"));
        health.GetProperty("status").GetString().Should().Be("SERVING");

        var generateCommand = readme.Command(EndsWith(Service + "GenerateShareToken"), "calls GenerateShareToken");
        RequestOf(generateCommand).GetProperty("applicant_id").GetString().Should().BeOneOf(SandboxUpstreams.DonorDemoApplicantIds);
        var generated = await RunJsonAsync(generateCommand);
        var token = generated.GetProperty("token").GetString();
        token.Should().NotBeNullOrEmpty();
        generated.GetProperty("forClientId").GetString().Should().Be(SandboxUpstreams.RecipientClientId);

        var importCommand = readme.Command(EndsWith(Service + "ImportApplicant"), "calls ImportApplicant");
        RequestOf(importCommand).GetProperty("account").GetString().Should().Be(SandboxUpstreams.RecipientAccountName);
        var imported = (await RunJsonAsync(importCommand, token)).GetProperty("applicant");
        imported.GetProperty("clientId").GetString().Should().Be(SandboxUpstreams.RecipientClientId);
        var importedId = imported.GetProperty("id").GetString();
        importedId.Should().NotBeNullOrEmpty();
        SandboxUpstreams.RecipientDemoApplicantIds.Concat(SandboxUpstreams.DonorDemoApplicantIds)
            .Should().NotContain(importedId, "the import creates a new applicant");
        imported.GetProperty("externalUserId").GetString().Should().Be(RequestOf(importCommand).GetProperty("user_id").GetString());

        var again = await RunAsync(importCommand, token, expectSuccess: false);
        again.ExitCode.Should().NotBe(0, again.ToString());
        using (var error = JsonDocument.Parse(again.StandardError))
        {
            error.RootElement.GetProperty("code").GetString().Should().Be("failed_precondition", "the share token is single-use");
            error.RootElement.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("type").GetString())
                .Should().Contain("google.rpc.ErrorInfo");
        }

        var shareCommand = readme.Command(EndsWith(Service + "ShareWithBanxa"), "calls ShareWithBanxa");
        var shared = await RunJsonAsync(shareCommand);
        shared.GetProperty("identityReference").GetString().Should().Be(RequestOf(shareCommand).GetProperty("identity_reference").GetString());
    }

    /// <summary>
    /// grpcurl cannot be installed where the tests run (no Debian or npm package), so its lines
    /// are held to the buf curl lines the test above runs: the same address, methods and requests.
    /// </summary>
    [Fact]
    public void The_readme_grpcurl_lines_make_the_same_calls_as_the_tested_buf_curl_lines()
    {
        var buf = ReadmeWalkthrough.Load();
        var grpcurl = ReadmeWalkthrough.LoadGrpcurl();
        var target = new Uri(IdentitySharingApp.DefaultUrl).Authority;

        grpcurl.Commands.Should().AllSatisfy(command =>
        {
            command[0].Should().Be("grpcurl");
            command.Should().Contain("-plaintext", "the sandbox serves h2c");
            command.Should().Contain(target, "grpcurl calls the address the README's run command listens on");
        });
        grpcurl.Command(words => words[^1] == "list", "lists services").Should().NotBeEmpty();
        grpcurl.Command(words => words[^1] == "grpc.health.v1.Health/Check", "checks health").Should().NotBeEmpty();
        foreach (var method in new[] { "GenerateShareToken", "ImportApplicant", "ShareWithBanxa" })
        {
            var grpcurlCall = grpcurl.Command(words => words[^1] == Service + method, $"calls {method}");
            var bufCall = buf.Command(EndsWith(Service + method), $"calls {method}");
            JsonElement.DeepEquals(RequestOf(grpcurlCall), RequestOf(bufCall)).Should().BeTrue(
                $"grpcurl's {method} request should be the buf curl one the walkthrough test runs");
        }
    }

    [Fact]
    public void The_readme_lists_the_seeded_sandbox_data_the_host_announces()
    {
        var readme = File.ReadAllText(Path.Combine(ExternalTools.RepoRoot, "README.md"));
        string[] seeded =
        [
            SandboxUpstreams.DonorAccountName, SandboxUpstreams.DonorClientId,
            SandboxUpstreams.RecipientAccountName, SandboxUpstreams.RecipientClientId,
            .. SandboxUpstreams.DonorDemoApplicantIds, .. SandboxUpstreams.RecipientDemoApplicantIds,
        ];

        foreach (var value in seeded)
        {
            readme.Should().Contain($"`{value}`");
            host.Logs.AllText.Should().Contain(value, "the sandbox prints its seeded data at startup");
        }
    }

    private static Func<IReadOnlyList<string>, bool> EndsWith(string path) =>
        words => words.Count > 0 && words[^1].EndsWith("/" + path, StringComparison.Ordinal);

    private static JsonElement RequestOf(IReadOnlyList<string> command)
    {
        var index = command.ToList().IndexOf("-d");
        index.Should().BeGreaterThan(0, "the command sends a request body with -d");
        using var request = JsonDocument.Parse(command[index + 1]);
        return request.RootElement.Clone();
    }

    private async Task<JsonElement> RunJsonAsync(IReadOnlyList<string> command, string? token = null)
    {
        var result = await RunAsync(command, token);
        using var output = JsonDocument.Parse(result.StandardOutput);
        return output.RootElement.Clone();
    }

    /// <summary>Runs "$BUF curl ..." with the local buf, this host's URL and the share token pasted in.</summary>
    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? token = null, bool expectSuccess = true)
    {
        command.Take(2).Should().Equal(["$BUF", "curl"], "the walkthrough's commands are buf curl commands");
        var arguments = command.Skip(1).Select(word => word.Replace("$URL", host.Url, StringComparison.Ordinal));
        if (token is not null)
        {
            arguments = arguments.Select(word => word.Replace("<token>", token, StringComparison.Ordinal));
        }

        var result = await ExternalTools.RunAsync(ExternalTools.RequireBuf(), arguments, ExternalTools.NodeClientDirectory);
        if (expectSuccess)
        {
            result.ExitCode.Should().Be(0, result.ToString());
        }
        return result;
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
