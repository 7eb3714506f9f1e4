using System.Text;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests.Sandbox;

/// <summary>
/// An <c>sh</c> code block of README.md's "Calling it" section (the first: buf curl; the second:
/// grpcurl), split into shell
/// variable assignments and commands (continuation lines joined, quotes removed), so the tests
/// run the commands exactly as printed.
/// </summary>
public sealed class ReadmeWalkthrough
{
    private const string Section = "## Calling it";
    private const string Fence = "```";

    private ReadmeWalkthrough(IReadOnlyDictionary<string, string> variables, IReadOnlyList<IReadOnlyList<string>> commands)
    {
        Variables = variables;
        Commands = commands;
    }

    /// <summary>Assignments such as <c>URL=http://127.0.0.1:5000</c>, by name.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>Every other command, as the words the shell would pass (variables not expanded).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands { get; }

    /// <summary>The buf curl walkthrough: the section's first sh block.</summary>
    public static ReadmeWalkthrough Load() => Load(block: 0);

    /// <summary>The same calls with grpcurl: the section's second sh block.</summary>
    public static ReadmeWalkthrough LoadGrpcurl() => Load(block: 1);

    private static ReadmeWalkthrough Load(int block) =>
        Parse(File.ReadAllText(Path.Combine(ExternalTools.RepoRoot, "README.md")), block);

    public static ReadmeWalkthrough Parse(string readme, int block = 0)
    {
        ArgumentNullException.ThrowIfNull(readme);
        var sectionStart = readme.IndexOf("\n" + Section + "\n", StringComparison.Ordinal);
        if (sectionStart < 0)
        {
            throw new InvalidOperationException($"README.md has no \"{Section}\" section.");
        }
        var blockStart = sectionStart;
        var blockEnd = sectionStart;
        for (var skipped = 0; skipped <= block && blockEnd >= 0; skipped++)
        {
            blockStart = readme.IndexOf(Fence + "sh\n", blockEnd + 1, StringComparison.Ordinal);
            blockEnd = blockStart < 0 ? -1 : readme.IndexOf("\n" + Fence, blockStart + 1, StringComparison.Ordinal);
        }
        var nextSection = readme.IndexOf("\n## ", sectionStart + 1, StringComparison.Ordinal);
        if (blockEnd < 0 || (nextSection >= 0 && blockStart > nextSection))
        {
            throw new InvalidOperationException($"README.md's \"{Section}\" section has no sh code block number {block + 1}.");
        }
        var script = readme[(blockStart + Fence.Length + 3)..blockEnd].Replace("\\\n", " ", StringComparison.Ordinal);

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var commands = new List<IReadOnlyList<string>>();
        foreach (var line in script.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var words = ShellWords.Split(line);
            var equals = words[0].IndexOf('=', StringComparison.Ordinal);
            if (words.Count == 1 && equals > 0)
            {
                variables[words[0][..equals]] = words[0][(equals + 1)..];
            }
            else
            {
                commands.Add(words);
            }
        }
        return new ReadmeWalkthrough(variables, commands);
    }

    /// <summary>The single command whose words satisfy <paramref name="match"/>.</summary>
    public IReadOnlyList<string> Command(Func<IReadOnlyList<string>, bool> match, string description)
    {
        var found = Commands.Where(match).ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"README.md's walkthrough should have exactly one command that {description}; it has {found.Count}.");
    }
}
