using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentitySharing.Contracts.V1;
using IdentitySharing.GrpcServer.Health.V1;
using IdentitySharing.Testing.Grpc;
using ServingStatus = IdentitySharing.GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IdentitySharing.Host.Tests;

/// <summary>
/// README.md's "Example with one real account, from the environment" run as printed: the built
/// host started as its own process with the block's environment assignments (each <c>...</c>
/// filled with a generated value, everything else as written) and its arguments after
/// <c>dotnet run ... --</c>, only the <c>--urls</c> value moved to a free loopback port.
/// </summary>
public sealed class ReadmeConfigurationExampleTests
{
    // Generous: the host starts JIT-cold on a loaded 2-core machine.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_readme_example_with_one_real_account_starts_and_serves_its_caller()
    {
        var example = ReadmeConfigurationExample.Load();
        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var environment = example.EnvironmentWith(apiKey);
        var workingDirectory = Directory.CreateTempSubdirectory("identitysharing-readme-");
        try
        {
            await using var host = HostProcess.Start(workingDirectory.FullName, example.HostArgumentsListeningOn("http://127.0.0.1:0"), environment);
            var address = await host.WaitForListeningAsync(Patience);
            using var client = new GrpcWireClient(address);

            var health = await client.UnaryAsync("/grpc.health.v1.Health/Check", new HealthCheckRequest(), HealthCheckResponse.Parser, cancellationToken: Ct);
            var anonymous = await client.UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents",
                new ListShareEventsRequest(), ListShareEventsResponse.Parser, cancellationToken: Ct);
            var withKey = await client.UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents",
                new ListShareEventsRequest(), ListShareEventsResponse.Parser, [new("authorization", "Bearer " + apiKey)], cancellationToken: Ct);

            health.StatusCode.Should().Be(0, host.Output);
            health.Response!.Status.Should().Be(ServingStatus.Serving);
            anonymous.StatusCode.Should().Be(16, "the example configures a caller, so calls without its key are UNAUTHENTICATED");
            withKey.StatusCode.Should().Be(0, "the caller's key, given as its SHA-256 as the README shows, authenticates it: " + withKey.StatusMessage);
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_readme_example_without_its_banxa_keys_exits_with_code_2_naming_them()
    {
        var example = ReadmeConfigurationExample.Load();
        var environment = example.EnvironmentWith(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var withoutBanxa = environment.Where(e => !e.Key.StartsWith("Banxa__", StringComparison.Ordinal)).ToDictionary();
        withoutBanxa.Count.Should().BeLessThan(environment.Count, "the example sets Banxa's keys");
        var workingDirectory = Directory.CreateTempSubdirectory("identitysharing-readme-");
        try
        {
            var (exitCode, stdout, stderr) = await ExternalTools.RunAsync(
                HostProcess.DotnetHost, [HostProcess.HostDll, .. example.HostArgumentsListeningOn("http://127.0.0.1:0")], workingDirectory.FullName,
                new Dictionary<string, string>(withoutBanxa) { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" }, Ct);

            exitCode.Should().Be(2, stderr);
            stderr.Should().Contain("Banxa:ApiKey").And.Contain("Banxa:ApiSecret");
            stdout.Should().NotContain(HostProcess.ListeningLine);
            foreach (var secret in example.FilledPlaceholders(withoutBanxa))
            {
                (stdout + stderr).Should().NotContain(secret);
            }
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_example_is_parsed_into_assignments_and_the_hosts_arguments()
    {
        var example = ReadmeConfigurationExample.Parse("""
            Intro. Example with one real account, from the environment:

            ```sh
            A__b=... C=our-id \
            D='*' \
            dotnet run --project src/IdentitySharing.Host -- --urls http://0.0.0.0:5000
            ```
            """);

        var environment = example.EnvironmentWith("key");

        environment.Keys.Should().BeEquivalentTo(["A__b", "C", "D"]);
        environment["A__b"].Should().MatchRegex("^[0-9a-f]{64}$");
        environment["C"].Should().Be("our-id");
        environment["D"].Should().Be("*");
        example.HostArgumentsListeningOn("http://127.0.0.1:0").Should().Equal("--urls", "http://127.0.0.1:0");
    }

    /// <summary>The <c>sh</c> block after "Example with one real account, from the environment" in README.md.</summary>
    private sealed class ReadmeConfigurationExample
    {
        private const string Anchor = "Example with one real account, from the environment";
        private const string Fence = "```";
        private const string Placeholder = "...";
        private static readonly string[] RunCommand = ["dotnet", "run", "--project", "src/IdentitySharing.Host", "--"];

        private readonly IReadOnlyList<KeyValuePair<string, string>> _assignments;
        private readonly IReadOnlyList<string> _hostArguments;
        private readonly Dictionary<string, string> _filled = new(StringComparer.Ordinal);

        private ReadmeConfigurationExample(IReadOnlyList<KeyValuePair<string, string>> assignments, IReadOnlyList<string> hostArguments)
        {
            _assignments = assignments;
            _hostArguments = hostArguments;
        }

        public static ReadmeConfigurationExample Load()
        {
            var example = Parse(File.ReadAllText(Path.Combine(ExternalTools.RepoRoot, "README.md")));
            Directory.Exists(Path.Combine(ExternalTools.RepoRoot, RunCommand[3])).Should().BeTrue("the example runs the host project");
            return example;
        }

        public static ReadmeConfigurationExample Parse(string readme)
        {
            var anchor = readme.IndexOf(Anchor, StringComparison.Ordinal);
            anchor.Should().BeGreaterThanOrEqualTo(0, $"README.md has the \"{Anchor}\" example");
            var start = readme.IndexOf(Fence + "sh\n", anchor, StringComparison.Ordinal);
            start.Should().BeGreaterThan(anchor, "the example is an sh code block");
            start += Fence.Length + 3;
            var end = readme.IndexOf("\n" + Fence, start - 1, StringComparison.Ordinal);
            end.Should().BeGreaterThan(start, "the sh block is closed");
            var lines = readme[start..end].Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            lines.Should().ContainSingle("the example is one command");

            var words = ShellWords.Split(lines[0]);
            var assignments = words.TakeWhile(IsAssignment)
                .Select(w => new KeyValuePair<string, string>(w[..w.IndexOf('=', StringComparison.Ordinal)], w[(w.IndexOf('=', StringComparison.Ordinal) + 1)..]))
                .ToList();
            var command = words.Skip(assignments.Count).ToList();
            command.Take(RunCommand.Length).Should().Equal(RunCommand, "the example runs the host with dotnet run, its arguments after --");
            var hostArguments = command.Skip(RunCommand.Length).ToList();
            hostArguments.Should().Contain("--urls", "the test moves the listening address to a free loopback port");
            return new ReadmeConfigurationExample(assignments, hostArguments);
        }

        /// <summary>
        /// The block's assignments with every <c>...</c> filled in: a caller's <c>KeySha256</c>
        /// with the SHA-256 of <paramref name="callerApiKey"/>, any other with a random value.
        /// </summary>
        public Dictionary<string, string> EnvironmentWith(string callerApiKey)
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in _assignments)
            {
                if (value != Placeholder)
                {
                    environment[name] = value;
                    continue;
                }
                var filled = name.EndsWith("__KeySha256", StringComparison.Ordinal)
                    ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(callerApiKey)))
                    : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                environment[name] = filled;
                _filled[name] = filled;
            }
            return environment;
        }

        /// <summary>The generated values among <paramref name="environment"/>: secrets the host must never print.</summary>
        public IEnumerable<string> FilledPlaceholders(IReadOnlyDictionary<string, string> environment) =>
            _filled.Where(f => environment.ContainsKey(f.Key)).Select(f => f.Value);

        public IReadOnlyList<string> HostArgumentsListeningOn(string url)
        {
            var arguments = _hostArguments.ToList();
            arguments[arguments.IndexOf("--urls") + 1] = url;
            return arguments;
        }

        private static bool IsAssignment(string word)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            return equals > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        }
    }
}
